/**
 * What a steady-state run costs, counted in the local cloud's request log as the real SDKs send the requests: at
 * most 0.2 Tablestore requests per role (the grant and status tables are each scanned once, nothing is written per
 * role), exactly two RAM reads per role, one AssumeRole per owner account, no DTS call and no write anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/logger.js';
import { runOnTimer } from '../../../shared/usecases/timer-run.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { type ReconcileWorld, startReconcileWorld } from './world.js';

const SOURCE = EXAMPLE.sourceOwner.id;
const DESTINATION = EXAMPLE.destinationOwner.id;
/** Roles per owner account. */
const ROLES_PER_ACCOUNT = 40;
const ROLES = 2 * ROLES_PER_ACCOUNT;
const TABLESTORE_WRITES = ['PutRow', 'UpdateRow', 'DeleteRow', 'BatchWriteRow'];
const RAM_READS = ['GetRole', 'ListPoliciesForRole'];

let world: ReconcileWorld;
const quiet = createLogger({ write: () => undefined });
const timer = () => ({ triggerTime: new Date().toISOString(), triggerName: 'drift-timer', payload: '' });

beforeAll(async () => {
  world = await startReconcileWorld();
  for (const ownerAccountId of [SOURCE, DESTINATION]) {
    for (let i = 0; i < ROLES_PER_ACCOUNT; i++) {
      await world.declare({ ownerAccountId, roleName: `steady-${String(i).padStart(2, '0')}` });
    }
  }
  await world.reconcileAll('create');
  // One more run settles what the first wrote (its status rows record the roles as created).
  await world.reconcileAll('settle');
});

afterAll(async () => {
  await world?.stop();
});

describe('a steady-state run against the local cloud', () => {
  it('makes at most 0.2 Tablestore requests per role and writes no row: two scans, nothing per role', async () => {
    world.cloud.cloud.log.length = 0;
    const { reconciler } = world.reconciler();
    const run = await reconciler.reconcileAll({ correlationId: 'steady', expireGrants: true });
    expect(run.outcomes).toEqual({ inSync: ROLES });
    const tablestore = world.calls('tablestore');
    expect(tablestore.length).toBeLessThanOrEqual(0.2 * ROLES);
    expect(tablestore.map((c) => c.action)).toEqual(['GetRange', 'GetRange']);
    expect(tablestore.filter((c) => TABLESTORE_WRITES.includes(c.action))).toEqual([]);
  });

  it('makes exactly two RAM reads per role, one AssumeRole per owner account and no RAM write', async () => {
    world.cloud.cloud.log.length = 0;
    const { reconciler } = world.reconciler();
    const run = await reconciler.reconcileAll({ correlationId: 'steady-ram', expireGrants: true });
    const ram = world.calls('ram');
    for (const action of RAM_READS) expect(ram.filter((c) => c.action === action)).toHaveLength(ROLES);
    expect(ram).toHaveLength(2 * ROLES);
    expect(world.calls('sts', 'AssumeRole')).toHaveLength(2);
    expect(run.apiCalls).toEqual({ ram: 2 * ROLES, assumeRole: 2 });
    // Nothing is removed and no grant names a DTS job, so no task account's DTS jobs are listed.
    expect(world.calls('dts')).toEqual([]);
  });

  it('stays at most 0.2 Tablestore requests per role for the whole timer run, reading each table once: summary and audit delivery included', async () => {
    world.cloud.cloud.log.length = 0;
    const { run } = await runOnTimer(world.services(), timer(), quiet);
    expect(run.outcomes).toEqual({ inSync: ROLES });
    // Its answer and summary are counts: no per-role result is kept to the run's end.
    expect(run.results).toEqual([]);
    expect(run.resultsTruncated).toBe(true);
    const tablestore = world.calls('tablestore');
    expect(tablestore.length).toBeLessThanOrEqual(0.2 * ROLES);
    // No counting scan and no expiry scan: up to the run-summary event, one scan of the grants and one of the status
    // (besides the liveness check's read of the previous run's heartbeat).
    const summary = tablestore.findIndex((c) => c.action === 'PutRow');
    expect(tablestore.slice(0, summary).filter((c) => c.action === 'GetRange')).toHaveLength(2);
    // What is written is the run's own: its summary event in the outbox and its heartbeat, then the delivery's
    // bookkeeping (the event archived, its outbox row removed), a few requests per run whatever the number of roles.
    expect(tablestore.filter((c) => TABLESTORE_WRITES.includes(c.action)).length).toBeLessThanOrEqual(4);
  });
});
