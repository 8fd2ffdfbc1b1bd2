import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConsoleFiles } from '../../shared/adapters/files/consoleFiles.js';

// The console's built files from a real folder: the anonymous console route must not let requests
// for files that do not exist grow memory.
async function builtConsole(): Promise<{ folder: string; files: ConsoleFiles }> {
  const folder = await mkdtemp(join(tmpdir(), 'console-'));
  await mkdir(join(folder, 'assets'));
  await writeFile(join(folder, 'index.html'), '<!doctype html>');
  await writeFile(join(folder, 'assets', 'app.js'), 'console.log(1)');
  return { folder, files: new ConsoleFiles(pathToFileURL(`${folder}/`)) };
}

describe('console files', () => {
  it('when a built file is asked for, then its bytes are served, nested ones too', async () => {
    const { files } = await builtConsole();

    expect(Buffer.from((await files.read('index.html')) ?? []).toString()).toBe('<!doctype html>');
    expect(Buffer.from((await files.read('assets/app.js')) ?? []).toString()).toBe('console.log(1)');
  });

  it('when many files that do not exist are asked for, then none is found and nothing of them is kept', async () => {
    const { files } = await builtConsole();
    await files.read('index.html');

    for (let index = 0; index < 2_000; index += 1)
      expect(await files.read(`assets/missing-${index}.js`)).toBeUndefined();

    expect(files.cachedFiles).toBe(1);
  });

  it('when a file appears after the list was read, then it is not served: the build is read once', async () => {
    const { folder, files } = await builtConsole();
    await files.read('index.html');
    await writeFile(join(folder, 'late.js'), 'late');

    expect(await files.read('late.js')).toBeUndefined();
  });

  it('when the console is not built, then every file is missing', async () => {
    const files = new ConsoleFiles(pathToFileURL(join(tmpdir(), 'no-such-console-build/')));

    expect(await files.read('index.html')).toBeUndefined();
  });
});
