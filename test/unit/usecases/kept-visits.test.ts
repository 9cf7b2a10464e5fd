import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { RoleVisit } from '../../../shared/reconcile/index.js';
import { KeptVisits } from '../../../shared/usecases/kept-visits.js';

const visit = (ownerAccountId: string, roleName: string): RoleVisit => ({
  ownerAccountId,
  roleName,
  declared: true,
  status: null,
});

async function names(stream: AsyncIterable<RoleVisit>): Promise<string[]> {
  const out: string[] = [];
  for await (const v of stream) out.push(`${v.ownerAccountId}/${v.roleName}`);
  return out;
}

/** Every account's visits, in the order the accounts were handed out, until the kept visits are closed. */
async function drain(kept: KeptVisits): Promise<string[][]> {
  const out: string[][] = [];
  for await (const stream of kept) out.push(await names(stream));
  return out;
}

/** Let every pending promise job run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A full, synchronous garbage collection (V8's `gc`, exposed for this test). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('KeptVisits', () => {
  it('hands out one stream per owner account, in the order the accounts came, and ends once closed', async () => {
    const kept = new KeptVisits(10);
    await kept.addAccount([visit('1', 'a'), visit('1', 'b')]);
    await kept.addAccount([visit('2', 'a')]);
    kept.close();
    expect(await drain(kept)).toEqual([['1/a', '1/b'], ['2/a']]);
  });

  it('gives an account to a lane that was already waiting for the next one', async () => {
    const kept = new KeptVisits(10);
    const lane = drain(kept);
    await settle();
    await kept.addAccount([visit('3', 'c')]);
    kept.close();
    expect(await lane).toEqual([['3/c']]);
  });

  it('makes the reader wait while more than its read-ahead is held, until the run takes the visits', async () => {
    const kept = new KeptVisits(2);
    await kept.addAccount([visit('1', 'a'), visit('1', 'b')]);
    let added = false;
    const adding = kept.addAccount([visit('2', 'a')]).then(() => (added = true));
    await settle();
    expect([added, kept.held]).toEqual([false, 3]);
    const [first] = await Promise.all([kept[Symbol.asyncIterator]().next()]);
    const iterator = (first.value as AsyncIterable<RoleVisit>)[Symbol.asyncIterator]();
    await iterator.next();
    await adding;
    expect([added, kept.held]).toEqual([true, 2]);
  });

  it('refuses an account after the last one', async () => {
    const kept = new KeptVisits(1);
    kept.close();
    await expect(kept.addAccount([visit('1', 'a')])).rejects.toThrow(/after the last one/);
  });

  it('lets a waiting reader go and keeps nothing once the run is abandoned', async () => {
    const kept = new KeptVisits(0);
    const lane = kept[Symbol.asyncIterator]().next();
    await kept.addAccount([]);
    const adding = kept.addAccount([visit('1', 'a')]);
    await lane;
    const waiting = kept[Symbol.asyncIterator]().next();
    kept.abandon();
    await adding;
    expect((await waiting).done).toBe(true);
    await kept.addAccount([visit('2', 'a')]);
    expect(kept.held).toBe(0);
  });

  it('lets a visit be collected once its stream has yielded it, while the stream is still held', async () => {
    const kept = new KeptVisits(10);
    let first: RoleVisit | undefined = visit('1', 'a');
    const collected = new WeakRef(first);
    await kept.addAccount([first, visit('1', 'b')]);
    first = undefined;
    kept.close();
    const next = await kept[Symbol.asyncIterator]().next();
    const iterator = (next.value as AsyncIterable<RoleVisit>)[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.roleName).toBe('a');
    // A WeakRef's target lives to the end of the job that read it: let that job end before collecting.
    await settle();
    collectGarbage();
    expect(collected.deref()).toBeUndefined();
    expect((await iterator.next()).value?.roleName).toBe('b');
    expect((await iterator.next()).done).toBe(true);
  });
});
