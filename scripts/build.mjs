// Bundles each Function Compute entry point (functions/<name>/index.ts) into dist/<name>/index.js with esbuild:
// one self-contained CommonJS file per function, so FC's nodejs20 runtime loads it as `index.handler`.
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const functionsDir = path.join(root, 'functions');

const names = [];
for (const entry of await readdir(functionsDir, { withFileTypes: true })) {
  if (entry.isDirectory()) names.push(entry.name);
}

const results = [];
for (const name of names.sort()) {
  const outfile = path.join(root, 'dist', name, 'index.js');
  await build({
    entryPoints: [path.join(functionsDir, name, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await writeFile(path.join(root, 'dist', name, 'package.json'), '{"type":"commonjs"}\n');
  results.push({ name, bytes: (await stat(outfile)).size });
}
for (const r of results) console.log(`dist/${r.name}/index.js  ${(r.bytes / 1024).toFixed(0)} KiB`);
