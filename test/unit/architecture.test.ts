import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering rules of STYLE.md, checked on the import statements of every source file:
// SDKs only in their adapters, nothing deployed depends on dev/, function files stay free of SDKs.
const root = new URL('../../', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [
    ...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm),
  ].map((match) => match[1] ?? match[2] ?? '');
}

/** Which files may import each SDK: its adapter, and the hosting glue for @azure/functions. */
const sdkHomes: Record<string, RegExp> = {
  '@azure/cosmos': /^shared\/adapters\/cosmos\//,
  '@azure/service-bus': /^shared\/(adapters\/serviceBus\/|hosting\/azureFunctionsHost\.ts$)/,
  '@azure/keyvault-keys': /^shared\/adapters\/keyVault\//,
  '@azure/identity': /^shared\/(composition\.ts$|adapters\/)/,
  '@azure/core-rest-pipeline': /^shared\/adapters\/keyVault\//,
  '@azure/msal-node': /^shared\/adapters\/graph\//,
  '@microsoft/microsoft-graph-client': /^shared\/adapters\/graph\//,
};

const deployed = [...sourceFiles('functions'), ...sourceFiles('shared')];

describe('architecture', () => {
  it('when a deployed file imports an SDK, then it is that SDK’s adapter', () => {
    const offenders = deployed.flatMap((file) =>
      importsOf(file)
        .filter(
          (specifier) =>
            specifier in sdkHomes && !sdkHomes[specifier]?.test(relative(root, join(root, file))),
        )
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('when deployed code imports, then never from dev/, test/ or bench/', () => {
    const offenders = deployed.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => /(^|\/)(dev|test|bench)\//.test(specifier))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('when a function file imports, then only shared/ code, types and its siblings', () => {
    const offenders = sourceFiles('functions').flatMap((file) =>
      importsOf(file)
        .filter(
          (specifier) => !specifier.startsWith('.') && specifier !== '@azure/functions-extensions-servicebus',
        )
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });
});
