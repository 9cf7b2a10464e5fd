import { describe, expect, it } from 'vitest';
import { medianItem, rotated } from '../../../bench/rounds.js';

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

describe('medianItem', () => {
  it('picks the round whose ratio is the median, whatever order the rounds ran in', () => {
    const rounds = [1.48, 1.16, 1.27, 1.39, 1.2].map((ratio, i) => ({ round: i + 1, ratio }));
    expect(medianItem(rounds, (r) => r.ratio)).toEqual({ round: 3, ratio: 1.27 });
    expect(medianItem([...rounds].reverse(), (r) => r.ratio)).toEqual({ round: 3, ratio: 1.27 });
    expect(medianItem([{ ratio: 1.3 }], (r) => r.ratio)).toEqual({ ratio: 1.3 });
  });

  it('refuses an even number of rounds, which have no median round', () => {
    expect(() => medianItem([1, 2], (n) => n)).toThrow(/odd number/);
    expect(() => medianItem([], (n: number) => n)).toThrow(/odd number/);
  });
});
