import { readFile } from 'node:fs/promises';
import type { ConsoleAssets } from '../../console/consoleShell.js';

/** The console's built files from a folder (`dist/console`), read once and kept in memory. */
export class ConsoleFiles implements ConsoleAssets {
  readonly #folder: URL;
  readonly #cache = new Map<string, Uint8Array | undefined>();

  constructor(folder: URL) {
    this.#folder = folder;
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    if (this.#cache.has(path)) return this.#cache.get(path);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readFile(new URL(path, this.#folder));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      bytes = undefined;
    }
    this.#cache.set(path, bytes);
    return bytes;
  }
}
