// Builds the admin console into dist/console: one bundled, minified script (esbuild), the shell,
// the style sheet and Swagger UI's files, all served by the function app itself (no CDN).
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const source = new URL('./', import.meta.url);
const out = new URL('../dist/console/', import.meta.url);
const swagger = new URL('../node_modules/swagger-ui-dist/', import.meta.url);

await mkdir(new URL('swagger/', out), { recursive: true });
await build({
  entryPoints: [new URL('main.ts', source).pathname],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: new URL('console.js', out).pathname,
  logLevel: 'warning',
});
await copyFile(new URL('index.html', source), new URL('index.html', out));
await copyFile(new URL('console.css', source), new URL('console.css', out));
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css'])
  await copyFile(new URL(file, swagger), new URL(`swagger/${file}`, out));
