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

/** The packages shipped as side bundles, each only required by a lazily evaluated module. */
export const SIDE_BUNDLED = ['moment', 'xml2js', 'ws', 'http-proxy-agent', 'https-proxy-agent', 'socks-proxy-agent'];

/** Build `pkg` (resolved from `root`) into `<codeDir>/node_modules/<pkg>/index.js`; returns its size in bytes. */
export async function buildSideBundle(root, codeDir, pkg) {
  const dir = path.join(codeDir, 'node_modules', pkg);
  await mkdir(dir, { recursive: true });
  const outfile = path.join(dir, 'index.js');
  const { metafile } = await build({
    entryPoints: [createRequire(path.join(root, 'package.json')).resolve(pkg)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
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
 * for `long` by an `eval`ed require, which resolves from there). Returns the bundle's size in bytes.
 */
export async function bundleShippedPackage(codeDir, pkg) {
  const dir = path.join(codeDir, 'node_modules', pkg);
  const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const bundled = path.join(codeDir, `${pkg}.bundle.js`);
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
  });
  const license = path.join(codeDir, `${pkg}.LICENSE`);
  await rename(path.join(dir, 'LICENSE'), license).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await rename(bundled, path.join(dir, 'index.js'));
  await rename(license, path.join(dir, 'LICENSE')).catch(() => undefined);
  const { name, version } = manifest;
  await writeFile(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name, version, license: manifest.license, private: true, main: 'index.js' })}\n`,
  );
  return Object.values(metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}
