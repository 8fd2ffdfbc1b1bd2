import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, type Node, Parser } from 'web-tree-sitter';

/**
 * Bicep read offline: the tree-sitter-bicep grammar (its WebAssembly build, so no compiler or native
 * addon is needed) under web-tree-sitter, plus a small evaluator for the literal parts of a template
 * (strings, numbers, objects, arrays, variables, loops). The Bicep CLI cannot be installed here, so
 * this checks syntax and our own rules, not Azure's types.
 */

/** A value the evaluator could not reduce to a literal (a parameter, a resource property, a call). */
export class BicepExpression {
  constructor(readonly text: string) {}
}

export type BicepValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | BicepExpression
  | BicepValue[]
  | { [key: string]: BicepValue };

export interface BicepFile {
  /** Path relative to the bicep/ folder, with forward slashes. */
  readonly path: string;
  readonly source: string;
  readonly root: Node;
  /** `extension <alias>` statements (aliases defined in bicepconfig.json), in order. */
  readonly extensions: readonly string[];
}

export interface BicepResource {
  readonly file: BicepFile;
  /** The symbolic name, e.g. `storage`. */
  readonly symbol: string;
  /** e.g. `Microsoft.Storage/storageAccounts`. */
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  readonly node: Node;
  /** The resource body, once per loop item (once when the resource has no loop). */
  readonly instances: readonly BicepInstance[];
}

export interface BicepInstance {
  /** The body's syntax node. */
  readonly body: Node;
  /** The body evaluated with the loop variable bound to this item. */
  readonly value: { [key: string]: BicepValue };
}

const bicepFolder = new URL('../../bicep/', import.meta.url);

/** The templates as they are on disk, by path relative to bicep/. */
export function readBicepSources(): Map<string, string> {
  const root = fileURLToPath(bicepFolder);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.bicep'))
    .sort();
  return new Map(files.map((name) => [name.split(sep).join('/'), readFileSync(join(root, name), 'utf8')]));
}

let parserPromise: Promise<Parser> | undefined;

async function createParser(): Promise<Parser> {
  const require = createRequire(import.meta.url);
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** Parses every source; the grammar's WebAssembly is loaded once per process. */
export async function parseBicep(sources: ReadonlyMap<string, string>): Promise<BicepFile[]> {
  parserPromise ??= createParser();
  const parser = await parserPromise;
  return [...sources].map(([path, source]) => {
    const { parsable, extensions } = withoutExtensionStatements(source);
    const tree = parser.parse(parsable);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
    return { path, source, root: tree.rootNode, extensions };
  });
}

/** `extension <alias>` on a line of its own: the form that names an alias of bicepconfig.json. */
const extensionStatement = /^extension[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*$/gm;

/**
 * tree-sitter-bicep 1.1.0 predates Bicep's `extension` statement (it knows only the retired
 * `import`), so each well-formed `extension <alias>` line is read here and blanked (same length,
 * so positions hold) before parsing. Any other form stays in and fails the `parses` rule.
 */
function withoutExtensionStatements(source: string): { parsable: string; extensions: string[] } {
  const extensions: string[] = [];
  const parsable = source.replace(extensionStatement, (line, alias: string) => {
    extensions.push(alias);
    return ' '.repeat(line.length);
  });
  return { parsable, extensions };
}

/** Syntax errors: ERROR nodes and tokens the parser had to invent (MISSING). */
export function syntaxErrors(file: BicepFile): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      found.push({
        line: node.startPosition.row + 1,
        text: node.isMissing ? `missing ${node.type}` : node.text,
      });
      return;
    }
    for (const child of node.children) visit(child);
  };
  visit(file.root);
  return found;
}

/** The source with every comment blanked out (line numbers kept). */
export function withoutComments(file: BicepFile): string {
  let text = file.source;
  for (const comment of file.root.descendantsOfType('comment')) {
    text =
      text.slice(0, comment.startIndex) + comment.text.replace(/[^\n]/g, ' ') + text.slice(comment.endIndex);
  }
  return text;
}

/** `var` declarations of a file, by name. */
export function variables(file: BicepFile): Map<string, Node> {
  const found = new Map<string, Node>();
  for (const declaration of file.root.namedChildren.filter((n) => n.type === 'variable_declaration')) {
    const [name, value] = declaration.namedChildren;
    if (name && value) found.set(name.text, value);
  }
  return found;
}

/** The comment lines right above a declaration, joined. */
export function leadingComment(declaration: Node): string {
  const lines: string[] = [];
  let previous = declaration.previousNamedSibling;
  let expectedEndRow = declaration.startPosition.row - 1;
  while (previous?.type === 'comment' && previous.endPosition.row === expectedEndRow) {
    lines.unshift(previous.text.replace(/^\/\/\s?/, ''));
    expectedEndRow = previous.startPosition.row - 1;
    previous = previous.previousNamedSibling;
  }
  return lines.join(' ');
}

export function stringValue(node: Node): string | undefined {
  const value = evaluate(node, new Map(), new Map());
  return typeof value === 'string' ? value : undefined;
}

/** Every resource declaration of the files, with its bodies evaluated. */
export function resources(files: readonly BicepFile[]): BicepResource[] {
  return files.flatMap((file) => {
    const vars = variables(file);
    return file.root.namedChildren
      .filter((node) => node.type === 'resource_declaration')
      .map((node): BicepResource => {
        const [symbol, typeNode] = node.namedChildren;
        const [type = '', apiVersion = ''] = (typeNode ? (stringValue(typeNode) ?? '') : '').split('@');
        const value = node.namedChildren.at(-1);
        return {
          file,
          symbol: symbol?.text ?? '',
          type,
          apiVersion,
          existing: node.children.some((child) => child.type === 'existing'),
          node,
          instances: value ? instancesOf(value, vars) : [],
        };
      });
  });
}

function instancesOf(value: Node, vars: Map<string, Node>): BicepInstance[] {
  if (value.type === 'object') return [{ body: value, value: asObject(evaluate(value, vars, new Map())) }];
  if (value.type === 'if_statement') {
    const body = value.namedChildren.at(-1);
    return body ? instancesOf(body, vars) : [];
  }
  if (value.type === 'for_statement') {
    const body = value.childForFieldName('body');
    const parts = value.namedChildren.filter((n) => n !== body);
    // `for item in items:` or `for (item, index) in items:`
    const variable =
      parts[0]?.type === 'for_loop_parameters' ? parts[0].namedChildren[0]?.text : parts[0]?.text;
    const iterable = parts[1];
    if (!body || !variable || !iterable) return [];
    const items = evaluate(iterable, vars, new Map());
    if (!Array.isArray(items)) return [];
    return items.map((item) => ({
      body,
      value: asObject(evaluate(body, vars, new Map([[variable, item]]))),
    }));
  }
  return [];
}

function asObject(value: BicepValue): { [key: string]: BicepValue } {
  return typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof BicepExpression)
    ? value
    : {};
}

/** The key of an object property: an identifier or a quoted string. */
export function propertyKey(property: Node): string {
  const key = property.namedChildren[0];
  if (!key) return '';
  return key.type === 'string' ? (stringValue(key) ?? key.text) : key.text;
}

/** The value node of a property of an object literal. */
export function propertyNode(object: Node, key: string): Node | undefined {
  const property = object.namedChildren.find((n) => n.type === 'object_property' && propertyKey(n) === key);
  return property?.namedChildren.at(-1) ?? undefined;
}

const escapes: Record<string, string> = {
  "\\'": "'",
  '\\\\': '\\',
  '\\n': '\n',
  '\\r': '\r',
  '\\t': '\t',
  '\\$': '$',
};

/**
 * Reduces a node to a literal where it can: literals, variables of the same file, loop variables,
 * member access into those. Anything else becomes a BicepExpression holding its text.
 */
export function evaluate(node: Node, vars: Map<string, Node>, scope: Map<string, BicepValue>): BicepValue {
  switch (node.type) {
    case 'string': {
      let text = '';
      for (const part of node.namedChildren) {
        if (part.type === 'string_content') text += part.text;
        else if (part.type === 'escape_sequence') text += escapes[part.text] ?? part.text;
        else if (part.type === 'interpolation') {
          const inner = part.namedChildren[0];
          const value = inner ? evaluate(inner, vars, scope) : undefined;
          if (typeof value !== 'string' && typeof value !== 'number') return new BicepExpression(node.text);
          text += String(value);
        }
      }
      return text;
    }
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    case 'array':
      return node.namedChildren.filter((n) => n.type !== 'comment').map((n) => evaluate(n, vars, scope));
    case 'object':
      return Object.fromEntries(
        node.namedChildren
          .filter((n) => n.type === 'object_property')
          .map((property) => {
            const value = property.namedChildren.at(-1);
            return [propertyKey(property), value ? evaluate(value, vars, scope) : undefined];
          }),
      );
    case 'identifier': {
      if (scope.has(node.text)) return scope.get(node.text);
      const declared = vars.get(node.text);
      return declared ? evaluate(declared, vars, scope) : new BicepExpression(node.text);
    }
    case 'member_expression': {
      const object = node.childForFieldName('object');
      const property = node.childForFieldName('property');
      const target = object ? evaluate(object, vars, scope) : undefined;
      const fields = asObject(target);
      if (!property || target instanceof BicepExpression || target !== fields)
        return new BicepExpression(node.text);
      return fields[property.text];
    }
    case 'unary_expression': {
      const operand = node.namedChildren[0];
      const value = operand ? evaluate(operand, vars, scope) : undefined;
      return node.text.startsWith('-') && typeof value === 'number' ? -value : new BicepExpression(node.text);
    }
    default:
      return new BicepExpression(node.text);
  }
}
