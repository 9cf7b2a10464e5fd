import { describe, expect, it } from 'vitest';
import type { FindingData } from '../../../shared/domain/finding.js';
import { type FindingRecord, findingIdOfEvent, foldFindingEvent } from '../../../shared/domain/finding-record.js';
import { type Grant, GrantSchema } from '../../../shared/domain/grant.js';
import type { DtsInventory } from '../../../shared/evidence/dts-inventory.js';
import { recordInventory, unusedInEvery } from '../../../shared/evidence/unused-roles.js';
import type { InventoryRun, InventoryRuns } from '../../../shared/ports.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryAuditLog } from '../../support/memory-stores.js';

const OWNER = '1111111111111111';
const TASK = '2222222222222222';
const OTHER_TASK = '3333333333333333';

const grant = (roleName: string, trustedAccountId = TASK): Grant =>
  GrantSchema.parse({
    ownerAccountId: OWNER,
    roleName,
    trustedAccountId,
    ticket: { system: 'jira', id: `DBA-${roleName}`, requester: 'ana', approver: 'ben' },
  });

/** An inventory that found `unused` unused, and could not list `unlisted`. */
const inventory = (unused: Grant[], unlisted: string[] = []): DtsInventory => ({
  usage: { broken: [], undeclared: [], unused, unknownRoles: [] },
  uses: [],
  accounts: [],
  gaps: unlisted.map((accountId) => ({ accountId, code: 'NoPermission', message: 'denied' })),
  skipped: [],
});

class MemoryInventoryRuns implements InventoryRuns {
  readonly runs: InventoryRun[] = [];
  async record(run: InventoryRun): Promise<void> {
    this.runs.push(run);
  }
  async latest(count: number): Promise<InventoryRun[]> {
    return [...this.runs].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime()).slice(0, count);
  }
}

function world() {
  const clock = new FakeClock(new Date('2030-01-01T00:00:00Z'));
  const audit = new MemoryAuditLog();
  const runs = new MemoryInventoryRuns();
  const records = new Map<string, FindingRecord>();
  let ids = 0;
  const deps = {
    runs,
    audit,
    clock,
    newId: () => `e${++ids}`,
    findings: {
      async *list() {
        yield* [...records.values()].filter((r) => r.state === 'open');
      },
    },
  };
  /** Take one inventory a day later than the last, then fold its events into the findings as delivery would. */
  const take = async (found: DtsInventory, inventories = 3) => {
    clock.advance(24 * 3600_000);
    const before = audit.events.length;
    const report = await recordInventory(deps, found, { correlationId: `inv-${ids}`, inventories });
    for (const event of audit.events.slice(before)) {
      const id = findingIdOfEvent(event);
      const next = id === undefined ? undefined : foldFindingEvent(records.get(id), event);
      if (id !== undefined && next !== undefined) records.set(id, next);
    }
    return report;
  };
  return { take, audit, runs };
}

const unusedFindings = (audit: MemoryAuditLog) =>
  audit.ofType('dts-trust.finding.role-unused-by-dts').map((e) => e.data as FindingData);

describe('recordInventory', () => {
  it('raises role-unused-by-dts for a grant unused in each of the last three inventories, not before', async () => {
    const { take, audit, runs } = world();
    const idle = grant('idle-role');
    expect((await take(inventory([idle]))).raised).toEqual([]);
    expect((await take(inventory([idle]))).raised).toEqual([]);
    const third = await take(inventory([idle]));
    expect(third.raised.map((r) => r.grantId)).toEqual([`${OWNER}/idle-role/${TASK}`]);
    expect(runs.runs).toHaveLength(3);
    const [finding] = unusedFindings(audit);
    expect(finding).toMatchObject({
      severity: 'low',
      findingId: third.raised[0]?.findingId,
      evidence: { grantId: `${OWNER}/idle-role/${TASK}`, inventories: 3, since: '2030-01-02T00:00:00.000Z' },
    });
    expect(finding?.summary).toContain('jira:DBA-idle-role');
  });

  it('starts counting again when an inventory finds the grant used', async () => {
    const { take } = world();
    const idle = grant('idle-role');
    await take(inventory([idle]));
    await take(inventory([]));
    await take(inventory([idle]));
    expect((await take(inventory([idle]))).raised).toEqual([]);
    expect((await take(inventory([idle]))).raised).toHaveLength(1);
  });

  it('takes the number of inventories from its options', async () => {
    const { take } = world();
    expect((await take(inventory([grant('idle-role')]), 1)).raised).toHaveLength(1);
  });

  it('does not count an inventory that could not list the grant’s account as unused', async () => {
    const { take } = world();
    const idle = grant('idle-role', OTHER_TASK);
    await take(inventory([idle]));
    await take(inventory([idle], [OTHER_TASK]));
    expect((await take(inventory([idle]))).raised).toEqual([]);
  });

  it('neither counts nor resolves a grant whose account the inventory skips by design (a Tencent task account)', async () => {
    const { take } = world();
    const idle = grant('idle-role');
    for (let i = 0; i < 3; i++) await take(inventory([idle]));
    const skipping = {
      ...inventory([]),
      skipped: [{ accountId: TASK, code: 'TencentDtsJobsNotListed', message: 'm' }],
    };
    const report = await take(skipping);
    expect(report.resolved).toEqual([]);
    expect(report.raised).toEqual([]);
  });

  it('resolves the finding once the grant is used again or gone, and not while its account cannot be listed', async () => {
    const { take, audit } = world();
    const idle = grant('idle-role');
    for (let i = 0; i < 3; i++) await take(inventory([idle]));
    const findingId = unusedFindings(audit)[0]?.findingId;
    expect((await take(inventory([], [TASK]))).resolved).toEqual([]);
    expect((await take(inventory([]))).resolved).toEqual([findingId]);
    const [resolution] = audit.ofType('dts-trust.resolved.role-unused-by-dts');
    expect(resolution?.data).toMatchObject({ findingId, resolvedBy: 'dts-trust' });
    expect((await take(inventory([]))).resolved).toEqual([]);
  });
});

describe('unusedInEvery', () => {
  const run = (ids: string[]): InventoryRun => ({ takenAt: new Date(0), correlationId: 'c', unusedGrantIds: ids });

  it('keeps the grants every one of the latest runs found unused, and none while fewer runs are recorded', () => {
    expect(unusedInEvery([run(['a', 'b']), run(['b', 'c']), run(['b'])], 3)).toEqual(['b']);
    expect(unusedInEvery([run(['a']), run(['a'])], 3)).toEqual([]);
  });
});
