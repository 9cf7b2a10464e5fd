// Bundles each Function Compute entry point (functions/<name>/index.ts) into dist/<name>/index.js with esbuild:
// one CommonJS file per function, so FC's nodejs20 runtime loads it as `index.handler`. dist/<name> is the
// function's whole code package (s.yaml `code: ./dist/<name>`).
//
// dist/bundles.json tells what each bundle is made of (bytes per package, largest first), outside every code
// package: the cold-start benchmark names the largest parts of a bundle that misses its budget.
//
// Packages in UNBUNDLED stay outside the bundle: the bundle `require`s them, and their production dependency
// closure is copied, as npm installed it, into dist/<name>/node_modules, except the tablestore SDK's generated
// protobuf module, shipped trimmed (scripts/generated-proto.mjs). Indexes in LAZY_INDEXES are bundled as lazy
// re-exports (scripts/lazy-index.mjs); the packages only their modules require (SIDE_BUNDLED) are each built into a
// bundle of their own beside the function's (scripts/side-bundles.mjs). See docs/architecture.md ("Bundles").
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { shipPackages } from './code-package.mjs';
import { GENERATED_PROTO, REST_FILE, trimShippedProto } from './generated-proto.mjs';
import { lazyIndexPlugin } from './lazy-index.mjs';
import { buildSideBundle, bundleShippedPackage, NODE20_BUNDLE, SIDE_BUNDLED } from './side-bundles.mjs';

/**
 * Packages kept outside the bundles, shipped beside them. The tablestore SDK must not run in the bundle's strict
 * mode: it assigns undeclared loop variables (sloppy-mode code), which throws `ReferenceError` once esbuild's
 * `"use strict"` covers it. Tencent Cloud's SDKs are loaded on first use (shared/tencentcloud/sdk.ts): outside the
 * bundle, a function that never calls Tencent never compiles them.
 */
export const UNBUNDLED = ['tablestore', 'tencentcloud-sdk-nodejs-common', 'tencentcloud-sdk-nodejs-sts'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const functionsDir = path.join(root, 'functions');

const names = [];
for (const entry of await readdir(functionsDir, { withFileTypes: true })) {
  if (entry.isDirectory()) names.push(entry.name);
}

/** Bytes of every file under `dir`. */
async function sizeOf(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Bytes of a bundle's output per package (`shared/...` and `functions/...` for the project's own code), largest first. */
function composition(metafile) {
  const bytes = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
      bytes[pkg] = (bytes[pkg] ?? 0) + input.bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(bytes).sort((a, b) => b[1] - a[1]));
}

/** The packages of `among` a bundle's output really requires (from esbuild's metafile). */
function requiredPackages(metafile, among) {
  const used = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      const name = among.find((p) => imported.path === p || imported.path.startsWith(`${p}/`));
      if (name) used.add(name);
    }
  }
  return [...used].sort();
}

const results = [];
for (const name of names.sort()) {
  const codeDir = path.join(root, 'dist', name);
  await rm(codeDir, { recursive: true, force: true });
  const outfile = path.join(codeDir, 'index.js');
  const { metafile } = await build({
    entryPoints: [path.join(functionsDir, name, 'index.ts')],
    outfile,
    ...NODE20_BUNDLE,
    sourcemap: false,
    logLevel: 'warning',
    external: [...UNBUNDLED, ...SIDE_BUNDLED],
    plugins: [lazyIndexPlugin(root)],
    metafile: true,
  });
  await writeFile(path.join(codeDir, 'package.json'), '{"type":"commonjs"}\n');
  const requires = requiredPackages(metafile, UNBUNDLED);
  const shipped = await shipPackages(root, codeDir, requires);
  if (requires.includes('tablestore')) {
    await trimShippedProto(codeDir);
    await bundleShippedPackage(codeDir, 'tablestore', [path.join(path.dirname(GENERATED_PROTO), REST_FILE)]);
  }
  const sideBundled = requiredPackages(metafile, SIDE_BUNDLED);
  for (const pkg of sideBundled) await buildSideBundle(root, codeDir, pkg);
  results.push({
    name,
    bundle: (await stat(outfile)).size,
    total: await sizeOf(codeDir),
    shipped,
    requires,
    sideBundled,
    composition: composition(metafile),
  });
}
await writeFile(
  path.join(root, 'dist', 'bundles.json'),
  `${JSON.stringify(
    Object.fromEntries(
      results.map((r) => [
        r.name,
        { bytes: r.bundle, requires: r.requires, sideBundled: r.sideBundled, composition: r.composition },
      ]),
    ),
    null,
    2,
  )}\n`,
);
for (const r of results) {
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  const extra = r.shipped.length ? `, code package ${kib(r.total)} with node_modules: ${r.shipped.join(' ')}` : '';
  const side = r.sideBundled.length ? `; side bundles: ${r.sideBundled.join(' ')}` : '';
  console.log(`dist/${r.name}/index.js  ${kib(r.bundle)}${extra}${side}`);
}
