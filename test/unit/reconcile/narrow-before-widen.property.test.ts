/**
 * Property-based tests of the planner and the applier: for any observed role, any grants and any hold, applying the
 * plan step by step with a failure injected at any step (before RAM applies the call, or after it applied it and
 * the answer was lost), every intermediate set of (trusted principal, attached policy) pairs stays within the
 * union of the starting pairs and the declared pairs. Pairs, not a union of principals plus a union of policies:
 * the latter would let a newly trusted account meet a policy it was never declared with.
 *
 * The oracle evaluates trust documents itself (it does not reuse the product's parser): a principal can assume the
 * role when an Allow statement whose action covers sts:AssumeRole names it (its condition is part of its identity)
 * and no Deny names it. A document it cannot read stands for whoever the starting document lets in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredRoleFromGrants } from '../../../shared/domain/desired-role.js';
import { type Grant, GrantSchema, type RoleKey } from '../../../shared/domain/grant.js';
import { ownedRoleDescription } from '../../../shared/domain/ownership.js';
import type { AccountCredentials, AttachedPolicy, RoleDirectory } from '../../../shared/ports.js';
import { applyRolePlan } from '../../../shared/reconcile/apply.js';
import { desiredTrustOf } from '../../../shared/reconcile/desired-trust.js';
import { observeRole } from '../../../shared/reconcile/observe.js';
import {
  AccessEffect,
  accessEffectOf,
  type HoldReason,
  isChange,
  planRoleChanges,
} from '../../../shared/reconcile/plan.js';
import { defaultPolicyType } from '../../../shared/reconcile/policy-attachments.js';
import { CloudErrors } from '../../support/cloud-errors.js';
import { FakeClock, SeededRandom } from '../../support/fake-clock.js';
import { DIRECTORY_WRITES, MemoryRoleDirectory } from '../../support/memory-role-directory.js';
import { MemoryAuditLog } from '../../support/memory-stores.js';
import { credentials, NOW, OWNER, SECOND, STRANGER, TRUSTED } from './fixtures.js';

const THIRD = '4444444444444444';
const ROLE: RoleKey = { ownerAccountId: OWNER, roleName: 'ram-for-dts' };
const DECLARABLE = [TRUSTED, SECOND, THIRD] as const;
const POLICY_POOL: readonly AttachedPolicy[] = [
  { policyName: 'AliyunDTSRolePolicy', policyType: 'System' },
  { policyName: 'AdministratorAccess', policyType: 'System' },
  { policyName: 'AliyunRAMFullAccess', policyType: 'System' },
  { policyName: 'Custom1', policyType: 'Custom' },
];
const DECLARABLE_POLICIES = ['AliyunDTSRolePolicy', 'AdministratorAccess', 'Custom1'] as const;
const PROTECTED = ['dts-trust-manager', 'ram-for-dts'];

// ---------------------------------------------------------------------------------------------------------------
// The oracle: who can use which policy.

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** A Condition block in one spelling: operators and keys sorted, each value a sorted list ("x" equals ["x"]). */
function canonicalCondition(condition: unknown): string {
  if (condition === undefined || condition === null) return '';
  const blocks = Object.entries(condition as Record<string, Record<string, unknown>>)
    .map(([operator, keys]) => {
      const values = Object.entries(keys)
        .map(([key, value]) => [key, list(value).map(String).sort()] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1));
      return [operator, values] as const;
    })
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(blocks);
}

/** Who can assume a role with this trust document: `<kind>:<principal>|<condition>` tokens. */
function whoCanAssume(text: string): Set<string> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return new Set([`opaque:${text}`]);
  }
  const statements = (document as { Statement?: unknown })?.Statement;
  if (!Array.isArray(statements)) return new Set([`opaque:${text}`]);
  const allowed = new Set<string>();
  const denied = new Set<string>();
  for (const statement of statements as Record<string, unknown>[]) {
    const actions = list(statement.Action).map((a) => String(a).toLowerCase());
    if (!actions.some((a) => a === 'sts:assumerole' || a === 'sts:*' || a === '*')) continue;
    for (const [kind, principals] of Object.entries((statement.Principal ?? {}) as Record<string, unknown>)) {
      for (const principal of list(principals)) {
        const who = `${kind}:${String(principal)}`;
        if (statement.Effect === 'Deny') denied.add(who);
        else allowed.add(`${who}|${canonicalCondition(statement.Condition)}`);
      }
    }
  }
  return new Set([...allowed].filter((token) => !denied.has(token.slice(0, token.indexOf('|')))));
}

const policyToken = (p: AttachedPolicy): string => `${p.policyType}:${p.policyName}`;

/** The (principal, policy) pairs of a role state; none for an absent role. */
function pairsOf(state: { trustPolicy: string; policies: readonly AttachedPolicy[] } | undefined): Set<string> {
  if (state === undefined) return new Set();
  const pairs = new Set<string>();
  for (const who of whoCanAssume(state.trustPolicy))
    for (const p of state.policies) pairs.add(`${who} -> ${policyToken(p)}`);
  return pairs;
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries.

/** `arbitrary` once in `oneIn` draws, `undefined` otherwise. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const ramPrincipal = fc.constantFrom(
  ...[...DECLARABLE, STRANGER, OWNER].map((uid) => `acs:ram::${uid}:root`),
  '*',
  `acs:ram::${STRANGER}:user/mallory`,
  TRUSTED,
);
const servicePrincipal = fc.constantFrom(
  ...[...DECLARABLE, STRANGER].map((uid) => `${uid}@dts.aliyuncs.com`),
  'dts.aliyuncs.com',
  'ecs.aliyuncs.com',
);
const statement = fc
  .record({
    Effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
    Action: fc.constantFrom<string | string[]>('sts:AssumeRole', ['sts:AssumeRole'], 'sts:*', '*'),
    RAM: fc.uniqueArray(ramPrincipal, { maxLength: 3 }),
    Service: fc.uniqueArray(servicePrincipal, { maxLength: 3 }),
    externalId: rarely(fc.constantFrom('ext-1', 'ext-2'), 4),
  })
  .filter((s) => s.RAM.length + s.Service.length > 0)
  .map((s) => ({
    Effect: s.Effect,
    Action: s.Action,
    Principal: { ...(s.RAM.length ? { RAM: s.RAM } : {}), ...(s.Service.length ? { Service: s.Service } : {}) },
    ...(s.externalId === undefined ? {} : { Condition: { StringEquals: { 'sts:ExternalId': s.externalId } } }),
  }));
/** A trust as dts-trust writes it, for some declarable accounts: the common starting point. */
const productTrust = fc
  .uniqueArray(fc.constantFrom(...DECLARABLE, STRANGER), { minLength: 1, maxLength: 3 })
  .map((uids) => [
    {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { RAM: uids.map((u) => `acs:ram::${u}:root`), Service: uids.map((u) => `${u}@dts.aliyuncs.com`) },
    },
  ]);
const trustText = fc.oneof(
  { weight: 4, arbitrary: productTrust.map((s) => JSON.stringify({ Version: '1', Statement: s })) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(productTrust, fc.array(statement, { maxLength: 2 }))
      .map(([p, extra]) => JSON.stringify({ Version: '1', Statement: [...p, ...extra] })),
  },
  {
    weight: 3,
    arbitrary: fc
      .array(statement, { minLength: 1, maxLength: 3 })
      .map((s) => JSON.stringify({ Version: '1', Statement: s })),
  },
  { weight: 1, arbitrary: fc.constant('{"Version":"1","Statement":"not a list"') },
);
/** The role as RAM holds it; absent one draw in six. */
const liveRole = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 5,
    arbitrary: fc.record({ trustPolicy: trustText, policies: fc.subarray([...POLICY_POOL]), owned: fc.boolean() }),
  },
);

const grantInput = fc.record({
  trustedAccountId: fc.constantFrom(...DECLARABLE),
  policies: fc.subarray([...DECLARABLE_POLICIES], { minLength: 1 }),
  mode: fc.constantFrom('enforce', 'enforce', 'enforce', 'enforce', 'observe', 'paused'),
  adopt: fc.boolean(),
  expired: fc.boolean(),
  externalId: rarely(fc.constant('ext-1'), 20),
});
const grants = fc
  .uniqueArray(grantInput, { maxLength: 3, selector: (g) => g.trustedAccountId })
  .map((inputs): Grant[] =>
    inputs.map((g) =>
      GrantSchema.parse({
        ownerAccountId: OWNER,
        roleName: ROLE.roleName,
        trustedAccountId: g.trustedAccountId,
        policies: g.policies,
        mode: g.mode,
        adopt: g.adopt,
        ...(g.externalId === undefined ? {} : { externalId: g.externalId }),
        ...(g.expired ? { expiresAt: '2029-12-31T00:00:00Z' } : {}),
        ticket: { system: 'jira', id: 'DTS-1', requester: 'ana', approver: 'ben' },
      }),
    ),
  );

/** Which write call fails (counting from 0), and whether RAM had applied it before the answer was lost. */
const failure = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.record({
      at: fc.integer({ min: 0, max: 7 }),
      applied: fc.boolean(),
      error: fc.constantFrom(CloudErrors.invalid(), CloudErrors.noPermission(), CloudErrors.unavailable()),
    }),
  },
);

const scenario = fc.record({
  live: liveRole,
  grants,
  hold: fc.constantFrom<HoldReason | undefined>(undefined, undefined, undefined, undefined, 'flapping', 'backoff'),
  protectedRole: fc.constantFrom(false, false, false, false, false, false, false, true),
  failure,
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------------------------
// Running one scenario.

/** The memory directory, failing the chosen write and taking a snapshot of the role after every write. */
function instrumented(
  memory: MemoryRoleDirectory,
  fail: Scenario['failure'],
  snapshots: Set<string>[],
): { directory: RoleDirectory; attempts: () => number } {
  let writes = 0;
  const snapshot = () => {
    const role = memory.role(OWNER, ROLE.roleName);
    snapshots.push(pairsOf(role && { trustPolicy: role.trustPolicy, policies: role.policies }));
  };
  const directory = new Proxy(memory, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || !DIRECTORY_WRITES.has(name as keyof RoleDirectory)) return value;
      return async (account: AccountCredentials, ...args: unknown[]) => {
        const index = writes++;
        try {
          if (fail && index === fail.at && !fail.applied) throw fail.error;
          const answer = await value.call(target, account, ...args);
          if (fail && index === fail.at) throw fail.error;
          return answer;
        } finally {
          snapshot();
        }
      };
    },
  });
  return { directory, attempts: () => writes };
}

async function run(s: Scenario) {
  const memory = new MemoryRoleDirectory();
  if (s.live) {
    memory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: s.live.owned ? ownedRoleDescription(ROLE) : 'made by hand',
      trustPolicy: s.live.trustPolicy,
      policies: s.live.policies.map((p) => ({ ...p })),
    });
  }
  const start = pairsOf(s.live);
  const desired = desiredRoleFromGrants(ROLE, s.grants, NOW);
  const built = desired === undefined ? undefined : desiredTrustOf(desired);
  const declaredPolicies = [...new Set(desired?.policies ?? [])].map((name) => ({
    policyName: name,
    policyType: defaultPolicyType(name),
  }));
  const declared =
    built?.ok === true ? pairsOf({ trustPolicy: built.trust.text, policies: declaredPolicies }) : new Set<string>();

  const observation = await observeRole(memory, credentials(), ROLE, desired);
  const plan = planRoleChanges(
    desired,
    observation,
    s.protectedRole ? { protectedRoles: PROTECTED } : {},
    s.hold === undefined ? {} : { hold: s.hold },
  );
  memory.resetCalls();
  const snapshots: Set<string>[] = [];
  const { directory, attempts } = instrumented(memory, s.failure, snapshots);
  let ids = 0;
  const result = await applyRolePlan(
    plan,
    {
      directory,
      audit: new MemoryAuditLog(),
      clock: new FakeClock(NOW),
      random: new SeededRandom(1),
      retry: { maxAttempts: 1 },
      newId: () => `e${++ids}`,
    },
    credentials(),
    { correlationId: 'property' },
  );
  const final = memory.role(OWNER, ROLE.roleName);
  return { memory, plan, result, start, declared, declaredPolicies, snapshots, final, desired, built, attempts };
}

const RUNS = { numRuns: 400, seed: 20301201 } as const;

describe('applying a plan step by step, with a failure at any step', () => {
  it('never lets a principal use a policy unless it could before or the grants declare both', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { snapshots, start, declared } = await run(s);
        for (const [step, pairs] of snapshots.entries()) {
          const widened = [...pairs].filter((pair) => !start.has(pair) && !declared.has(pair));
          expect(widened, `after write ${step}`).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('runs every removal before any addition, and nothing after a failure', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { plan, result, attempts } = await run(s);
        const effects = plan.actions.filter(isChange).map(accessEffectOf);
        const firstAdd = effects.indexOf(AccessEffect.Adds);
        if (firstAdd >= 0) expect(effects.slice(firstAdd)).not.toContain(AccessEffect.Removes);
        if (firstAdd >= 0) expect(effects.slice(firstAdd)).not.toContain(AccessEffect.Replaces);
        if (s.failure && result.outcome === 'failed') expect(attempts()).toBe(result.applied.length + 1);
      }),
      RUNS,
    );
  });

  it('leaves an owned role with no undeclared principal or policy once a plan succeeds, whatever the hold', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { result, final, built, declaredPolicies, desired, plan } = await run({ ...s, failure: undefined });
        const conflict = plan.actions.some((a) => a.kind === 'conflict');
        if (conflict || result.outcome === 'failed' || !s.live?.owned) return;
        if (desired === undefined) {
          expect(final).toBeUndefined();
          return;
        }
        if (built?.ok !== true || final === undefined) return;
        const declaredWho = whoCanAssume(built.trust.text);
        expect([...whoCanAssume(final.trustPolicy)].filter((who) => !declaredWho.has(who))).toEqual([]);
        const declaredNames = new Set(declaredPolicies.map(policyToken));
        expect(final.policies.map(policyToken).filter((p) => !declaredNames.has(p))).toEqual([]);
        if (plan.hold === undefined) {
          expect(whoCanAssume(final.trustPolicy)).toEqual(declaredWho);
          expect(new Set(final.policies.map(policyToken))).toEqual(declaredNames);
        }
      }),
      RUNS,
    );
  });

  it('still removes undeclared accounts and policies from an owned role whose grants conflict', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { result, final, plan, desired } = await run({ ...s, failure: undefined, protectedRole: false });
        const conflict = plan.actions.some((a) => a.kind === 'conflict');
        if (!conflict || desired === undefined || !s.live?.owned || final === undefined) return;
        expect(result.outcome).toBe('conflict');
        const declaredNames = new Set(desired.policies);
        expect(final.policies.filter((p) => !declaredNames.has(p.policyName))).toEqual([]);
        const start = whoCanAssume(s.live.trustPolicy);
        const readable = ![...start].some((t) => t.startsWith('opaque:')) && !s.live.trustPolicy.includes('"Deny"');
        const accounts = new Set(desired.trustedAccountIds);
        const namesDeclared = (token: string) => {
          const principal = token.slice(token.indexOf(':') + 1, token.indexOf('|'));
          const ram = /^acs:ram::(\d{16}):root$/.exec(principal);
          const service = /^(\d{16})@dts\.aliyuncs\.com$/.exec(principal);
          return accounts.has(ram?.[1] ?? service?.[1] ?? '');
        };
        if (readable && [...start].some(namesDeclared)) {
          expect([...whoCanAssume(final.trustPolicy)].filter((t) => !namesDeclared(t))).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('never writes to a protected role, and never to a role it does not own under a hold', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { memory, plan } = await run(s);
        if (s.protectedRole) expect(memory.writes()).toEqual([]);
        if (plan.hold !== undefined && s.live !== undefined && !s.live.owned) expect(memory.writes()).toEqual([]);
        if (plan.hold === 'observe' && s.live === undefined) expect(memory.writes()).toEqual([]);
      }),
      RUNS,
    );
  });
});
