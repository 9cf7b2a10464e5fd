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

/** A full, synchronous garbage collection (V8's `gc`, exposed for this test). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('KeptVisits', () => {
  it('hands out one stream per owner account, in the order the visits came', async () => {
    const kept = new KeptVisits();
    for (const v of [visit('1', 'a'), visit('1', 'b'), visit('2', 'a'), visit('3', 'c')]) kept.add(v);
    const streams = kept.takeStreams();
    expect(await Promise.all(streams.map(names))).toEqual([['1/a', '1/b'], ['2/a'], ['3/c']]);
  });

  it('keeps nothing once its streams are taken, or once cleared', async () => {
    const kept = new KeptVisits();
    kept.add(visit('1', 'a'));
    expect(kept.takeStreams()).toHaveLength(1);
    expect(kept.takeStreams()).toEqual([]);
    kept.add(visit('1', 'b'));
    kept.clear();
    expect(kept.takeStreams()).toEqual([]);
  });

  it('lets a visit be collected once its stream has yielded it, while the stream is still held', async () => {
    const kept = new KeptVisits();
    let first: RoleVisit | undefined = visit('1', 'a');
    const collected = new WeakRef(first);
    kept.add(first);
    kept.add(visit('1', 'b'));
    first = undefined;
    const [stream] = kept.takeStreams();
    const iterator = (stream as AsyncIterable<RoleVisit>)[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.roleName).toBe('a');
    // A WeakRef's target lives to the end of the job that read it: let that job end before collecting.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(collected.deref()).toBeUndefined();
    expect((await iterator.next()).value?.roleName).toBe('b');
    expect((await iterator.next()).done).toBe(true);
  });
});
