import { describe, expect, it } from 'vitest';
import { preflightNotAsked, preflightQuestions } from '../../../shared/domain/preflight.js';
import { RelationshipSchema } from '../../../shared/domain/relationship.js';
import { tencentReadinessProblems } from '../../../shared/intake/tencent-readiness.js';

const OWNER = '100000000001';
const TASK = '100000000002';

const tencent = (over: Record<string, unknown> = {}) =>
  RelationshipSchema.parse({
    cloud: 'tencent',
    scenario: 'source',
    taskKind: 'synchronization',
    source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance', roleName: 'DTS-role' },
    destination: { accountId: TASK, databaseType: 'mysql', accessMethod: 'instance' },
    ...over,
  });

const alibaba = RelationshipSchema.parse({
  scenario: 'source',
  source: { accountId: '1437508826153950', databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
  destination: { accountId: '1729364058172635', databaseType: 'mysql', accessMethod: 'instance' },
});

const managing = (...accounts: string[]) => ({ manages: async (id: string) => accounts.includes(id) });
const codes = (problems: { code: string; field: string }[]) => problems.map((p) => `${p.code}@${p.field}`);

describe('tencentReadinessProblems', () => {
  it('refuses a Tencent relationship on a deployment without Tencent configuration, naming the cloud field', async () => {
    const problems = await tencentReadinessProblems(tencent(), undefined, 'relationship');
    expect(codes(problems)).toEqual(['TencentNotConfigured@relationship.cloud']);
    expect(problems[0]?.fix).toMatch(/DTS_TRUST_TENCENT_HUB_KEYS_SECRET/);
  });

  it('refuses an owner account without a management role', async () => {
    expect(codes(await tencentReadinessProblems(tencent(), managing(TASK), 'relationship'))).toEqual([
      'TencentAccountNotManaged@relationship.source.accountId',
    ]);
  });

  it('refuses sub-users whose task account has no management role to hold their AssumeRole policy', async () => {
    const rel = tencent({ subAccountUins: ['200000000077'] });
    expect(codes(await tencentReadinessProblems(rel, managing(OWNER), 'relationship'))).toEqual([
      'TencentAccountNotManaged@relationship.subAccountUins',
    ]);
    expect(await tencentReadinessProblems(rel, managing(OWNER, TASK), 'relationship')).toEqual([]);
  });

  it('does not ask about the task account when no sub-user is declared', async () => {
    expect(await tencentReadinessProblems(tencent(), managing(OWNER), 'relationship')).toEqual([]);
  });

  it('leaves Alibaba relationships alone, Tencent configured or not', async () => {
    expect(await tencentReadinessProblems(alibaba, undefined, 'relationship')).toEqual([]);
  });
});

describe('the preflight by cloud', () => {
  it('asks Alibaba RAM about an Alibaba relationship and reports nothing as not asked', () => {
    expect(preflightQuestions(alibaba, '').length).toBeGreaterThan(0);
    expect(preflightNotAsked(alibaba)).toEqual([]);
  });

  it('asks RAM nothing about a Tencent relationship and reports each of its accounts as not asked, with the reason', () => {
    expect(preflightQuestions(tencent(), '')).toEqual([]);
    const notAsked = preflightNotAsked(tencent());
    expect(notAsked.map((q) => [q.accountId, q.check])).toEqual([
      [OWNER, 'notOnThisCloud'],
      [TASK, 'notOnThisCloud'],
    ]);
    expect(notAsked[0]?.reason).toMatch(/^not asked on Tencent Cloud/);
  });
});
