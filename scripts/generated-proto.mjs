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
// - the types none of dts-trust's operations reads (search indexes, SQL, transactions, time series: 201 of 259)
//   move to a file of their own beside it (REST_FILE), which the getters of those types require on first read:
//   Node compiled their 0.5 MB on every load only to skip over it. What stays is every enum, the filter
//   namespace (column conditions), the Error message, and the request and response messages of USED_OPERATIONS
//   with every message they name, transitively. A type that moved still works, at the cost of loading that file.
// See docs/architecture.md ("Bundles") and test/unit/deploy/generated-proto.test.ts.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { transform } from 'esbuild';

/** The generated module, inside the tablestore package. */
export const GENERATED_PROTO = 'lib/protocol/tablestore_compiled_proto.js';

/** The generated static methods removed from every message. */
export const UNCALLED_METHODS = ['verify', 'fromObject'];

/**
 * The Tablestore operations dts-trust calls: `TABLESTORE_ACTIONS` of shared/alicloud/tablestore/tables.ts without
 * `ots:` (a test keeps the two the same). Their `<Operation>Request` and `<Operation>Response` stay in the module.
 */
export const USED_OPERATIONS = [
  'CreateTable',
  'DescribeTable',
  'ListTable',
  'GetRow',
  'PutRow',
  'UpdateRow',
  'DeleteRow',
  'GetRange',
  'BatchGetRow',
  'BatchWriteRow',
];

/** The file beside the generated module that holds the types none of {@link USED_OPERATIONS} reads. */
export const REST_FILE = 'tablestore_compiled_proto.rest.js';

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

/** What the generated module declares before its namespaces, and all its types' functions use of its scope. */
const MODULE_SCOPE = ['$protobuf', '$Reader', '$Writer', '$util', '$root'];

/** The helper a type that moved to {@link REST_FILE} is made with: that file's function for it, run once. */
const REST_TYPE_HELPER = [
  '/** The types none of the operations dts-trust calls reads, loaded with the first of them that is read. */',
  'var $rest;',
  'function $restType(ns, name) {',
  `  $rest = $rest || require(${JSON.stringify(`./${REST_FILE}`)})({ ${MODULE_SCOPE.map((n) => `${n}: ${n}`).join(', ')} });`,
  '  return $rest[ns][name]();',
  '}',
];

/** One type of the generated module: a direct child of a namespace's `proto`, and the lines of its function. */
function typesOf(lines) {
  const open = /^(\s+)proto\.([A-Za-z_$][\w$]*) = \(function\(\) \{$/;
  const namespace = /^\$root\.([A-Za-z_$][\w$]*) = \(function\(\) \{$/;
  const types = [];
  let ns;
  for (let i = 0; i < lines.length; i++) {
    ns = namespace.exec(lines[i])?.[1] ?? ns;
    const match = open.exec(lines[i]);
    if (!match) continue;
    const [, indent, name] = match;
    const end = lines.indexOf(`${indent}})();`, i + 1);
    if (end === -1) throw new Error(`${GENERATED_PROTO}: no end for the type ${name} at line ${i + 1}`);
    if (!ns) throw new Error(`${GENERATED_PROTO}: the type ${name} at line ${i + 1} is in no namespace`);
    const body = lines.slice(i + 1, end);
    const names = new Set();
    for (const line of body) {
      for (const ref of line.matchAll(/\$root\.([A-Za-z_$][\w$]*)\.proto\.([A-Za-z_$][\w$]*)/g)) {
        names.add(`${ref[1]}.${ref[2]}`);
      }
    }
    const isEnum = body.some((line) => line.includes('valuesById = {}, values = Object.create(valuesById)'));
    types.push({ key: `${ns}.${name}`, ns, name, start: i, end, isEnum, names: [...names] });
    i = end;
  }
  return types;
}

/**
 * The types that stay in the generated module (`namespace.Name`): every enum, every type of the filter namespace,
 * `main.Error`, and the request and response messages of `operations`, with every type those name, transitively.
 * Throws when an operation has no such messages.
 */
export function keptTypes(source, operations = USED_OPERATIONS) {
  const types = new Map(typesOf(source.split('\n')).map((t) => [t.key, t]));
  const kept = new Set();
  const keep = (key) => {
    const type = types.get(key);
    if (!type || kept.has(key)) return;
    kept.add(key);
    for (const name of type.names) keep(name);
  };
  for (const operation of operations) {
    for (const key of [`main.${operation}Request`, `main.${operation}Response`]) {
      if (!types.has(key)) throw new Error(`${GENERATED_PROTO}: no ${key} for the operation ${operation}`);
      keep(key);
    }
  }
  keep('main.Error');
  for (const type of types.values()) if (type.isEnum || type.ns === 'filter') keep(type.key);
  return kept;
}

/**
 * The generated module with each type of a namespace (`<indent>proto.<Name> = (function() {` ...
 * `<indent>})();`, the namespace's direct children) defined by a getter (`$lazyType(proto, "<Name>", ...)`) that
 * makes it on first read: by the same function, in place, for a type in `kept` (all when `kept` is absent); by
 * that function moved to the `rest` module ({@link REST_FILE}) for any other. Nested types stay inside their
 * parent; namespaces stay eager (the SDK reads them on load). Throws when a type's end is not found or a helper's
 * name is taken. Returns both modules' code and how many types became lazy and how many moved.
 */
export function lazyTypes(source, kept = undefined) {
  if (source.includes('$lazyType') || source.includes('$restType')) {
    throw new Error(`${GENERATED_PROTO}: $lazyType or $restType is already defined`);
  }
  const lines = source.split('\n');
  const types = typesOf(lines);
  const rootLine = lines.findIndex((line) => line.startsWith('var $root = '));
  if (rootLine === -1) throw new Error(`${GENERATED_PROTO}: no $root`);
  const declared = lines
    .slice(0, rootLine + 1)
    .flatMap((line) => [...line.matchAll(/(?:^var |, )(\$\w+) = /g)].map((m) => m[1]));
  if (declared.join() !== MODULE_SCOPE.join()) {
    throw new Error(`${GENERATED_PROTO}: declares ${declared.join(', ')}, not ${MODULE_SCOPE.join(', ')}`);
  }
  const rest = new Map();
  for (const type of types) {
    const indent = /^\s*/.exec(lines[type.start])[0];
    const name = JSON.stringify(type.name);
    if (!kept || kept.has(type.key)) {
      lines[type.start] = `${indent}$lazyType(proto, ${name}, function() {`;
      lines[type.end] = `${indent}});`;
      continue;
    }
    const moved = rest.get(type.ns) ?? [];
    moved.push(`${indent}${name}: function() {`, ...lines.slice(type.start + 1, type.end), `${indent}},`);
    rest.set(type.ns, moved);
    lines[type.start] =
      `${indent}$lazyType(proto, ${name}, function() { return $restType(${JSON.stringify(type.ns)}, ${name}); });`;
    for (let i = type.start + 1; i <= type.end; i++) lines[i] = undefined;
  }
  const moved = [...rest.values()].reduce((n, l) => n + l.filter((x) => x.endsWith(': function() {')).length, 0);
  lines.splice(rootLine + 1, 0, ...LAZY_TYPE_HELPER, ...(moved > 0 ? REST_TYPE_HELPER : []));
  const restCode = [
    '"use strict";',
    `// The types of ${path.basename(GENERATED_PROTO)} that none of the operations dts-trust calls reads, each the`,
    "// function pbjs wrote for it, given the generated module's own protobufjs and root (scripts/generated-proto.mjs).",
    'module.exports = function (context) {',
    `  var ${MODULE_SCOPE.map((name) => `${name} = context.${name}`).join(', ')};`,
    '  return {',
    ...[...rest].flatMap(([ns, body]) => [`  ${JSON.stringify(ns)}: {`, ...body, '  },']),
    '  };',
    '};',
  ];
  return {
    code: lines.filter((line) => line !== undefined).join('\n'),
    rest: moved > 0 ? restCode.join('\n') : undefined,
    types: types.length,
    moved,
  };
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
 * Trim the generated module of the tablestore package shipped in `codeDir`, make its types lazy and move those
 * none of {@link USED_OPERATIONS} reads to {@link REST_FILE} beside it (see above). Returns the bytes before and
 * after (the module, then the file beside it), the methods removed, the types made lazy and those moved; throws
 * when another file of the SDK names a removed method, or when no method or type was found.
 */
export async function trimShippedProto(codeDir) {
  const packageDir = path.join(codeDir, 'node_modules', 'tablestore');
  const callers = await callersOfUncalledMethods(packageDir);
  if (callers.length > 0) {
    throw new Error(`tablestore names ${UNCALLED_METHODS.join(' or ')} in ${callers.join(', ')}: ship it untrimmed`);
  }
  const file = path.join(packageDir, GENERATED_PROTO);
  const source = await readFile(file, 'utf8');
  const lazy = lazyTypes(source, keptTypes(source));
  if (lazy.types === 0) throw new Error(`${GENERATED_PROTO}: no type found to make lazy`);
  const { code, removed } = await trimGeneratedProto(lazy.code);
  if (removed === 0) throw new Error(`${GENERATED_PROTO}: no ${UNCALLED_METHODS.join(' or ')} method found`);
  await writeFile(file, code);
  const rest = lazy.rest === undefined ? undefined : await trimGeneratedProto(lazy.rest);
  if (rest) await writeFile(path.join(path.dirname(file), REST_FILE), rest.code);
  return {
    before: Buffer.byteLength(source),
    after: Buffer.byteLength(code),
    restBytes: rest ? Buffer.byteLength(rest.code) : 0,
    removed: removed + (rest?.removed ?? 0),
    lazyTypes: lazy.types,
    movedTypes: lazy.moved,
  };
}
