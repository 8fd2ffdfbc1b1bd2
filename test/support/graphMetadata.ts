import { existsSync, readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/**
 * Microsoft Graph's official v1.0 metadata (CSDL), read from `../shared/graph/` beside the checkout:
 * the contract the simulator's shapes are checked against. Source: microsoftgraph/msgraph-metadata,
 * clean_v10_metadata/cleanMetadata.xml, commit f54f11b6.
 */
export const graphMetadataPath = new URL(
  '../../../shared/graph/graph-v1.0-metadata.csdl.xml',
  import.meta.url,
).pathname;
export const graphMetadataAvailable = existsSync(graphMetadataPath);

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

export class GraphMetadata {
  readonly #types = new Map<string, TypeDefinition>();
  readonly #enums = new Map<string, Set<string>>();

  constructor(xml: string) {
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as XmlNode;
    const dataServices = (parsed['edmx:Edmx'] as XmlNode)['edmx:DataServices'] as XmlNode;
    for (const schema of asArray(dataServices.Schema as XmlNode | XmlNode[])) {
      if (schema.Namespace !== 'microsoft.graph') continue;
      for (const [tag, kind] of [
        ['EntityType', 'entity'],
        ['ComplexType', 'complex'],
      ] as const) {
        for (const type of asArray(schema[tag] as XmlNode | XmlNode[])) {
          this.#types.set(String(type.Name), {
            kind,
            baseType: typeof type.BaseType === 'string' ? type.BaseType.replace(/^graph\./, '') : undefined,
            properties: new Map(
              asArray(type.Property as XmlNode | XmlNode[]).map((p) => [String(p.Name), String(p.Type)]),
            ),
            navigation: new Map(
              asArray(type.NavigationProperty as XmlNode | XmlNode[]).map((p) => [
                String(p.Name),
                String(p.Type),
              ]),
            ),
            open: type.OpenType === 'true',
          });
        }
      }
      for (const enumType of asArray(schema.EnumType as XmlNode | XmlNode[])) {
        this.#enums.set(
          String(enumType.Name),
          new Set(asArray(enumType.Member as XmlNode | XmlNode[]).map((m) => String(m.Name))),
        );
      }
    }
  }

  static load(): GraphMetadata {
    return new GraphMetadata(readFileSync(graphMetadataPath, 'utf8'));
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
      if (!type) throw new Error(`microsoft.graph.${name} is not in the metadata`);
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
    const checks: Record<string, (v: unknown) => boolean> = {
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
    const primitive = checks[declared];
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
