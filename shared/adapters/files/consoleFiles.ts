import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleAssets } from '../../console/consoleShell.js';

/**
 * The console's built files from a folder (`dist/console`). The list of files is read once, on the
 * first request; only listed files are read, each once, and kept in memory. Requests for anything
 * else (the route is anonymous) are answered from the list and leave nothing behind, so memory is
 * bounded by the build's size.
 */
export class ConsoleFiles implements ConsoleAssets {
  readonly #folder: URL;
  #listing: Promise<ReadonlySet<string>> | undefined;
  readonly #cache = new Map<string, Uint8Array>();

  constructor(folder: URL) {
    this.#folder = folder;
  }

  /** How many files are kept in memory: at most the build's. */
  get cachedFiles(): number {
    return this.#cache.size;
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const cached = this.#cache.get(path);
    if (cached) return cached;
    if (!(await this.#files()).has(path)) return undefined;
    const bytes = await readFile(new URL(path, this.#folder));
    this.#cache.set(path, bytes);
    return bytes;
  }

  #files(): Promise<ReadonlySet<string>> {
    this.#listing ??= listFiles(this.#folder).catch((error: unknown) => {
      this.#listing = undefined;
      throw error;
    });
    return this.#listing;
  }
}

/** Every file under the folder, as a `/`-separated path relative to it; none when it is not built. */
async function listFiles(folder: URL): Promise<ReadonlySet<string>> {
  try {
    const root = fileURLToPath(folder);
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return new Set(
      entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/')),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}
