import { describe, expect, it } from 'vitest';
import type { Grant } from '../../../shared/domain/grant.js';
import { CamTrustDialect, RamTrustDialect } from '../../../shared/policy/dialect.js';
import {
  buildSubAccountPolicy,
  renderSubAccountPolicy,
  subAccountPolicyDescription,
} from '../../../shared/policy/tencent/index.js';
import type { AccountCredentials, SubAccountPolicyDirectory, SubAccountPolicyRecord } from '../../../shared/ports.js';
import { reconcileTrustedSide, trustedSidePolicies } from '../../../shared/reconcile/trusted-side.js';
import { MemoryAuditLog } from '../../support/memory-stores.js';

const OWNER = '100000000001';
const TASK = '100000000002';
const OTHER = '100000000003';
const role = { ownerAccountId: OWNER, roleName: 'DTS-role' };
const NOW = new Date('2026-12-01T12:00:00Z');
const MARKER = subAccountPolicyDescription(OWNER, 'DTS-role');
const grant = (over: Partial<Grant> = {}): Grant => ({
  ownerAccountId: OWNER,
  roleName: 'DTS-role',
  trustedAccountId: TASK,
  cloud: 'tencent',
  policies: ['QcloudDTSReadOnlyAccess'],
  mode: 'enforce',
  adopt: false,
  ticket: { system: 'jira', id: 'DBA-1', requester: 'a', approver: 'b' },
  revision: 0,
  ...over,
});

/** One policy kept in memory, every write journaled. */
function memoryPolicies(live?: Omit<SubAccountPolicyRecord, 'policyId' | 'description' | 'otherEntities'>) {
  let policy: SubAccountPolicyRecord | undefined = live
    ? { description: MARKER, otherEntities: [], ...live, policyId: 'p1' }
    : undefined;
  const journal: string[] = [];
  const directory: SubAccountPolicyDirectory = {
    findPolicy: async () => policy,
    createPolicy: async (_a, policyName, document, description) => {
      journal.push('createPolicy');
      policy = { policyId: 'p1', policyName, description, document, userUins: [], otherEntities: [] };
      return 'p1';
    },
    updatePolicy: async (_a, _id, document) => {
      journal.push('updatePolicy');
      if (policy) policy = { ...policy, document };
    },
    attachUser: async (_a, _id, uin) => {
      journal.push(`attach ${uin}`);
      if (policy) policy = { ...policy, userUins: [...policy.userUins, uin].sort() };
    },
    detachUser: async (_a, _id, uin) => {
      journal.push(`detach ${uin}`);
      if (policy) policy = { ...policy, userUins: policy.userUins.filter((u) => u !== uin) };
    },
    detachEntity: async (_a, _id, entity) => {
      journal.push(`detach ${entity.kind} ${entity.id}`);
      if (policy) policy = { ...policy, otherEntities: policy.otherEntities.filter((e) => e.id !== entity.id) };
    },
    deletePolicy: async () => {
      journal.push('deletePolicy');
      policy = undefined;
    },
  };
  return { directory, journal, live: () => policy };
}

const credentials = async (accountId: string): Promise<AccountCredentials> => ({
  accountId,
  accessKeyId: 'k',
  accessKeySecret: 's',
});
const deps = (
  directory: SubAccountPolicyDirectory,
  over: { held?: boolean; writes?: boolean; managed?: string[] } = {},
) => ({
  port: { directory, manages: async (id: string) => (over.managed ?? [TASK]).includes(id) },
  credentialsFor: credentials,
  audit: new MemoryAuditLog(),
  clock: { now: () => NOW, sleep: async () => {} },
  newId: () => 'id',
  correlationId: 'c',
  writes: over.writes ?? true,
  held: over.held ?? false,
});
const document = renderSubAccountPolicy(buildSubAccountPolicy(OWNER, 'DTS-role'));

describe('trustedSidePolicies', () => {
  it('asks nothing of an Alibaba role', () => {
    expect(trustedSidePolicies(role, [grant({ cloud: 'alibaba' })], { dialect: RamTrustDialect }, NOW)).toEqual([]);
  });

  it('asks a trusted account the live trust still names, after its grant was revoked, for an empty policy', () => {
    const trust = CamTrustDialect.build([TASK], {}).parsed;
    expect(trustedSidePolicies(role, [], { dialect: CamTrustDialect, trust }, NOW)).toEqual([
      expect.objectContaining({ trustedAccountId: TASK, subAccountUins: [] }),
    ]);
  });
});

describe('reconcileTrustedSide', () => {
  it('creates the policy and attaches the declared sub-user, each recorded first', async () => {
    const memory = memoryPolicies();
    const d = deps(memory.directory);
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    await reconcileTrustedSide(policies, d);
    expect(memory.journal).toEqual(['createPolicy', 'attach 200']);
    expect(d.audit.events.map((e) => e.data.outcome)).toEqual(['createPolicy', 'attachUser']);
  });

  it('under a hold detaches an undeclared sub-user but attaches no declared one', async () => {
    const memory = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document, userUins: ['999'] });
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    const { steps } = await reconcileTrustedSide(policies, deps(memory.directory, { held: true }));
    expect(memory.journal).toEqual(['detach 999']);
    expect(steps).toEqual([{ kind: 'detachUser', uin: '999', trustedAccountId: TASK }]);
  });

  it('never enters a trusted account without a management role', async () => {
    const memory = memoryPolicies();
    const policies = trustedSidePolicies(
      role,
      [grant({ trustedAccountId: OTHER, subAccountUins: ['200'] })],
      undefined,
      NOW,
    );
    expect(await reconcileTrustedSide(policies, deps(memory.directory))).toEqual({
      steps: [],
      heldBack: [],
      events: [],
      conflicts: [],
      policyIds: {},
    });
    expect(memory.journal).toEqual([]);
  });

  it('in a dry run plans the steps and writes nothing', async () => {
    const memory = memoryPolicies();
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    const { steps } = await reconcileTrustedSide(policies, deps(memory.directory, { writes: false }));
    expect(steps.map((s) => s.kind)).toEqual(['createPolicy', 'attachUser']);
    expect(memory.journal).toEqual([]);
  });

  it('plans a due change from the grants as they are now: a sub-user revoked since the scan is not attached', async () => {
    const memory = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document, userUins: [] });
    const scanned = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    let reads = 0;
    const fresh = async () => {
      reads += 1;
      return trustedSidePolicies(role, [grant({ subAccountUins: ['300'] })], undefined, NOW);
    };
    await reconcileTrustedSide(scanned, { ...deps(memory.directory), fresh });
    expect(memory.journal).toEqual(['attach 300']);
    expect(reads).toBe(1);
  });

  it('reads the grants again only when a change is due (the steady state costs no grant read)', async () => {
    const memory = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document, userUins: ['200'] });
    const scanned = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    let reads = 0;
    const fresh = async () => {
      reads += 1;
      return scanned;
    };
    expect(await reconcileTrustedSide(scanned, { ...deps(memory.directory), fresh })).toEqual({
      steps: [],
      heldBack: [],
      events: [],
      conflicts: [],
      policyIds: { [TASK]: 'p1' },
    });
    expect(reads).toBe(0);
  });
  it('plans a change from a find of its own, never from a listing that lacked the policy', async () => {
    const memory = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document, userUins: ['999'] });
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    const find = async () => ({ live: undefined, listed: true });
    const { steps } = await reconcileTrustedSide(policies, { ...deps(memory.directory), find });
    expect(steps).toEqual([
      { kind: 'detachUser', uin: '999', trustedAccountId: TASK },
      { kind: 'attachUser', uin: '200', trustedAccountId: TASK },
    ]);
    expect(memory.journal).toEqual(['detach 999', 'attach 200']);
  });

  it('takes the listing’s answer when nothing is to change (no second find)', async () => {
    const memory = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document, userUins: ['200'] });
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    let finds = 0;
    const direct = memory.directory;
    const counted = {
      ...direct,
      findPolicy: (a: AccountCredentials, n: string) => {
        finds += 1;
        return direct.findPolicy(a, n);
      },
    };
    const find = async () => ({ live: memory.live(), listed: true });
    expect((await reconcileTrustedSide(policies, { ...deps(counted), find })).steps).toEqual([]);
    expect(finds).toBe(0);
  });

  it('under a hold repairs a widened document but keeps back a repair that only gives the declared statement back', async () => {
    const widened = JSON.stringify({
      version: '2.0',
      statement: [{ effect: 'allow', action: ['*'], resource: ['*'] }],
    });
    const wide = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document: widened, userUins: ['200'] });
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    expect((await reconcileTrustedSide(policies, deps(wide.directory, { held: true }))).steps).toEqual([
      { kind: 'updateDocument', document, narrows: true, trustedAccountId: TASK },
    ]);
    // The declared statement under a condition: narrower, so putting it back gives declared access back.
    const narrowed = document.replace(']}]}', '],"condition":{"ip_equal":{"qcs:ip":"10.0.0.1"}}}]}');
    const narrow = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document: narrowed, userUins: ['200'] });
    const held = await reconcileTrustedSide(policies, deps(narrow.directory, { held: true }));
    expect(held).toEqual({
      steps: [],
      heldBack: [{ kind: 'updateDocument', document, narrows: false, trustedAccountId: TASK }],
      events: [],
      conflicts: [],
      policyIds: { [TASK]: 'p1' },
    });
    expect(narrow.journal).toEqual([]);
  });

  it('leaves a policy of the reserved name without the marker as it is, recording a conflict instead of a change', async () => {
    const memory = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document, userUins: ['999'] });
    const customer = { ...(memory.live() as SubAccountPolicyRecord), description: 'the DBA team’s own' };
    const directory = { ...memory.directory, findPolicy: async () => customer };
    const d = deps(directory);
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    const result = await reconcileTrustedSide(policies, d);
    expect(result.steps).toEqual([]);
    expect(result.conflicts).toEqual([expect.objectContaining({ code: 'SubAccountPolicyNotManaged', policyId: 'p1' })]);
    expect(memory.journal).toEqual([]);
    expect(d.audit.events.map((e) => [e.type, e.data.outcome])).toEqual([['dts-trust.role.conflict', 'conflict']]);
  });

  it('owns the policy whose id the status row recorded, whatever its description, and no other policy of the name', async () => {
    const memory = memoryPolicies({ policyName: `dts-trust-${OWNER}-DTS-role`, document, userUins: ['999'] });
    const stripped = { ...(memory.live() as SubAccountPolicyRecord), description: '' };
    const policies = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    const ours = await reconcileTrustedSide(policies, {
      ...deps({ ...memory.directory, findPolicy: async () => stripped }),
      recorded: { [TASK]: 'p1' },
    });
    expect(ours.steps.map((s) => s.kind)).toEqual(['detachUser', 'attachUser']);
    expect(ours.policyIds).toEqual({ [TASK]: 'p1' });
    const marked = { ...(memory.live() as SubAccountPolicyRecord), policyId: 'p2' };
    for (const recorded of [{ [TASK]: 'p1' }, {}]) {
      const other = await reconcileTrustedSide(policies, {
        ...deps({ ...memory.directory, findPolicy: async () => marked }),
        recorded,
      });
      expect(other.conflicts).toEqual([expect.objectContaining({ policyId: 'p2' })]);
      expect(other.policyIds).toEqual({});
    }
  });

  it('reports the id of the policy it created, and none once it deleted it', async () => {
    const memory = memoryPolicies();
    const declared = trustedSidePolicies(role, [grant({ subAccountUins: ['200'] })], undefined, NOW);
    expect((await reconcileTrustedSide(declared, deps(memory.directory))).policyIds).toEqual({ [TASK]: 'p1' });
    const revoked = trustedSidePolicies(role, [grant({ subAccountUins: [] })], undefined, NOW);
    expect((await reconcileTrustedSide(revoked, deps(memory.directory))).policyIds).toEqual({ [TASK]: null });
  });
});
