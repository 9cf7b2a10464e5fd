import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAZY_INDEXES, lazyIndexSource } from '../../../scripts/lazy-index.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const requireFromRoot = createRequire(new URL('../../../package.json', import.meta.url));
const DARA = '@darabonba/typescript';

/** The lazy index evaluated with a `require` that records what it loads. */
function lazyIndex(): { exports: Record<string, unknown>; loaded: string[] } {
  const loaded: string[] = [];
  const module = { exports: {} as Record<string, unknown> };
  const record = (name: string) => {
    loaded.push(name);
    return requireFromRoot(name);
  };
  new Function('require', 'module', 'exports', lazyIndexSource(ROOT, DARA, LAZY_INDEXES[DARA] ?? []))(
    record,
    module,
    module.exports,
  );
  return { exports: module.exports, loaded };
}

describe('the lazy index of @darabonba/typescript', () => {
  it('has every export of the real index, each the very same value', () => {
    const real = requireFromRoot(DARA) as Record<string, unknown>;
    const { exports } = lazyIndex();
    expect(Object.keys(exports).sort()).toEqual(Object.keys(real).sort());
    for (const key of Object.keys(real)) expect(exports[key], key).toBe(real[key]);
  });

  it('loads no module until one of its exports is read, then only that one', () => {
    const { exports, loaded } = lazyIndex();
    expect(loaded).toEqual([]);
    void exports.RuntimeOptions;
    void exports.isNull;
    expect(loaded).toEqual([`${DARA}/dist/core`, `${DARA}/dist/func`]);
  });

  it('stops the build when an export of the index is in none of the modules named', () => {
    expect(() => lazyIndexSource(ROOT, DARA, ['dist/core'])).toThrow('is in none of dist/core');
  });
});
