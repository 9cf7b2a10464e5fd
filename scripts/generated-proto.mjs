// The tablestore SDK's generated protobuf module, as the code package ships it. The SDK (5.6.5) loads
// lib/protocol/tablestore_compiled_proto.js (`pbjs -t static-module` over its three .proto files, 2.6 MB, mostly
// JSDoc) on every cold start: it was the largest single part of each function's load. The code package ships that
// one file trimmed; the rest of the SDK stays exactly as npm installed it:
// - the two generated methods per message nothing calls unless asked by name (`verify` and `fromObject`) are
//   removed; the build refuses to ship when any other file of the SDK names them;
// - comments and whitespace are removed (esbuild, whitespace only: no identifier or syntax changes; the file is
//   strict-mode code of its own, so nothing about its mode changes).
// `toObject` and `toJSON` stay: `JSON.stringify` calls `toJSON` without naming it.
// - every message and enum of the three namespaces is made on first use: pbjs wraps each in an immediately invoked
//   function, which V8 compiles eagerly and every cold start ran, all 259 of them, for the handful of requests the
//   product sends. Each becomes a getter on its namespace that runs the very same function once, on first read,
//   and leaves the value in its place (a plain data property from then on).
// See docs/architecture.md ("Bundles") and test/unit/deploy/generated-proto.test.ts.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { transform } from 'esbuild';

/** The generated module, inside the tablestore package. */
export const GENERATED_PROTO = 'lib/protocol/tablestore_compiled_proto.js';

/** The generated static methods removed from every message. */
export const UNCALLED_METHODS = ['verify', 'fromObject'];

/** The helper the lazy module defines its types with (see {@link lazyTypes}). */
const LAZY_TYPE_HELPER = [
  '/** A type of the namespace made on first read, by the function pbjs wrote for it, then kept as a plain value. */',
  'function $lazyType(ns, name, make) {',
  '  var keep = function (value) {',
  '    Object.defineProperty(ns, name, { value: value, writable: true, enumerable: true, configurable: true });',
  '    return value;',
  '  };',
  '  Object.defineProperty(ns, name, {',
  '    enumerable: true,',
  '    configurable: true,',
  '    get: function () { return keep(make()); },',
  '    set: keep,',
  '  });',
  '}',
];

/**
 * The generated module with each type of a namespace (`<indent>proto.<Name> = (function() {` ...
 * `<indent>})();`, the namespace's direct children) defined by a getter that runs the same function on first read
 * (`$lazyType(proto, "<Name>", function() {` ... `});`); nested types stay inside their parent. Namespaces stay
 * eager: the SDK reads them on load. Throws when a type's end is not found or the helper's name is taken.
 * Returns the code and how many types became lazy.
 */
export function lazyTypes(source) {
  if (source.includes('$lazyType')) throw new Error(`${GENERATED_PROTO}: $lazyType is already defined`);
  const lines = source.split('\n');
  const open = /^(\s+)proto\.([A-Za-z_$][\w$]*) = \(function\(\) \{$/;
  const rootLine = lines.findIndex((line) => line.startsWith('var $root = '));
  if (rootLine === -1) throw new Error(`${GENERATED_PROTO}: no $root`);
  let types = 0;
  for (let i = 0; i < lines.length; i++) {
    const match = open.exec(lines[i]);
    if (!match) continue;
    const [, indent, name] = match;
    const end = lines.indexOf(`${indent}})();`, i + 1);
    if (end === -1) throw new Error(`${GENERATED_PROTO}: no end for the type ${name} at line ${i + 1}`);
    lines[i] = `${indent}$lazyType(proto, ${JSON.stringify(name)}, function() {`;
    lines[end] = `${indent}});`;
    types += 1;
  }
  lines.splice(rootLine + 1, 0, ...LAZY_TYPE_HELPER);
  return { code: lines.join('\n'), types };
}

/**
 * The generated module without {@link UNCALLED_METHODS}, then without comments and whitespace. Each method is a
 * block that pbjs writes as `<indent><Type>.<method> = function <method>(...) {` ... `<indent>};`; a block whose
 * end is not found stops the build. Returns the code and how many methods went.
 */
export async function trimGeneratedProto(source) {
  const lines = source.split('\n');
  const start = new RegExp(`^(\\s*)[A-Za-z_$][\\w$]*\\.(${UNCALLED_METHODS.join('|')}) = function \\2\\(`);
  const kept = [];
  let removed = 0;
  for (let i = 0; i < lines.length; i++) {
    const match = start.exec(lines[i]);
    if (!match) {
      kept.push(lines[i]);
      continue;
    }
    const end = lines.indexOf(`${match[1]}};`, i + 1);
    if (end === -1) throw new Error(`${GENERATED_PROTO}: no end for the ${match[2]} method at line ${i + 1}`);
    removed += 1;
    i = end;
  }
  const { code } = await transform(kept.join('\n'), { loader: 'js', minifyWhitespace: true, legalComments: 'none' });
  return { code, removed };
}

/** Files of the SDK other than the generated module that name one of {@link UNCALLED_METHODS}. */
export async function callersOfUncalledMethods(packageDir) {
  const callers = [];
  const call = new RegExp(`\\.(${UNCALLED_METHODS.join('|')})\\b`);
  for (const entry of await readdir(packageDir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(packageDir, file);
    if (relative === GENERATED_PROTO || relative.split(path.sep).includes('node_modules')) continue;
    if (call.test(await readFile(file, 'utf8'))) callers.push(relative);
  }
  return callers;
}

/**
 * Trim the generated module of the tablestore package shipped in `codeDir` and make its types lazy (see above).
 * Returns the bytes before and after, the methods removed and the types made lazy; throws when another file of the SDK names a removed method, or when no method was found.
 */
export async function trimShippedProto(codeDir) {
  const packageDir = path.join(codeDir, 'node_modules', 'tablestore');
  const callers = await callersOfUncalledMethods(packageDir);
  if (callers.length > 0) {
    throw new Error(`tablestore names ${UNCALLED_METHODS.join(' or ')} in ${callers.join(', ')}: ship it untrimmed`);
  }
  const file = path.join(packageDir, GENERATED_PROTO);
  const source = await readFile(file, 'utf8');
  const lazy = lazyTypes(source);
  if (lazy.types === 0) throw new Error(`${GENERATED_PROTO}: no type found to make lazy`);
  const { code, removed } = await trimGeneratedProto(lazy.code);
  if (removed === 0) throw new Error(`${GENERATED_PROTO}: no ${UNCALLED_METHODS.join(' or ')} method found`);
  await writeFile(file, code);
  return { before: Buffer.byteLength(source), after: Buffer.byteLength(code), removed, lazyTypes: lazy.types };
}
