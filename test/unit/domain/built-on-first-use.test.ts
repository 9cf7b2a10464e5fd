import { describe, expect, it } from 'vitest';
import { builtOnFirstUse } from '../../../shared/domain/built-on-first-use.js';

describe('builtOnFirstUse', () => {
  it('builds nothing until the value is first asked for', () => {
    let builds = 0;
    builtOnFirstUse(() => {
      builds += 1;
      return {};
    });
    expect(builds).toBe(0);
  });

  it('builds once and hands out the very same value from then on', () => {
    let builds = 0;
    const value = builtOnFirstUse(() => {
      builds += 1;
      return { built: builds };
    });
    const first = value();
    expect(value()).toBe(first);
    expect(first).toEqual({ built: 1 });
    expect(builds).toBe(1);
  });

  it('keeps a falsy value once built (undefined included)', () => {
    let builds = 0;
    const value = builtOnFirstUse(() => {
      builds += 1;
      return undefined;
    });
    expect(value()).toBeUndefined();
    expect(value()).toBeUndefined();
    expect(builds).toBe(1);
  });

  it('builds again after a build that threw: a failure is not kept', () => {
    let builds = 0;
    const value = builtOnFirstUse(() => {
      builds += 1;
      if (builds === 1) throw new Error('first build fails');
      return 'built';
    });
    expect(() => value()).toThrow('first build fails');
    expect(value()).toBe('built');
  });
});
