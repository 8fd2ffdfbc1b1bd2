import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import extractTsConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

// The layering rules live in .dependency-cruiser.cjs (STYLE.md: enforced by a tool, not by hope);
// these tests run them over the real tree, and over a small made-up tree to show each kind of
// break is caught.
const root = new URL('../../', import.meta.url).pathname;
const configuration = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as IConfiguration;

async function violationsIn(baseDir: string, folders: string[]): Promise<string[]> {
  const tsConfig = extractTsConfig(join(root, 'tsconfig.json'));
  const result = await cruise(
    folders,
    {
      baseDir,
      validate: true,
      ruleSet: configuration,
      ...configuration.options,
      tsConfig: { fileName: join(root, 'tsconfig.json') },
    },
    undefined,
    { tsConfig },
  );
  const output = result.output as ICruiseResult;
  return output.summary.violations.map(
    (violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`,
  );
}

describe('architecture', () => {
  it('when the deployed code and the local stack are cruised, then no layering rule is broken', async () => {
    expect(await violationsIn(root, ['shared', 'functions', 'dev'])).toEqual([]);
    // Cruising the whole tree takes a few seconds on a shared, busy machine.
  }, 30_000);

  it('when a use case imports an adapter, an SDK or dev/, then the rules name each break', async () => {
    const probe = await mkdtemp(join(tmpdir(), 'layering-probe-'));
    const files: Record<string, string> = {
      'shared/meetings/useCase.ts':
        "import { store } from '../adapters/cosmos/store.js';\nimport { CosmosClient } from '@azure/cosmos';\nexport const use = [store, CosmosClient];\n",
      'shared/adapters/cosmos/store.ts':
        "import { graph } from '../graph/client.js';\nexport const store = graph;\n",
      'shared/adapters/graph/client.ts': 'export const graph = 1;\n',
      'functions/handler.ts':
        "import { store } from '../shared/adapters/cosmos/store.js';\nimport { twin } from '../dev/twin.js';\nexport const handler = [store, twin];\n",
      'dev/twin.ts': 'export const twin = 2;\n',
    };
    try {
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(probe, path)), { recursive: true });
        await writeFile(join(probe, path), text);
      }
      await writeFile(join(probe, 'package.json'), '{"type":"module"}');
      // The real packages, so that an SDK import resolves and is judged as one.
      await symlink(join(root, 'node_modules'), join(probe, 'node_modules'), 'dir');

      const broken = await violationsIn(probe, ['shared', 'functions', 'dev']);

      expect(broken).toEqual(
        expect.arrayContaining([
          'domain-imports-no-adapter: shared/meetings/useCase.ts → shared/adapters/cosmos/store.ts',
          expect.stringMatching(/^domain-imports-no-sdk: shared\/meetings\/useCase\.ts → /),
          'adapter-imports-no-other-adapter: shared/adapters/cosmos/store.ts → shared/adapters/graph/client.ts',
          'functions-import-use-cases-and-hosting-only: functions/handler.ts → shared/adapters/cosmos/store.ts',
          'deployed-code-imports-no-dev-test-bench: functions/handler.ts → dev/twin.ts',
        ]),
      );
    } finally {
      await rm(probe, { recursive: true, force: true });
    }
  });
});
