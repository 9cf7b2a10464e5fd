import { describe, expect, it } from 'vitest';
import { rotated } from '../../../bench/rounds.js';

describe('rotated', () => {
  it('starts the first round with the first item', () => {
    expect(rotated(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
  });

  it('starts each next round one item later and wraps around', () => {
    expect(rotated(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotated(['a', 'b', 'c'], 2)).toEqual(['c', 'a', 'b']);
    expect(rotated(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
  });

  it('puts every item first exactly once over as many rounds as items', () => {
    const items = ['drift-event', 'drift-reconciler', 'reconcile-shard', 'ticket-intake'];
    const firsts = items.map((_, round) => rotated(items, round)[0]);
    expect([...firsts].sort()).toEqual(items);
  });

  it('leaves the items it was given as they were', () => {
    const items = ['a', 'b'];
    rotated(items, 1);
    expect(items).toEqual(['a', 'b']);
  });

  it('gives nothing for no items', () => {
    expect(rotated([], 5)).toEqual([]);
  });
});
