import * as RamSdk from '@alicloud/ram20150501';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, sdkFailure, startTestCloud, type TestCloud, testRuntime } from '../../support/local-cloud.js';

const { sourceOwner, automation } = EXAMPLE;
const rt = testRuntime;

function trust(principal: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, ...extra }],
  });
}

const dtsTrust = (uid: string) => trust({ RAM: [`acs:ram::${uid}:root`], Service: [`${uid}@dts.aliyuncs.com`] });

let t: TestCloud;
let ram: ReturnType<TestCloud['ram']>;

beforeAll(async () => {
  t = await startTestCloud();
  ram = t.ram(sourceOwner.root);
});
afterAll(() => t.stop());

async function create(roleName: string, document = dtsTrust(automation.id), extra: Record<string, unknown> = {}) {
  return ram.createRoleWithOptions(
    new RamSdk.CreateRoleRequest({ roleName, assumeRolePolicyDocument: document, ...extra }),
    rt(),
  );
}

describe('RAM CreateRole and GetRole', () => {
  it('creates a role and returns it with a lower-cased ARN and the stored trust policy', async () => {
    const created = await create('Ram-For-DTS-A', dtsTrust(automation.id), {
      description: 'hello',
      maxSessionDuration: 7200,
    });
    expect(created.statusCode).toBe(200);
    const role = created.body?.role;
    expect(role?.arn).toBe(`acs:ram::${sourceOwner.id}:role/ram-for-dts-a`);
    expect(role?.roleName).toBe('Ram-For-DTS-A');
    expect(role?.roleId).toMatch(/^\d{19}$/);
    expect(role?.maxSessionDuration).toBe(7200);
    expect(role?.createDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(JSON.parse(role?.assumeRolePolicyDocument ?? '')).toEqual(JSON.parse(dtsTrust(automation.id)));

    const got = await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'ram-for-dts-a' }), rt());
    expect(got.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(got.body?.role?.description).toBe('hello');
    expect(got.body?.role?.updateDate).toBe(role?.createDate);
    expect(got.body?.role?.assumeRolePolicyDocument).toBe(role?.assumeRolePolicyDocument);
  });

  it('saves a service principal naming the owner itself as the bare service (the DTS wrong-id quirk)', async () => {
    const created = await create('own-id-role', dtsTrust(sourceOwner.id));
    const doc = JSON.parse(created.body?.role?.assumeRolePolicyDocument ?? '');
    expect(doc.Statement[0].Principal.Service).toEqual(['dts.aliyuncs.com']);
    expect(doc.Statement[0].Principal.RAM).toEqual([`acs:ram::${sourceOwner.id}:root`]);
  });

  it('keeps another account’s service principal as written', async () => {
    const created = await create('other-id-role', dtsTrust(automation.id));
    const doc = JSON.parse(created.body?.role?.assumeRolePolicyDocument ?? '');
    expect(doc.Statement[0].Principal.Service).toEqual([`${automation.id}@dts.aliyuncs.com`]);
  });

  it('answers EntityAlreadyExists.Role 409 for a name taken in any letter case', async () => {
    await create('dup-role');
    const f = await sdkFailure(create('DUP-ROLE'));
    expect([f.name, f.code, f.statusCode]).toEqual(['ClientError', 'EntityAlreadyExists.Role', 409]);
  });

  it('answers EntityNotExist.Role 404 for a missing role', async () => {
    const f = await sdkFailure(ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'nope' }), rt()));
    expect([f.code, f.statusCode]).toEqual(['EntityNotExist.Role', 404]);
  });

  it.each([
    ['bad_name', 'InvalidParameter.RoleName.InvalidChars'],
    ['has space', 'InvalidParameter.RoleName.InvalidChars'],
    ['x'.repeat(65), 'InvalidParameter.RoleName.Length'],
  ])('refuses the role name %j with %s', async (name, code) => {
    const f = await sdkFailure(create(name));
    expect([f.code, f.statusCode]).toEqual([code, 400]);
  });

  it.each([
    ['not JSON', '{'],
    ['a wrong Version', JSON.stringify({ Version: '2', Statement: [] })],
    ['no statements', JSON.stringify({ Version: '1', Statement: [] })],
    [
      'a bad Effect',
      JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Maybe', Action: 'sts:AssumeRole', Principal: { RAM: ['1234567890123456'] } }],
      }),
    ],
    ['another action', trust({ RAM: ['acs:ram::1234567890123456:root'] }).replace('sts:AssumeRole', 'ram:GetRole')],
    ['an unknown principal type', trust({ Account: ['1234567890123456'] })],
    ['a malformed RAM principal', trust({ RAM: ['acs:ram::12:root'] })],
    ['a malformed service principal', trust({ Service: ['dts'] })],
    ['an empty principal list', trust({ RAM: [] })],
  ])('refuses a trust policy with %s as MalformedPolicyDocument', async (_label, document) => {
    const f = await sdkFailure(create('malformed-role', document));
    expect([f.code, f.statusCode]).toEqual(['MalformedPolicyDocument', 400]);
  });

  /** A trust policy of `count` owners' EventBridge: 44 characters each, 101 around them. */
  const eventBridgeTrust = (count: number) =>
    trust({
      Service: Array.from({ length: count }, (_, i) => `${String(6_000_000_000_000_000 + i)}@eventbridge.aliyuncs.com`),
    });

  it("refuses a trust policy beyond 4,096 characters at CreateRole with RAM's code and message, and takes one at the limit", async () => {
    const longest = eventBridgeTrust(90);
    const padded = longest.replace('"Version":"1"', `"Version":"1"${' '.repeat(4096 - longest.length)}`);
    expect(padded.length).toBe(4096);
    await create('at-the-limit', padded);
    const f = await sdkFailure(create('beyond-the-limit', eventBridgeTrust(91)));
    expect([f.code, f.statusCode, f.message]).toEqual([
      'InvalidParameter.AssumeRolePolicyDocument.Length',
      400,
      expect.stringContaining('The parameter - "AssumeRolePolicyDocument" beyond the length limit.'),
    ]);
  });

  it("refuses a new trust policy beyond 4,096 characters at UpdateRole with its own parameter's code, and keeps the old one", async () => {
    await create('grows-too-long', eventBridgeTrust(2));
    const f = await sdkFailure(
      ram.updateRoleWithOptions(
        new RamSdk.UpdateRoleRequest({ roleName: 'grows-too-long', newAssumeRolePolicyDocument: eventBridgeTrust(91) }),
        rt(),
      ),
    );
    expect([f.code, f.statusCode, f.message]).toEqual([
      'InvalidParameter.NewAssumeRolePolicyDocument.Length',
      400,
      expect.stringContaining('The parameter - "NewAssumeRolePolicyDocument" beyond the length limit.'),
    ]);
    const after = await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'grows-too-long' }), rt());
    expect(after.body?.role?.assumeRolePolicyDocument).toBe(eventBridgeTrust(2));
  });

  it('refuses a MaxSessionDuration outside 3600-43200', async () => {
    const f = await sdkFailure(create('short-role', dtsTrust(automation.id), { maxSessionDuration: 900 }));
    expect([f.code, f.statusCode]).toEqual(['InvalidParameter.MaxSessionDuration', 400]);
  });

  it('answers LimitExceeded.Role 409 at 1,000 roles', async () => {
    const other = await startTestCloud();
    try {
      const account = other.cloud.core.accounts.get(EXAMPLE.destinationOwner.id);
      const template = account?.roles.get(EXAMPLE.managementRole);
      if (!account || !template) throw new Error('example account missing');
      for (let i = account.roles.size; i < 1000; i++)
        account.roles.set(`filler-${i}`, { ...template, name: `filler-${i}`, policies: [] });
      const f = await sdkFailure(
        other.ram(EXAMPLE.destinationOwner.root).createRoleWithOptions(
          new RamSdk.CreateRoleRequest({
            roleName: 'one-too-many',
            assumeRolePolicyDocument: dtsTrust(automation.id),
          }),
          rt(),
        ),
      );
      expect([f.code, f.statusCode]).toEqual(['LimitExceeded.Role', 409]);
    } finally {
      await other.stop();
    }
  });
});

describe('RAM UpdateRole and DeleteRole', () => {
  it('replaces the trust policy and description', async () => {
    await create('update-me');
    const updated = await ram.updateRoleWithOptions(
      new RamSdk.UpdateRoleRequest({
        roleName: 'update-me',
        newAssumeRolePolicyDocument: trust({ RAM: `acs:ram::${automation.id}:root` }),
        newDescription: 'new',
      }),
      rt(),
    );
    expect(updated.body?.role?.description).toBe('new');
    const got = await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'update-me' }), rt());
    expect(JSON.parse(got.body?.role?.assumeRolePolicyDocument ?? '').Statement[0].Principal.RAM).toBe(
      `acs:ram::${automation.id}:root`,
    );
  });

  it('refuses a malformed new trust policy and keeps the old one', async () => {
    await create('keep-me');
    const before = await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'keep-me' }), rt());
    const f = await sdkFailure(
      ram.updateRoleWithOptions(
        new RamSdk.UpdateRoleRequest({ roleName: 'keep-me', newAssumeRolePolicyDocument: '{"Version":"1"}' }),
        rt(),
      ),
    );
    expect(f.code).toBe('MalformedPolicyDocument');
    const after = await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'keep-me' }), rt());
    expect(after.body?.role?.assumeRolePolicyDocument).toBe(before.body?.role?.assumeRolePolicyDocument);
  });

  it('refuses to delete a role with policies attached (DeleteConflict.Role.Policy 409), and for the settle time after the last detach', async () => {
    let nowMs = Date.now();
    const p = await startTestCloud({
      clock: { now: () => new Date(nowMs) },
      services: { ram: { detachSettleSeconds: 5 } },
    });
    try {
      const client = p.ram(sourceOwner.root);
      await client.createRoleWithOptions(
        new RamSdk.CreateRoleRequest({ roleName: 'delete-me', assumeRolePolicyDocument: dtsTrust(automation.id) }),
        rt(),
      );
      const policy = { roleName: 'delete-me', policyName: 'AliyunDTSRolePolicy', policyType: 'System' };
      await client.attachPolicyToRoleWithOptions(new RamSdk.AttachPolicyToRoleRequest(policy), rt());
      const del = () => client.deleteRoleWithOptions(new RamSdk.DeleteRoleRequest({ roleName: 'delete-me' }), rt());
      const attached = await sdkFailure(del());
      expect([attached.code, attached.statusCode]).toEqual(['DeleteConflict.Role.Policy', 409]);
      await client.detachPolicyFromRoleWithOptions(new RamSdk.DetachPolicyFromRoleRequest(policy), rt());
      const settling = await sdkFailure(del());
      expect([settling.code, settling.statusCode]).toEqual(['DeleteConflict.Role.Policy', 409]);
      nowMs += 4_999;
      expect((await sdkFailure(del())).code).toBe('DeleteConflict.Role.Policy');
      nowMs += 1;
      expect((await del()).statusCode).toBe(200);
      const gone = await sdkFailure(
        client.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'delete-me' }), rt()),
      );
      expect(gone.code).toBe('EntityNotExist.Role');
    } finally {
      await p.stop();
    }
  });

  it('deletes at once after the last detach when detachSettleSeconds is 0', async () => {
    const p = await startTestCloud({ services: { ram: { detachSettleSeconds: 0 } } });
    try {
      const client = p.ram(sourceOwner.root);
      await client.createRoleWithOptions(
        new RamSdk.CreateRoleRequest({ roleName: 'quick', assumeRolePolicyDocument: dtsTrust(automation.id) }),
        rt(),
      );
      const policy = { roleName: 'quick', policyName: 'AliyunDTSRolePolicy', policyType: 'System' };
      await client.attachPolicyToRoleWithOptions(new RamSdk.AttachPolicyToRoleRequest(policy), rt());
      await client.detachPolicyFromRoleWithOptions(new RamSdk.DetachPolicyFromRoleRequest(policy), rt());
      const deleted = await client.deleteRoleWithOptions(new RamSdk.DeleteRoleRequest({ roleName: 'quick' }), rt());
      expect(deleted.statusCode).toBe(200);
    } finally {
      await p.stop();
    }
  });

  it('answers EntityNotExist.Role when deleting a missing role', async () => {
    const f = await sdkFailure(
      ram.deleteRoleWithOptions(new RamSdk.DeleteRoleRequest({ roleName: 'never-was' }), rt()),
    );
    expect([f.code, f.statusCode]).toEqual(['EntityNotExist.Role', 404]);
  });
});

describe('RAM ListRoles', () => {
  it('pages with MaxItems and Marker without trust documents', async () => {
    const p = await startTestCloud();
    try {
      const client = p.ram(EXAMPLE.taskCreator.root);
      for (const name of ['r1', 'r2', 'r3', 'r4', 'r5']) {
        await client.createRoleWithOptions(
          new RamSdk.CreateRoleRequest({ roleName: name, assumeRolePolicyDocument: dtsTrust(automation.id) }),
          rt(),
        );
      }
      const seen: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const res = await client.listRolesWithOptions(
          new RamSdk.ListRolesRequest({ maxItems: 2, ...(marker ? { marker } : {}) }),
          rt(),
        );
        const roles = res.body?.roles?.role ?? [];
        for (const r of roles) {
          seen.push(r.roleName ?? '');
          expect(r.toMap()).not.toHaveProperty('AssumeRolePolicyDocument');
        }
        marker = res.body?.isTruncated ? res.body.marker : undefined;
        if (res.body?.isTruncated) expect(res.body.marker).toBeTruthy();
        pages += 1;
      } while (marker);
      expect(pages).toBe(3);
      // The task account opened DTS, so it holds the role the DTS console creates, listed first.
      expect(seen).toEqual(['AliyunDTSDefaultRole', 'r1', 'r2', 'r3', 'r4', 'r5']);
    } finally {
      await p.stop();
    }
  });

  it('refuses MaxItems above 1000', async () => {
    const f = await sdkFailure(ram.listRolesWithOptions(new RamSdk.ListRolesRequest({ maxItems: 1001 }), rt()));
    expect([f.code, f.statusCode]).toEqual(['InvalidParameter.MaxItems', 400]);
  });
});

describe('RAM role policies', () => {
  it('attaches, lists and detaches system policies', async () => {
    await create('policy-role');
    const attach = (policyName: string) =>
      ram.attachPolicyToRoleWithOptions(
        new RamSdk.AttachPolicyToRoleRequest({ roleName: 'policy-role', policyName, policyType: 'System' }),
        rt(),
      );
    await attach('AliyunDTSRolePolicy');
    await attach('AliyunRAMReadOnlyAccess');
    const listed = await ram.listPoliciesForRoleWithOptions(
      new RamSdk.ListPoliciesForRoleRequest({ roleName: 'policy-role' }),
      rt(),
    );
    const policies = listed.body?.policies?.policy ?? [];
    expect(policies.map((p) => [p.policyName, p.policyType])).toEqual([
      ['AliyunDTSRolePolicy', 'System'],
      ['AliyunRAMReadOnlyAccess', 'System'],
    ]);
    expect(policies[0]?.attachDate).toMatch(/Z$/);
    expect(policies[0]?.defaultVersion).toBe('v1');
    expect(policies[0]?.description).not.toBe('');
  });

  it.each([
    ['attaching twice', 'EntityAlreadyExists.Role.Policy', 409, 'attach', 'AliyunDTSRolePolicy'],
    ['detaching what is not attached', 'EntityNotExist.Role.Policy', 404, 'detach', 'AliyunFCFullAccess'],
    ['attaching an unknown system policy', 'EntityNotExist.Policy', 404, 'attach', 'AliyunNoSuchPolicy'],
  ])('answers %s with %s', async (_label, code, status, op, policyName) => {
    await create(`pol-${code.toLowerCase().replace(/\./g, '-')}`);
    const roleName = `pol-${code.toLowerCase().replace(/\./g, '-')}`;
    await ram.attachPolicyToRoleWithOptions(
      new RamSdk.AttachPolicyToRoleRequest({ roleName, policyName: 'AliyunDTSRolePolicy', policyType: 'System' }),
      rt(),
    );
    const request = { roleName, policyName, policyType: 'System' };
    const f = await sdkFailure(
      op === 'attach'
        ? ram.attachPolicyToRoleWithOptions(new RamSdk.AttachPolicyToRoleRequest(request), rt())
        : ram.detachPolicyFromRoleWithOptions(new RamSdk.DetachPolicyFromRoleRequest(request), rt()),
    );
    expect([f.code, f.statusCode]).toEqual([code, status]);
  });

  it('answers EntityNotExist.Role for a policy on a missing role', async () => {
    const f = await sdkFailure(
      ram.listPoliciesForRoleWithOptions(new RamSdk.ListPoliciesForRoleRequest({ roleName: 'missing-role' }), rt()),
    );
    expect([f.code, f.statusCode]).toEqual(['EntityNotExist.Role', 404]);
  });

  it('allows at most 20 system policies per role', async () => {
    const p = await startTestCloud();
    try {
      const account = p.cloud.core.accounts.get(sourceOwner.id);
      const role = account?.roles.get(EXAMPLE.managementRole);
      if (!role) throw new Error('management role missing');
      role.policies = Array.from({ length: 20 }, (_, i) => ({
        name: `Filler${i}`,
        type: 'System' as const,
        attachDate: '2024-01-01T00:00:00Z',
      }));
      const f = await sdkFailure(
        p.ram(sourceOwner.root).attachPolicyToRoleWithOptions(
          new RamSdk.AttachPolicyToRoleRequest({
            roleName: EXAMPLE.managementRole,
            policyName: 'AliyunDTSRolePolicy',
            policyType: 'System',
          }),
          rt(),
        ),
      );
      expect([f.code, f.statusCode]).toEqual(['LimitExceeded.Role.Policy.System', 409]);
    } finally {
      await p.stop();
    }
  });
});

describe('RAM tags', () => {
  it('tags roles, lists them by role and filters ListRoles by tag', async () => {
    await create('tagged-a');
    await create('tagged-b');
    await ram.tagResourcesWithOptions(
      new RamSdk.TagResourcesRequest({
        resourceType: 'role',
        resourceNames: ['tagged-a', 'tagged-b'],
        tag: [new RamSdk.TagResourcesRequestTag({ key: 'managed-by', value: 'dts-trust' })],
      }),
      rt(),
    );
    const listed = await ram.listTagResourcesWithOptions(
      new RamSdk.ListTagResourcesRequest({ resourceType: 'role', resourceNames: ['tagged-a'] }),
      rt(),
    );
    expect(listed.body?.tagResources?.map((r) => r.toMap())).toEqual([
      { ResourceName: 'tagged-a', ResourceType: 'role', TagKey: 'managed-by', TagValue: 'dts-trust' },
    ]);
    const filtered = await ram.listRolesWithOptions(
      new RamSdk.ListRolesRequest({ tag: [new RamSdk.ListRolesRequestTag({ key: 'managed-by', value: 'dts-trust' })] }),
      rt(),
    );
    expect(filtered.body?.roles?.role?.map((r) => r.roleName)).toEqual(['tagged-a', 'tagged-b']);
    expect(filtered.body?.roles?.role?.[0]?.tags?.tag?.[0]?.tagKey).toBe('managed-by');
  });

  it('pages ListTagResources with NextToken', async () => {
    await create('many-tags');
    const tag = ['a', 'b', 'c'].map((key) => new RamSdk.TagResourcesRequestTag({ key, value: key }));
    await ram.tagResourcesWithOptions(
      new RamSdk.TagResourcesRequest({ resourceType: 'role', resourceNames: ['many-tags'], tag }),
      rt(),
    );
    const first = await ram.listTagResourcesWithOptions(
      new RamSdk.ListTagResourcesRequest({ resourceType: 'role', resourceNames: ['many-tags'], pageSize: 2 }),
      rt(),
    );
    expect(first.body?.tagResources).toHaveLength(2);
    const second = await ram.listTagResourcesWithOptions(
      new RamSdk.ListTagResourcesRequest({
        resourceType: 'role',
        resourceNames: ['many-tags'],
        pageSize: 2,
        nextToken: first.body?.nextToken,
      }),
      rt(),
    );
    expect(second.body?.tagResources?.map((r) => r.tagKey)).toEqual(['c']);
    expect(second.body?.nextToken).toBeUndefined();
  });

  it('answers EntityNotExist.Role when tagging a missing role', async () => {
    const f = await sdkFailure(
      ram.tagResourcesWithOptions(
        new RamSdk.TagResourcesRequest({
          resourceType: 'role',
          resourceNames: ['ghost'],
          tag: [new RamSdk.TagResourcesRequestTag({ key: 'k', value: 'v' })],
        }),
        rt(),
      ),
    );
    expect([f.code, f.statusCode]).toEqual(['EntityNotExist.Role', 404]);
  });
});

describe('RAM permissions', () => {
  it('lets a read-only user read but answers NoPermission 403 when it writes', async () => {
    const auditor = t.ram(sourceOwner.auditor);
    const got = await auditor.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: EXAMPLE.managementRole }), rt());
    expect(got.body?.role?.roleName).toBe(EXAMPLE.managementRole);
    const f = await sdkFailure(
      auditor.createRoleWithOptions(
        new RamSdk.CreateRoleRequest({ roleName: 'sneaky', assumeRolePolicyDocument: dtsTrust(automation.id) }),
        rt(),
      ),
    );
    expect([f.name, f.code, f.statusCode]).toEqual(['ClientError', 'NoPermission', 403]);
    expect((f.error as { accessDeniedDetail?: Record<string, unknown> }).accessDeniedDetail?.['AuthAction']).toBe(
      'ram:CreateRole',
    );
  });

  it('evaluates custom policies with wildcards, Deny winning over Allow', async () => {
    const p = await startTestCloud();
    try {
      const account = p.cloud.core.accounts.get(sourceOwner.id);
      if (!account) throw new Error('missing');
      account.customPolicies.set(
        'get-but-not-mgr',
        JSON.stringify({
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: ['ram:Get*', 'ram:ListPolicies*'], Resource: '*' },
            { Effect: 'Deny', Action: 'ram:*', Resource: `acs:ram:*:${sourceOwner.id}:role/${EXAMPLE.managementRole}` },
          ],
        }),
      );
      account.users.set('custom', {
        name: 'custom',
        userId: '2000000000000000001',
        accessKeys: [{ id: 'LTAI5tCustomPolicyUser', secret: 'custom-secret' }],
        policies: [{ name: 'get-but-not-mgr', type: 'Custom', attachDate: '2024-01-01T00:00:00Z' }],
      });
      p.cloud.core.reindex();
      const client = p.ram({ accessKeyId: 'LTAI5tCustomPolicyUser', accessKeySecret: 'custom-secret' });
      await p
        .ram(sourceOwner.root)
        .createRoleWithOptions(
          new RamSdk.CreateRoleRequest({ roleName: 'readable', assumeRolePolicyDocument: dtsTrust(automation.id) }),
          rt(),
        );
      expect(
        (await client.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'readable' }), rt())).statusCode,
      ).toBe(200);
      const denied = await sdkFailure(
        client.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: EXAMPLE.managementRole }), rt()),
      );
      expect(denied.code).toBe('NoPermission');
      const notAllowed = await sdkFailure(client.listRolesWithOptions(new RamSdk.ListRolesRequest({}), rt()));
      expect(notAllowed.code).toBe('NoPermission');
    } finally {
      await p.stop();
    }
  });
});

describe('RAM quirks options', () => {
  it('returns the trust policy pretty-printed and string principals as arrays when configured', async () => {
    const p = await startTestCloud({ services: { ram: { prettyPrint: true, principalsAsArrays: true } } });
    try {
      const client = p.ram(sourceOwner.root);
      await client.createRoleWithOptions(
        new RamSdk.CreateRoleRequest({
          roleName: 'quirky',
          assumeRolePolicyDocument: trust({ RAM: `acs:ram::${automation.id}:root` }),
        }),
        rt(),
      );
      const got = await client.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'quirky' }), rt());
      const text = got.body?.role?.assumeRolePolicyDocument ?? '';
      expect(text).toContain('\n    ');
      expect(JSON.parse(text).Statement[0].Principal.RAM).toEqual([`acs:ram::${automation.id}:root`]);
    } finally {
      await p.stop();
    }
  });

  it('keeps string principals and compact documents by default', async () => {
    await create('plain', trust({ RAM: `acs:ram::${automation.id}:root` }));
    const got = await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'plain' }), rt());
    const text = got.body?.role?.assumeRolePolicyDocument ?? '';
    expect(text).not.toContain('\n');
    expect(JSON.parse(text).Statement[0].Principal.RAM).toBe(`acs:ram::${automation.id}:root`);
  });
});

describe('RAM GetUser', () => {
  it('answers a user of the account by name, in any case', async () => {
    const res = await ram.getUserWithOptions(new RamSdk.GetUserRequest({ userName: 'RAM-Auditor' }), rt());
    expect(res.body?.user?.userName).toBe('ram-auditor');
    expect(res.body?.user?.userId).toBeTruthy();
  });

  it('answers EntityNotExist.User 404 for a name no user carries, even a role name', async () => {
    const f = await sdkFailure(
      ram.getUserWithOptions(new RamSdk.GetUserRequest({ userName: EXAMPLE.managementRole }), rt()),
    );
    expect([f.code, f.statusCode]).toEqual(['EntityNotExist.User', 404]);
  });

  it('refuses a caller without ram:GetUser with NoPermission 403, and lets a RAM reader through', async () => {
    const auditor = t.ram(sourceOwner.auditor);
    const read = await auditor.getUserWithOptions(new RamSdk.GetUserRequest({ userName: 'ram-auditor' }), rt());
    expect(read.statusCode).toBe(200);
    const sender = t.ram({
      accessKeyId: 'LTAI5tLocalTicketSender',
      accessKeySecret: 'local-ticket-sender-secret-0001',
    });
    const f = await sdkFailure(
      sender.getUserWithOptions(new RamSdk.GetUserRequest({ userName: 'ticket-sender' }), rt()),
    );
    expect([f.code, f.statusCode]).toEqual(['NoPermission', 403]);
  });
});
