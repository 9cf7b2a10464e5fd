import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAZY_INDEXES, lazyIndexPlugin, lazyIndexSource } from '../../../scripts/lazy-index.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const requireFromRoot = createRequire(new URL('../../../package.json', import.meta.url));
const DARA = '@darabonba/typescript';
const WEBSOCKET_UTILS = '@alicloud/openapi-core/dist/websocketUtils';

/** The lazy index of `pkg` evaluated with a `require` that records what it loads. */
function lazyIndex(pkg: string): { exports: Record<string, unknown>; loaded: string[] } {
  const loaded: string[] = [];
  const module = { exports: {} as Record<string, unknown> };
  const record = (name: string) => {
    loaded.push(name);
    return requireFromRoot(name);
  };
  new Function('require', 'module', 'exports', lazyIndexSource(ROOT, pkg, LAZY_INDEXES[pkg] ?? []))(
    record,
    module,
    module.exports,
  );
  return { exports: module.exports, loaded };
}

describe.each(Object.keys(LAZY_INDEXES))('the lazy index of %s', (pkg) => {
  it('has every export of the real index, each the very same value', () => {
    const real = requireFromRoot(pkg) as Record<string, unknown>;
    const { exports } = lazyIndex(pkg);
    expect(Object.keys(exports).sort()).toEqual(Object.keys(real).sort());
    for (const key of Object.keys(real)) expect(exports[key], key).toBe(real[key]);
  });
});

describe('a lazy index', () => {
  it('loads no module until one of its exports is read, then only that one', () => {
    const { exports, loaded } = lazyIndex(DARA);
    expect(loaded).toEqual([]);
    void exports.RuntimeOptions;
    void exports.isNull;
    expect(loaded).toEqual([`${DARA}/dist/core`, `${DARA}/dist/func`]);
  });

  it('keeps WebSocket support out of an openapi-core call until a WebSocket export is read', () => {
    const { exports, loaded } = lazyIndex(WEBSOCKET_UTILS);
    expect(loaded).toEqual([]);
    void exports.SubProtocolAWAP;
    expect(loaded).toEqual([`${WEBSOCKET_UTILS}/handler`]);
  });

  it('reads @alicloud/credentials itself, and only when an export is first read', () => {
    const { exports, loaded } = lazyIndex('@alicloud/credentials');
    expect(loaded).toEqual([]);
    expect(exports.default).toBe(requireFromRoot('@alicloud/credentials').default);
    expect(loaded).toEqual(['@alicloud/credentials']);
  });

  it('reads lodash itself, and only when an export is first read', () => {
    const { exports, loaded } = lazyIndex('lodash');
    expect(loaded).toEqual([]);
    expect((exports.merge as (...o: object[]) => object)({}, { a: 1 }, { b: 2 })).toEqual({ a: 1, b: 2 });
    expect(loaded).toEqual(['lodash']);
  });

  it('stops the build when an export of the index is in none of the modules named', () => {
    expect(() => lazyIndexSource(ROOT, DARA, ['dist/core'])).toThrow('is in none of dist/core');
  });
});

describe('lazyIndexPlugin', () => {
  it("replaces an index imported by its name and one a package's own file imports by a relative path", async () => {
    const { metafile } = await build({
      stdin: { contents: "require('@alicloud/openapi-core');", resolveDir: ROOT, loader: 'js' },
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
      plugins: [lazyIndexPlugin(ROOT)],
      metafile: true,
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain(`lazy-index:${DARA}`);
    expect(inputs).toContain(`lazy-index:${WEBSOCKET_UTILS}`);
    const real = path.relative(ROOT, requireFromRoot.resolve(WEBSOCKET_UTILS));
    expect(inputs).not.toContain(real);
  });

  it("leaves the lazy index's own require of its package to esbuild: external, when the package is", async () => {
    const { outputFiles, metafile } = await build({
      stdin: { contents: "require('@darabonba/typescript/dist/func');", resolveDir: ROOT, loader: 'js' },
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
      external: ['lodash'],
      plugins: [lazyIndexPlugin(ROOT)],
      metafile: true,
    });
    expect(Object.keys(metafile.inputs)).toContain('lazy-index:lodash');
    expect(Object.keys(metafile.inputs).some((f) => f.includes('node_modules/lodash/'))).toBe(false);
    expect(outputFiles?.[0]?.text).toContain('require("lodash")[name]');
  });
});
