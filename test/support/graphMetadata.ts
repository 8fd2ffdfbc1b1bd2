import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Microsoft Graph's official v1.0 metadata (CSDL), as the slice checked in under test/fixtures/graph/:
 * the contract the simulator's shapes are checked against. Source: microsoftgraph/msgraph-metadata,
 * clean_v10_metadata/cleanMetadata.xml, commit f54f11b6; see test/fixtures/graph/README.md.
 */
export const graphMetadataFixturePath = fileURLToPath(
  new URL('../fixtures/graph/graph-v1.0-metadata.slice.csdl.xml', import.meta.url),
);

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const regenerate =
  'regenerate it with `node test/fixtures/graph/extractSlice.mjs <full Graph v1.0 CSDL>` (see test/fixtures/graph/README.md)';

/** The file as a reader of the repository knows it: relative to the repository root when inside it. */
function shown(path: string): string {
  const inside = relative(repoRoot, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

interface TypeDefinition {
  kind: 'entity' | 'complex';
  baseType: string | undefined;
  properties: Map<string, string>;
  navigation: Map<string, string>;
  open: boolean;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

type XmlNode = Record<string, unknown>;

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Edm primitives the checker knows, with what a JSON value of each looks like. */
const primitiveChecks: Record<string, (v: unknown) => boolean> = {
  'Edm.String': (v) => typeof v === 'string',
  'Edm.Boolean': (v) => typeof v === 'boolean',
  'Edm.Int32': (v) => Number.isInteger(v),
  'Edm.Int64': (v) => Number.isInteger(v),
  'Edm.Double': (v) => typeof v === 'number',
  'Edm.Guid': (v) => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v),
  'Edm.DateTimeOffset': (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  'Edm.Date': (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  'Edm.TimeOfDay': (v) => typeof v === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v),
};

export class GraphMetadata {
  readonly #types = new Map<string, TypeDefinition>();
  readonly #enums = new Map<string, Set<string>>();

  /** Where the metadata came from, for messages. */
  readonly source: string;

  /** Parses and validates CSDL text; every complaint starts with `source`. */
  constructor(xml: string, source = 'Graph metadata') {
    this.source = source;
    const invalid = (reason: string) => new Error(`${source}: not valid CSDL: ${reason}`);
    const text = xml.replace(/^\uFEFF/, '');
    const wellFormed = XMLValidator.validate(text);
    if (wellFormed !== true) {
      throw invalid(`not well-formed XML: ${wellFormed.err.msg} (line ${wellFormed.err.line})`);
    }
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text) as XmlNode;
    const edmx = parsed['edmx:Edmx'];
    if (!isNode(edmx)) throw invalid('the root element is not edmx:Edmx');
    const dataServices = edmx['edmx:DataServices'];
    if (!isNode(dataServices)) throw invalid('edmx:Edmx has no edmx:DataServices');
    const schemas = asArray(dataServices.Schema as XmlNode | XmlNode[]).filter(
      (schema) => isNode(schema) && schema.Namespace === 'microsoft.graph',
    );
    if (schemas.length !== 1) throw invalid(`expected one microsoft.graph Schema, found ${schemas.length}`);
    for (const schema of schemas) {
      for (const [tag, kind] of [
        ['EntityType', 'entity'],
        ['ComplexType', 'complex'],
      ] as const) {
        for (const type of asArray(schema[tag] as XmlNode | XmlNode[])) {
          if (!isNode(type) || typeof type.Name !== 'string') throw invalid(`${tag} without a Name`);
          const members = (children: unknown, what: string) =>
            new Map(
              asArray(children as XmlNode | XmlNode[]).map((p) => {
                if (!isNode(p) || typeof p.Name !== 'string' || typeof p.Type !== 'string') {
                  throw invalid(`${type.Name} has a ${what} without a Name and a Type`);
                }
                return [p.Name, p.Type] as const;
              }),
            );
          this.#types.set(type.Name, {
            kind,
            baseType: typeof type.BaseType === 'string' ? type.BaseType.replace(/^graph\./, '') : undefined,
            properties: members(type.Property, 'Property'),
            navigation: members(type.NavigationProperty, 'NavigationProperty'),
            open: type.OpenType === 'true',
          });
        }
      }
      for (const enumType of asArray(schema.EnumType as XmlNode | XmlNode[])) {
        if (!isNode(enumType) || typeof enumType.Name !== 'string') throw invalid('EnumType without a Name');
        this.#enums.set(
          enumType.Name,
          new Set(asArray(enumType.Member as XmlNode | XmlNode[]).map((m) => String(m.Name))),
        );
      }
    }
    if (![...this.#types.values()].some((type) => type.kind === 'entity')) {
      throw invalid('the microsoft.graph Schema has no EntityType');
    }
  }

  /**
   * Reads the metadata from `path` (the checked-in slice unless told otherwise). A file that is missing,
   * unreadable or not CSDL throws an error naming it: the contract tests fail, they never skip.
   */
  static load(path: string = graphMetadataFixturePath): GraphMetadata {
    const source = `Graph metadata fixture ${shown(path)}`;
    let xml: string;
    try {
      xml = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const problem = code === 'ENOENT' ? 'missing (ENOENT)' : `unreadable (${code})`;
      throw new Error(`${source}: ${problem}; ${regenerate}`, { cause: error });
    }
    return new GraphMetadata(xml, source);
  }

  /** What a declared type (`graph.` prefix optional) is here: undefined when this metadata lacks it. */
  kindOf(declared: string): 'entity' | 'complex' | 'enum' | 'primitive' | undefined {
    if (Object.hasOwn(primitiveChecks, declared)) return 'primitive';
    const name = declared.replace(/^graph\./, '');
    return this.#types.get(name)?.kind ?? (this.#enums.has(name) ? 'enum' : undefined);
  }

  /** Property name -> declared type, including everything inherited from base types. */
  propertiesOf(typeName: string): {
    properties: Map<string, string>;
    navigation: Map<string, string>;
    open: boolean;
  } {
    const properties = new Map<string, string>();
    const navigation = new Map<string, string>();
    let open = false;
    for (let name: string | undefined = typeName; name; ) {
      const type = this.#types.get(name);
      if (!type) throw new Error(`microsoft.graph.${name} is not in ${this.source}`);
      for (const [key, value] of type.properties) properties.set(key, value);
      for (const [key, value] of type.navigation) navigation.set(key, value);
      open ||= type.open;
      name = type.baseType;
    }
    return { properties, navigation, open };
  }

  /** Every way `value` breaks the declared type: unknown property names, wrong primitive types, unknown enum members. */
  violations(typeName: string, value: unknown, path = typeName): string[] {
    if (value === null || value === undefined) return [];
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
    const { properties, navigation, open } = this.propertiesOf(typeName);
    const problems: string[] = [];
    for (const [key, child] of Object.entries(value)) {
      if (key.startsWith('@odata.') || key === '@removed') continue;
      const declared = properties.get(key) ?? navigation.get(key);
      if (!declared) {
        // Open types (event, user) may carry dynamic properties in OData, but Graph never invents
        // any: a name the metadata lacks is a simulator mistake. Only property-less open types
        // (resourceData) are free-form.
        if (!open || properties.size > 0)
          problems.push(`${path}.${key}: not a property of microsoft.graph.${typeName}`);
        continue;
      }
      problems.push(...this.#checkValue(declared, child, `${path}.${key}`));
    }
    return problems;
  }

  #checkValue(declared: string, value: unknown, path: string): string[] {
    if (value === null || value === undefined) return [];
    const collection = /^Collection\((.+)\)$/.exec(declared);
    if (collection) {
      if (!Array.isArray(value)) return [`${path}: expected an array for ${declared}`];
      return value.flatMap((item, index) => this.#checkValue(collection[1] ?? '', item, `${path}[${index}]`));
    }
    const primitive = Object.hasOwn(primitiveChecks, declared) ? primitiveChecks[declared] : undefined;
    if (primitive) return primitive(value) ? [] : [`${path}: ${JSON.stringify(value)} is not ${declared}`];
    const typeName = declared.replace(/^graph\./, '');
    const members = this.#enums.get(typeName);
    if (members) {
      if (typeof value !== 'string') return [`${path}: expected a ${typeName} member`];
      return value.split(',').every((member) => members.has(member.trim()))
        ? []
        : [`${path}: '${value}' is not a member of ${typeName}`];
    }
    return this.violations(typeName, value, path);
  }
}
