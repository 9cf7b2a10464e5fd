// The tablestore SDK's generated protobuf module, as the code package ships it. The SDK (5.6.5) loads
// lib/protocol/tablestore_compiled_proto.js (`pbjs -t static-module` over its three .proto files, 2.6 MB, mostly
// JSDoc) on every cold start: it was the largest single part of each function's load. The code package ships that
// one file trimmed; the rest of the SDK stays exactly as npm installed it:
// - the two generated methods per message nothing calls unless asked by name (`verify` and `fromObject`) are
//   removed; the build refuses to ship when any other file of the SDK names them;
// - comments and whitespace are removed (esbuild, whitespace only: no identifier or syntax changes; the file is
//   strict-mode code of its own, so nothing about its mode changes).
// `toObject` and `toJSON` stay: `JSON.stringify` calls `toJSON` without naming it.
// See docs/architecture.md ("Bundles") and test/unit/deploy/generated-proto.test.ts.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { transform } from 'esbuild';

/** The generated module, inside the tablestore package. */
export const GENERATED_PROTO = 'lib/protocol/tablestore_compiled_proto.js';

/** The generated static methods removed from every message. */
export const UNCALLED_METHODS = ['verify', 'fromObject'];

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
 * Trim the generated module of the tablestore package shipped in `codeDir` (see above). Returns the bytes before
 * and after; throws when another file of the SDK names a removed method, or when no method was found.
 */
export async function trimShippedProto(codeDir) {
  const packageDir = path.join(codeDir, 'node_modules', 'tablestore');
  const callers = await callersOfUncalledMethods(packageDir);
  if (callers.length > 0) {
    throw new Error(`tablestore names ${UNCALLED_METHODS.join(' or ')} in ${callers.join(', ')}: ship it untrimmed`);
  }
  const file = path.join(packageDir, GENERATED_PROTO);
  const source = await readFile(file, 'utf8');
  const { code, removed } = await trimGeneratedProto(source);
  if (removed === 0) throw new Error(`${GENERATED_PROTO}: no ${UNCALLED_METHODS.join(' or ')} method found`);
  await writeFile(file, code);
  return { before: Buffer.byteLength(source), after: Buffer.byteLength(code), removed };
}
