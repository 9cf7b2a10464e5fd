import { describe, expect, it } from 'vitest';
import { inTurns } from '../../../shared/usecases/in-turns.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('inTurns', () => {
  it('runs every task once, in order of index, at most `concurrency` at a time', async () => {
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    await inTurns(7, 3, async (index) => {
      started.push(index);
      active += 1;
      peak = Math.max(peak, active);
      await tick();
      active -= 1;
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });

  it('starts no further task after a failure and rethrows it once the started tasks are done', async () => {
    const done: number[] = [];
    const run = inTurns(6, 2, async (index) => {
      await tick();
      if (index === 1) throw new Error('shard 1 refused');
      await tick();
      done.push(index);
    });
    await expect(run).rejects.toThrow('shard 1 refused');
    expect(done).toEqual([0]);
  });

  it('does nothing for no task', async () => {
    await inTurns(0, 4, async () => {
      throw new Error('never');
    });
  });
});
