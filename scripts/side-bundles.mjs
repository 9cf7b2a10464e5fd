// Packages that only the modules behind a lazy index require (scripts/lazy-index.mjs), shipped as bundles of
// their own. `@darabonba/typescript`'s date (moment), XML (xml2js with xmlbuilder and sax) and WebSocket support
// (ws, the proxy agents with socks and ip-address) are read by no RPC call with a JSON answer, yet inside a
// function's bundle Node compiled them on every load (about 0.3 MB of its 0.9 MB). Each is built here, with
// esbuild as the function bundles are (minified CommonJS for node20, the very code the bundle carried), into
// dist/<function>/node_modules/<package>/index.js, where the bundle's `require("<package>")` finds it on first
// use. Shipping them as npm installed them instead would have grown each code package by about 8 MB (moment's
// locales, xml2js' files) for code that is never loaded. See docs/architecture.md ("Bundles").
import { mkdir, writeFile } from 'node:fs/promises';
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
