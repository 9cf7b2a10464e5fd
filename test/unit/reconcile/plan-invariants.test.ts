import { describe, expect, it } from 'vitest';
import type { DesiredRole } from '../../../shared/domain/desired-role.js';
import { ownedRoleDescription } from '../../../shared/domain/ownership.js';
import type { AttachedPolicy } from '../../../shared/ports.js';
import { observeRole } from '../../../shared/reconcile/observe.js';
import {
  accessEffectOf,
  type HoldReason,
  isChange,
  type PlannedAction,
  planRoleChanges,
  type UpdateTrustAction,
} from '../../../shared/reconcile/plan.js';
import { MemoryRoleDirectory } from '../../support/memory-role-directory.js';
import {
  credentials,
  DTS_POLICY,
  desired,
  grant,
  OWNER,
  ROLE,
  SECOND,
  STRANGER,
  TRUSTED,
  trustText,
} from './fixtures.js';

const ADMIN: AttachedPolicy = { policyName: 'AdministratorAccess', policyType: 'System' };

interface Live {
  readonly trust: string;
  readonly policies: readonly AttachedPolicy[];
  readonly owned?: boolean;
}

async function plan(live: Live | undefined, want: DesiredRole | undefined, hold?: HoldReason) {
  const directory = new MemoryRoleDirectory();
  if (live) {
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: live.owned === false ? 'made by hand' : ownedRoleDescription(ROLE),
      trustPolicy: live.trust,
      policies: live.policies.map((p) => ({ ...p })),
    });
  }
  const observation = await observeRole(directory, credentials(), ROLE, want);
  return planRoleChanges(want, observation, {}, hold === undefined ? {} : { hold });
}

/** Each action as `kind` or `updateTrust:<change>`. */
const steps = (actions: readonly PlannedAction[]): string[] =>
  actions.map((a) => (a.kind === 'updateTrust' ? `updateTrust:${a.change}` : a.kind));

const trustUpdates = (actions: readonly PlannedAction[]): UpdateTrustAction[] =>
  actions.filter((a): a is UpdateTrustAction => a.kind === 'updateTrust');

/** Denies STRANGER on top of trusting TRUSTED. */
const withDeny = JSON.stringify({
  Version: '1',
  Statement: [
    ...JSON.parse(trustText([TRUSTED])).Statement,
    { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${STRANGER}:root`] } },
  ],
});

describe('planRoleChanges narrows before it widens', () => {
  it('takes undeclared principals out first, then detaches, then adds declared principals', async () => {
    const result = await plan(
      { trust: trustText([TRUSTED, STRANGER]), policies: [DTS_POLICY, ADMIN] },
      desired([grant(), grant({ trustedAccountId: SECOND })]),
    );
    expect(steps(result.actions)).toEqual(['updateTrust:narrow', 'detachPolicy', 'updateTrust:widen']);
    const [narrow, widen] = trustUpdates(result.actions);
    expect(narrow).toMatchObject({ before: trustText([TRUSTED, STRANGER]), after: trustText([TRUSTED]) });
    expect(narrow?.diff?.summary).toMatch(/^remove RAM acs:ram::9999999999999999:root \(account no grant declares\)/);
    expect(widen).toMatchObject({ before: trustText([TRUSTED]), after: trustText([TRUSTED, SECOND]) });
    expect(widen?.diff?.summary).toMatch(/^add RAM acs:ram::3333333333333333:root/);
  });

  it('replaces a trust that keeps no declared principal only once every undeclared policy is detached', async () => {
    const result = await plan({ trust: trustText([STRANGER]), policies: [ADMIN] }, desired());
    expect(steps(result.actions)).toEqual(['detachPolicy', 'updateTrust:replace', 'attachPolicy']);
  });

  it('narrows a trust that only loses principals before detaching', async () => {
    const result = await plan({ trust: trustText([TRUSTED, STRANGER]), policies: [DTS_POLICY, ADMIN] }, desired());
    expect(steps(result.actions)).toEqual(['updateTrust:narrow', 'detachPolicy']);
  });

  it('widens a trust that only gains declared principals after detaching', async () => {
    const result = await plan(
      { trust: trustText([TRUSTED]), policies: [DTS_POLICY, ADMIN] },
      desired([grant(), grant({ trustedAccountId: SECOND })]),
    );
    expect(steps(result.actions)).toEqual(['detachPolicy', 'updateTrust:widen']);
  });

  it('replaces a trust holding a Deny after the detaches: taking a Deny away widens', async () => {
    const result = await plan({ trust: withDeny, policies: [DTS_POLICY, ADMIN] }, desired());
    expect(steps(result.actions)).toEqual(['detachPolicy', 'updateTrust:replace']);
  });

  it('replaces an unparseable trust after the detaches', async () => {
    const result = await plan({ trust: 'not json', policies: [DTS_POLICY, ADMIN] }, desired());
    expect(steps(result.actions)).toEqual(['detachPolicy', 'updateTrust:replace']);
    expect(trustUpdates(result.actions)[0]?.parseError).toMatch(/not valid JSON/);
  });

  it('adopts a role holding AdministratorAccess without ever trusting the new account while it is attached', async () => {
    const result = await plan(
      { trust: trustText([STRANGER]), policies: [ADMIN], owned: false },
      desired([grant({ adopt: true })]),
    );
    expect(steps(result.actions)).toEqual(['adoptRole', 'detachPolicy', 'updateTrust:replace', 'attachPolicy']);
  });

  it('detaches every other policy before AliyunDTSRolePolicy when it deletes a role', async () => {
    const result = await plan({ trust: trustText([TRUSTED]), policies: [DTS_POLICY, ADMIN] }, undefined);
    expect(result.actions.map((a) => (a.kind === 'detachPolicy' ? a.policy.policyName : a.kind))).toEqual([
      'AdministratorAccess',
      'AliyunDTSRolePolicy',
      'deleteRole',
    ]);
  });

  it('orders every plan so that no step adding access comes before one taking access away', async () => {
    const result = await plan(
      { trust: trustText([TRUSTED, STRANGER]), policies: [ADMIN] },
      desired([grant({ policies: ['AliyunDTSRolePolicy', 'Custom1'] }), grant({ trustedAccountId: SECOND })]),
    );
    const effects = result.actions.filter(isChange).map(accessEffectOf);
    expect(effects).toEqual(['removes', 'removes', 'adds', 'adds', 'adds']);
  });
});

describe('planRoleChanges under a hold removes undeclared access and holds back the rest', () => {
  const drifted: Live = { trust: trustText([TRUSTED, STRANGER]), policies: [ADMIN] };

  it.each<{ name: string; want: () => DesiredRole; hold?: HoldReason }>([
    { name: 'an observe grant', want: () => desired([grant({ mode: 'observe' })]) },
    { name: 'a paused grant', want: () => desired([grant({ mode: 'paused' })]) },
    { name: 'a flap pause', want: () => desired(), hold: 'flapping' },
    { name: 'a failure backoff', want: () => desired(), hold: 'backoff' },
  ])('under $name', async ({ want, hold }) => {
    const result = await plan(drifted, want(), hold);
    expect(steps(result.actions)).toEqual(['updateTrust:narrow', 'detachPolicy']);
    expect(steps(result.heldBack)).toEqual(['attachPolicy']);
  });

  it('replaces a trust naming only undeclared principals, after the detaches, even under a hold', async () => {
    const result = await plan(
      { trust: trustText([STRANGER]), policies: [ADMIN] },
      desired([grant({ mode: 'paused' })]),
    );
    expect(steps(result.actions)).toEqual(['detachPolicy', 'updateTrust:replace']);
    expect(steps(result.heldBack)).toEqual(['attachPolicy']);
  });

  it('removes the account of a revoked grant while the remaining grant is paused', async () => {
    const result = await plan(
      { trust: trustText([TRUSTED, SECOND]), policies: [DTS_POLICY] },
      desired([grant({ trustedAccountId: SECOND, mode: 'paused' })]),
    );
    expect(steps(result.actions)).toEqual(['updateTrust:narrow']);
    expect(trustUpdates(result.actions)[0]?.after).toBe(trustText([SECOND]));
  });

  it('never adopts a role in observe mode, and changes nothing on it', async () => {
    const result = await plan(
      { trust: trustText([STRANGER]), policies: [ADMIN], owned: false },
      desired([grant({ adopt: true, mode: 'observe' })]),
    );
    expect(steps(result.actions)).toEqual(['nothing']);
    expect(steps(result.heldBack)).toEqual(['adoptRole', 'detachPolicy', 'updateTrust:replace', 'attachPolicy']);
  });

  it('never creates a role for an observe grant', async () => {
    const result = await plan(undefined, desired([grant({ mode: 'observe' })]));
    expect(steps(result.actions)).toEqual(['nothing']);
    expect(steps(result.heldBack)).toEqual(['createRole', 'attachPolicy']);
  });

  it('deletes an owned role no active grant declares, whatever hold its status row puts on it', async () => {
    const result = await plan({ trust: trustText([TRUSTED]), policies: [DTS_POLICY] }, undefined, 'flapping');
    expect(steps(result.actions)).toEqual(['detachPolicy', 'deleteRole']);
    expect(result.heldBack).toEqual([]);
  });
});

describe('planRoleChanges when the grants conflict', () => {
  const conflicting = () => desired([grant({ externalId: 'ext-1' }), grant({ trustedAccountId: SECOND })]);

  it('still takes undeclared accounts and policies away from an owned role, keeping the declared accounts as they are', async () => {
    const result = await plan(
      { trust: trustText([TRUSTED, SECOND, STRANGER], 'ext-1'), policies: [DTS_POLICY, ADMIN] },
      conflicting(),
    );
    expect(steps(result.actions)).toEqual(['conflict', 'updateTrust:narrow', 'detachPolicy']);
    expect(trustUpdates(result.actions)[0]?.after).toBe(trustText([TRUSTED, SECOND], 'ext-1'));
  });

  it('removes nothing from a role it does not own, and nothing when no declared account would be left', async () => {
    const foreign = await plan(
      { trust: trustText([TRUSTED, STRANGER]), policies: [ADMIN], owned: false },
      desired([grant({ externalId: 'ext-1', adopt: true })]),
    );
    expect(steps(foreign.actions)).toEqual(['conflict']);
    const strangersOnly = await plan({ trust: trustText([STRANGER]), policies: [DTS_POLICY] }, conflicting());
    expect(steps(strangersOnly.actions)).toEqual(['conflict']);
  });

  it('never narrows a trust holding a Deny while the grants conflict', async () => {
    const result = await plan({ trust: withDeny, policies: [DTS_POLICY, ADMIN] }, conflicting());
    expect(steps(result.actions)).toEqual(['conflict', 'detachPolicy']);
  });
});
