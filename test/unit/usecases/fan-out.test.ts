import { describe, expect, it } from 'vitest';
import { FanOut } from '../../../shared/usecases/fan-out.js';

/** A task whose end the test decides. */
function controlled() {
  const running: { item: string; index: number; end: () => void; fail: (e: Error) => void }[] = [];
  const task = (item: string, index: number) =>
    new Promise<void>((resolve, reject) => running.push({ item, index, end: resolve, fail: reject }));
  return { running, task };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FanOut', () => {
  it('starts tasks in the order handed in, each with its index, at most `concurrency` at once', async () => {
    const { running, task } = controlled();
    const fan = new FanOut(2, task);
    for (const item of ['a', 'b', 'c']) fan.add(item);
    await settle();
    expect(running.map((r) => [r.item, r.index])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    running[0]?.end();
    await settle();
    expect(running.map((r) => r.item)).toEqual(['a', 'b', 'c']);
    running[1]?.end();
    running[2]?.end();
    await fan.done();
    expect(fan.count).toBe(3);
  });

  it('starts nothing after a failure and rethrows the first failure once the started tasks have ended', async () => {
    const { running, task } = controlled();
    const fan = new FanOut(2, task);
    for (const item of ['a', 'b', 'c']) fan.add(item);
    await settle();
    running[0]?.fail(new Error('first'));
    await settle();
    running[1]?.fail(new Error('second'));
    await expect(fan.done()).rejects.toThrow('first');
    expect(running.map((r) => r.item)).toEqual(['a', 'b']);
  });
});
