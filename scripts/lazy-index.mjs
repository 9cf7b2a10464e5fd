// An esbuild plugin that bundles a package's index as lazy re-exports. `@darabonba/typescript`'s index requires
// every one of its modules on load (core, but also websocket with ws and three proxy agents, xml with xml2js,
// date with moment, file, form), so every function paid for WebSocket and XML support it never uses. The plugin
// replaces the index with getters that require each module when one of its exports is first read: the same
// names, resolving to the very same values (checked here against the real index at build time), loaded on use.
// The modules stay in the bundle; only their evaluation waits. See docs/architecture.md ("Bundles").
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The source of a lazy index of `pkg` over its modules `modules` (paths inside the package; `.` is the package
 * itself, which the plugin then leaves to esbuild's own resolution, such as an external side bundle): one getter
 * per export of the real index, reading the export of the first module named that holds that very value (a
 * re-export, or a module's default). Throws when an export of the index is found in none of them.
 */
export function lazyIndexSource(root, pkg, modules) {
  const require = createRequire(path.join(root, 'package.json'));
  const index = require(pkg);
  const specifier = (name) => (name === '.' ? pkg : `${pkg}/${name}`);
  const loaded = modules.map((name) => ({ name, exports: require(specifier(name)) }));
  const lines = ['"use strict";', 'Object.defineProperty(exports, "__esModule", { value: true });'];
  const fromPackage = [];
  for (const key of Object.keys(index)) {
    if (key === '__esModule') continue;
    const value = index[key];
    // The first module named that holds the value, by that name or as its default: name the defining modules
    // before an index of their own that re-exports them.
    const holder = loaded.find(
      (m) => (m.exports[key] === value && Object.hasOwn(m.exports, key)) || m.exports.default === value,
    );
    if (!holder) throw new Error(`lazy index of ${pkg}: export ${key} is in none of ${modules.join(', ')}`);
    const property = holder.exports[key] === value && Object.hasOwn(holder.exports, key) ? key : 'default';
    if (holder.name === '.' && property === key) {
      fromPackage.push(key);
      continue;
    }
    lines.push(
      `Object.defineProperty(exports, ${JSON.stringify(key)}, { enumerable: true, get: () => ` +
        `require(${JSON.stringify(specifier(holder.name))})[${JSON.stringify(property)}] });`,
    );
  }
  if (fromPackage.length > 0) {
    lines.push(
      `for (const name of ${JSON.stringify(fromPackage)}) Object.defineProperty(exports, name, ` +
        `{ enumerable: true, get: () => require(${JSON.stringify(pkg)})[name] });`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Packages whose index is bundled lazily, with the modules that index re-exports. */
export const LAZY_INDEXES = {
  '@darabonba/typescript': [
    'dist/core',
    'dist/websocket',
    'dist/date',
    'dist/error',
    'dist/file',
    'dist/form',
    'dist/func',
    'dist/retry',
    'dist/stream',
    'dist/url',
    'dist/xml',
  ],
  // openapi-core's client requires its WebSocket support on load (`./websocketUtils`, which brings in
  // `@darabonba/typescript`'s WebSocket module with ws, socks and the proxy agents); only a WebSocket call reads it.
  '@alicloud/openapi-core/dist/websocketUtils': ['awap', 'general', 'client', 'handler'],
  // `@darabonba/typescript`'s func module requires lodash on load for `merge`, which nothing in a bundle calls,
  // while every client's constructor reads that module's `isNull`; lodash is one function of 17,000 lines whose
  // inner functions V8 pre-parsed on every load. Its index getters read the package itself, a side bundle
  // (scripts/side-bundles.mjs), on first use. The lazy index is an object, not lodash's callable `_`: func.js
  // only reads `_.merge`, and no other bundled module imports lodash (dist/bundles.json).
  lodash: ['.'],
  // The credentials client requires every provider it has on load; openapi-core, EventBridge and gateway-spi
  // require the package on load, and the product hands every client its keys as a credential of its own
  // (shared/alicloud/signing-credential.ts), so only the default chain outside FC reads it: its index getters
  // read the package itself, a side bundle, on first use.
  '@alicloud/credentials': ['.'],
};

/**
 * The esbuild plugin: an import of exactly one of {@link LAZY_INDEXES} gets its lazy index, whether by its name or,
 * from inside its package, by a relative path to the same file (`require("./websocketUtils")`).
 */
export function lazyIndexPlugin(root, indexes = LAZY_INDEXES) {
  const names = Object.keys(indexes);
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
  const require = createRequire(path.join(root, 'package.json'));
  const byFile = new Map(names.map((name) => [require.resolve(name), name]));
  const resolveRelative = (from, request) => {
    try {
      return createRequire(from).resolve(request);
    } catch {
      return undefined;
    }
  };
  return {
    name: 'lazy-index',
    setup(build) {
      // The lazy index's own requires resolve as esbuild resolves them (bundled, or external).
      build.onResolve({ filter }, (args) =>
        args.namespace === 'lazy-index' ? undefined : { path: args.path, namespace: 'lazy-index' },
      );
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer || args.namespace !== 'file') return undefined;
        const name = byFile.get(resolveRelative(args.importer, args.path));
        return name ? { path: name, namespace: 'lazy-index' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-index' }, (args) => ({
        contents: lazyIndexSource(root, args.path, indexes[args.path]),
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}
