import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareSlice,
  contractTestPath,
  extractSlice,
  rootTypesOf,
  slicePath,
} from '../../fixtures/graph/extractSlice.mjs';
import { GraphMetadata, graphMetadataFixturePath } from '../../support/graphMetadata.js';

const scratch = mkdtempSync(join(tmpdir(), 'graph-metadata-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function loadError(path: string): Error {
  try {
    GraphMetadata.load(path);
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error(`expected GraphMetadata.load(${path}) to fail`);
}

function corrupt(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const envelope = (schema: string) =>
  `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
${schema}
  </edmx:DataServices>
</edmx:Edmx>
`;

/** A miniature "full" metadata file: annotations, unreachable types and another schema, like the real one. */
const miniature = `\uFEFF${envelope(`    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color">
        <Member Name="red" Value="0" />
        <Member Name="blue" Value="1" />
      </EnumType>
      <EnumType Name="unused">
        <Member Name="x" Value="0" />
      </EnumType>
      <ComplexType Name="paint">
        <Property Name="color" Type="graph.color" />
        <Property Name="layers" Type="Edm.Int32" />
      </ComplexType>
      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id" />
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="house" BaseType="graph.entity" OpenType="true">
        <Property Name="coats" Type="Collection(graph.paint)" />
        <NavigationProperty Name="garage" Type="graph.garage">
          <Annotation Term="Org.OData.Capabilities.V1.NavigationRestrictions">
            <Record>
              <PropertyValue Property="Navigability">
                <EnumMember>Org.OData.Capabilities.V1.NavigationType/None</EnumMember>
              </PropertyValue>
            </Record>
          </Annotation>
        </NavigationProperty>
        <Annotation Term="Org.OData.Core.V1.LongDescription" String="navigable" />
      </EntityType>
      <EntityType Name="garage" BaseType="graph.entity">
        <Property Name="doors" Type="Edm.Int32" />
      </EntityType>
      <EntityType Name="shed" BaseType="graph.entity">
        <Property Name="tool" Type="microsoft.graph.security.tool" />
      </EntityType>
    </Schema>
    <Schema Namespace="microsoft.graph.security" Alias="self" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="tool" />
    </Schema>`)}`;

describe('GraphMetadata.load', () => {
  it('when given no path, then it reads the fixture checked in under test/fixtures/graph/', () => {
    const metadata = GraphMetadata.load();

    expect(graphMetadataFixturePath).toBe(slicePath);
    expect(metadata.source).toBe(
      'Graph metadata fixture test/fixtures/graph/graph-v1.0-metadata.slice.csdl.xml',
    );
    expect(metadata.kindOf('event')).toBe('entity');
  });

  it('when the fixture is missing, then loading fails with an error naming the file', () => {
    const error = loadError(graphMetadataFixturePath.replace(/\.xml$/, '.gone.xml'));

    expect(error.message).toMatch(
      /^Graph metadata fixture test\/fixtures\/graph\/graph-v1\.0-metadata\.slice\.csdl\.gone\.xml: missing \(ENOENT\); regenerate it with/,
    );
  });

  it('when the path is a directory, then loading fails with an error naming it', () => {
    expect(loadError(scratch).message).toContain(`Graph metadata fixture ${scratch}: unreadable (EISDIR)`);
  });

  it.each([
    ['empty.xml', '', 'not well-formed XML'],
    [
      'truncated.xml',
      envelope('    <Schema Namespace="microsoft.graph">').slice(0, 120),
      'not well-formed XML',
    ],
    ['prose.xml', 'Graph metadata goes here', 'not well-formed XML'],
    ['html.xml', '<html><body>Not found</body></html>', 'the root element is not edmx:Edmx'],
    ['bare.xml', '<edmx:Edmx Version="4.0"></edmx:Edmx>', 'edmx:Edmx has no edmx:DataServices'],
    [
      'other-namespace.xml',
      envelope('    <Schema Namespace="microsoft.graph.security"><EntityType Name="alert" /></Schema>'),
      'expected one microsoft.graph Schema, found 0',
    ],
    [
      'no-entities.xml',
      envelope('    <Schema Namespace="microsoft.graph"><ComplexType Name="paint" /></Schema>'),
      'the microsoft.graph Schema has no EntityType',
    ],
    [
      'nameless.xml',
      envelope(
        '    <Schema Namespace="microsoft.graph"><EntityType><Property Type="Edm.String" /></EntityType></Schema>',
      ),
      'EntityType without a Name',
    ],
    [
      'untyped.xml',
      envelope(
        '    <Schema Namespace="microsoft.graph"><EntityType Name="e"><Property Name="p" /></EntityType></Schema>',
      ),
      'e has a Property without a Name and a Type',
    ],
  ])(
    'when the file is corrupt (%s), then loading fails naming the file and the problem',
    (name, text, problem) => {
      const path = corrupt(name, text);

      expect(loadError(path).message).toMatch(
        new RegExp(
          `^Graph metadata fixture ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid CSDL: `,
        ),
      );
      expect(loadError(path).message).toContain(problem);
    },
  );

  it('when a checked type is not in the metadata, then the error names the metadata file', () => {
    const metadata = new GraphMetadata(miniature, 'the miniature');

    expect(() => metadata.violations('calendar', {})).toThrow(
      'microsoft.graph.calendar is not in the miniature',
    );
    expect(() => metadata.violations('house', { garage: { doors: 2 } })).not.toThrow();
  });
});

describe('the checked-in Graph metadata slice', () => {
  const slice = readFileSync(slicePath, 'utf8');
  const roots = rootTypesOf(readFileSync(contractTestPath, 'utf8'));

  it('when the contract test is read, then the types it checks are found', () => {
    expect(roots).toEqual(
      expect.arrayContaining([
        'changeNotificationCollection',
        'event',
        'mailboxSettings',
        'subscription',
        'user',
      ]),
    );
  });

  it('when every type the contract test checks is followed through base types and properties, then the slice defines all of them', () => {
    const metadata = GraphMetadata.load();
    const missing: string[] = [];
    const seen = new Set<string>();
    const follow = (declared: string, from: string) => {
      const name = (/^Collection\((.+)\)$/.exec(declared)?.[1] ?? declared).replace(/^graph\./, '');
      const kind = metadata.kindOf(name);
      if (kind === undefined) missing.push(`${name} (from ${from})`);
      if ((kind !== 'entity' && kind !== 'complex') || seen.has(name)) return;
      seen.add(name);
      for (const [property, type] of metadata.propertiesOf(name).properties)
        follow(type, `${name}.${property}`);
    };
    for (const root of roots) follow(root, 'the contract test');

    expect(missing).toEqual([]);
  });

  it('when the slice is extracted from itself, then nothing changes (it is closed, complete and as generated)', () => {
    expect(extractSlice(slice, roots)).toBe(slice);
  });

  it('when the slice is compared with itself, then every type agrees', () => {
    const { problems, typeCount } = compareSlice(slice, slice);

    expect(problems).toEqual([]);
    expect(typeCount).toBeGreaterThanOrEqual(roots.length);
  });
});

describe('extractSlice', () => {
  it('when a slice is extracted, then it holds the roots and what their base types and properties reach, verbatim, in the source order', () => {
    const extracted = extractSlice(miniature, ['house']);

    expect(extracted).toContain(
      `    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color">
        <Member Name="red" Value="0" />
        <Member Name="blue" Value="1" />
      </EnumType>
      <ComplexType Name="paint">
        <Property Name="color" Type="graph.color" />
        <Property Name="layers" Type="Edm.Int32" />
      </ComplexType>
      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id" />
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="house" BaseType="graph.entity" OpenType="true">
        <Property Name="coats" Type="Collection(graph.paint)" />
        <NavigationProperty Name="garage" Type="graph.garage" />
      </EntityType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`,
    );
    expect(extracted).toMatch(/^<!--\n[\s\S]*Roots: house\.\n-->\n<edmx:Edmx Version="4\.0"/);
    expect(new GraphMetadata(extracted).propertiesOf('house').properties).toEqual(
      new Map([
        ['id', 'Edm.String'],
        ['coats', 'Collection(graph.paint)'],
      ]),
    );
  });

  it('when the slice agrees with the full file, then the comparison finds nothing; when a type differs, it is named', () => {
    const extracted = extractSlice(miniature, ['house']);

    expect(compareSlice(miniature, extracted)).toEqual({ problems: [], typeCount: 4 });
    expect(
      compareSlice(miniature, extracted.replace('Name="layers" Type="Edm.Int32"', 'Name="layers"')),
    ).toEqual({
      problems: ['paint: differs from the full metadata'],
      typeCount: 4,
    });
    expect(
      compareSlice(miniature, extracted.replace('<EnumType Name="color">', '<EnumType Name="colour">'))
        .problems,
    ).toEqual(['colour: not in the full metadata']);
  });

  it('when a root is unknown or reaches outside the microsoft.graph schema, then extraction fails', () => {
    expect(() => extractSlice(miniature, ['castle'])).toThrow(
      'microsoft.graph.castle is not in the metadata',
    );
    expect(() => extractSlice(miniature, ['shed'])).toThrow(
      'shed refers to microsoft.graph.security.tool, outside the microsoft.graph schema',
    );
  });

  it('when the contract test names types, then those are the roots', () => {
    expect(
      rootTypesOf(`metadata.violations('event', x); metadata.violations(
        'user', y); metadata.propertiesOf("domain"); metadata.violations('event', z);`),
    ).toEqual(['domain', 'event', 'user']);
  });
});
