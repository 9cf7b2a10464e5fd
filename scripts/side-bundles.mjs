// Packages that only the modules behind a lazy index require (scripts/lazy-index.mjs), shipped as bundles of
// their own. `@darabonba/typescript`'s date (moment), XML (xml2js with xmlbuilder and sax) and WebSocket support
// (ws, the proxy agents with socks and ip-address) are read by no RPC call with a JSON answer, yet inside a
// function's bundle Node compiled them on every load (about 0.3 MB of its 0.9 MB). Each is built here, with
// esbuild as the function bundles are (minified CommonJS for node20, the very code the bundle carried), into
// dist/<function>/node_modules/<package>/index.js, where the bundle's `require("<package>")` finds it on first
// use. Shipping them as npm installed them instead would have grown each code package by about 8 MB (moment's
// locales, xml2js' files) for code that is never loaded. See docs/architecture.md ("Bundles").
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * How every bundle of a code package is built (the function bundles, the side bundles, the bench's workers):
 * minified CommonJS for FC's nodejs20 runtime, so a side bundle holds the very code the function bundle carried.
 */
export const NODE20_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
};

/** The packages shipped as side bundles, each only required by a lazily evaluated module. */
export const SIDE_BUNDLED = [
  '@alicloud/credentials',
  'lodash',
  'moment',
  'xml2js',
  'ws',
  'http-proxy-agent',
  'https-proxy-agent',
  'socks-proxy-agent',
];

/** Build `pkg` (resolved from `root`) into `<codeDir>/node_modules/<pkg>/index.js`; returns its size in bytes. */
export async function buildSideBundle(root, codeDir, pkg) {
  const dir = path.join(codeDir, 'node_modules', pkg);
  await mkdir(dir, { recursive: true });
  const outfile = path.join(dir, 'index.js');
  const { metafile } = await build({
    entryPoints: [createRequire(path.join(root, 'package.json')).resolve(pkg)],
    outfile,
    ...NODE20_BUNDLE,
    logLevel: 'warning',
    metafile: true,
  });
  await writeFile(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: pkg, private: true, main: 'index.js' })}\n`,
  );
  return Object.values(metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}

/**
 * Replace the package `pkg` shipped in `<codeDir>/node_modules` (as npm installed it, see scripts/code-package.mjs)
 * by one file bundling it with its dependencies: the tablestore SDK's load was about 48 files found, read and
 * compiled one by one, a third of each function's cold start. esbuild only concatenates the modules, each in its
 * own function with its own mode (the SDK's sloppy-mode files stay sloppy: the bundle adds no `"use strict"`),
 * and removes whitespace; no name or syntax is changed. The dependencies stay shipped beside it (protobufjs asks
 * for `long` by an `eval`ed require, which resolves from there). The files of `besides` (paths inside the
 * package) stay out of the bundle, where they were: a module of it that requires one by a relative path gets it
 * from there, on first use. Returns the bundle's size in bytes.
 */
export async function bundleShippedPackage(codeDir, pkg, besides = []) {
  const dir = path.join(codeDir, 'node_modules', pkg);
  const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const bundled = path.join(codeDir, `${pkg}.bundle.js`);
  const kept = new Set(besides.map((file) => path.join(dir, file)));
  const { metafile } = await build({
    entryPoints: [createRequire(path.join(codeDir, 'index.js')).resolve(pkg)],
    outfile: bundled,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'error',
    metafile: true,
    plugins: [
      {
        name: 'besides-the-bundle',
        setup(b) {
          b.onResolve({ filter: /^\.\.?\// }, (args) => {
            const file = path.resolve(args.resolveDir, args.path);
            // From the bundle (the package's index.js), the same file by its path inside the package.
            return kept.has(file)
              ? { path: `./${path.relative(dir, file).split(path.sep).join('/')}`, external: true }
              : undefined;
          });
        },
      },
    ],
  });
  const aside = path.join(codeDir, `${pkg}.besides`);
  await rm(aside, { recursive: true, force: true });
  for (const file of ['LICENSE', ...besides]) {
    await mkdir(path.dirname(path.join(aside, file)), { recursive: true });
    await rename(path.join(dir, file), path.join(aside, file)).catch((error) => {
      if (file !== 'LICENSE') throw error;
    });
  }
  await rm(dir, { recursive: true, force: true });
  await rename(aside, dir);
  await rename(bundled, path.join(dir, 'index.js'));
  const { name, version } = manifest;
  await writeFile(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name, version, license: manifest.license, private: true, main: 'index.js' })}\n`,
  );
  return Object.values(metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}
