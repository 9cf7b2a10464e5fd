import { describe, expect, it } from 'vitest';
import type { DesiredRole } from '../../../shared/domain/desired-role.js';
import { Ownership, ownedRoleDescription } from '../../../shared/domain/ownership.js';
import { describePlan } from '../../../shared/reconcile/describe-plan.js';
import { observeRole } from '../../../shared/reconcile/observe.js';
import { type PlannedAction, planRoleChanges } from '../../../shared/reconcile/plan.js';
import { MemoryRoleDirectory } from '../../support/memory-role-directory.js';
import {
  credentials,
  DTS_POLICY,
  desired,
  grant,
  OWNER,
  putOwnedRole,
  ROLE,
  SECOND,
  STRANGER,
  TRUSTED,
  trustText,
} from './fixtures.js';

type Arrange = (directory: MemoryRoleDirectory) => void;

const owned =
  (over: { trust?: string; policies?: { policyName: string; policyType: 'System' | 'Custom' }[] } = {}): Arrange =>
  (directory) =>
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: ownedRoleDescription(ROLE),
      trustPolicy: over.trust ?? trustText([TRUSTED]),
      policies: over.policies ?? [{ ...DTS_POLICY }],
    });

const foreign: Arrange = (directory) =>
  directory.putRole(OWNER, {
    roleName: ROLE.roleName,
    description: 'hand-made',
    trustPolicy: trustText([STRANGER]),
    policies: [{ policyName: 'ReadOnlyAccess', policyType: 'System' }],
  });

async function plan(arrange: Arrange | undefined, want: DesiredRole | undefined) {
  const directory = new MemoryRoleDirectory();
  arrange?.(directory);
  const observation = await observeRole(directory, credentials(), ROLE, want);
  return planRoleChanges(want, observation);
}

const kinds = (actions: readonly PlannedAction[]): string[] => actions.map((a) => a.kind);

describe('planRoleChanges', () => {
  it.each<{ name: string; arrange?: Arrange; want: () => DesiredRole | undefined; expected: string[] }>([
    {
      name: 'creates a missing role, then attaches its policies',
      want: () => desired(),
      expected: ['createRole', 'attachPolicy'],
    },
    {
      name: 'does nothing for an owned role that matches',
      arrange: owned(),
      want: () => desired(),
      expected: ['nothing'],
    },
    {
      name: 'updates a trust policy that trusts an undeclared account',
      arrange: owned({ trust: trustText([TRUSTED, STRANGER]) }),
      want: () => desired(),
      expected: ['updateTrust'],
    },
    {
      name: 'attaches a declared policy that is missing',
      arrange: owned({ policies: [] }),
      want: () => desired(),
      expected: ['attachPolicy'],
    },
    {
      name: 'detaches a policy no grant declares from an owned role',
      arrange: owned({ policies: [{ ...DTS_POLICY }, { policyName: 'AdministratorAccess', policyType: 'System' }] }),
      want: () => desired(),
      expected: ['detachPolicy'],
    },
    {
      name: 'deletes an owned role no active grant declares, detaching every policy first',
      arrange: owned({ policies: [{ ...DTS_POLICY }, { policyName: 'Extra', policyType: 'Custom' }] }),
      want: () => undefined,
      expected: ['detachPolicy', 'detachPolicy', 'deleteRole'],
    },
    {
      name: 'reports a RoleNotManaged conflict for a foreign role without adopt',
      arrange: foreign,
      want: () => desired(),
      expected: ['conflict'],
    },
    {
      name: 'adopts a foreign role when a grant allows it, detaches what it holds, then trusts and attaches as declared',
      arrange: foreign,
      want: () => desired([grant({ adopt: true })]),
      expected: ['adoptRole', 'detachPolicy', 'updateTrust', 'attachPolicy'],
    },
    {
      name: 'never touches a foreign role nothing declares',
      arrange: foreign,
      want: () => undefined,
      expected: ['nothing'],
    },
    { name: 'does nothing when nothing is desired and nothing exists', want: () => undefined, expected: ['nothing'] },
    {
      name: 'replaces an unparseable live trust policy',
      arrange: owned({ trust: '{"Version":"1","Statement":[{"Effect":"Maybe"}]}' }),
      want: () => desired(),
      expected: ['updateTrust'],
    },
    {
      name: 'refuses to apply grants that disagree on the external ID',
      arrange: owned(),
      want: () => desired([grant({ externalId: 'abc' }), grant({ trustedAccountId: SECOND })]),
      expected: ['conflict'],
    },
  ])('$name', async ({ arrange, want, expected }) => {
    expect(kinds((await plan(arrange, want())).actions)).toEqual(expected);
  });

  describe('protected roles', () => {
    const protectedRoles = ['dts-trust-manager', 'dts-trust-function', 'break-glass'];
    const planProtected = async (
      roleName: string,
      arrange: 'owned' | 'foreign' | 'none',
      want: 'declared' | 'none',
    ) => {
      const role = { ownerAccountId: OWNER, roleName };
      const directory = new MemoryRoleDirectory();
      if (arrange !== 'none') {
        directory.putRole(OWNER, {
          roleName,
          description: arrange === 'owned' ? ownedRoleDescription(role) : 'made by hand',
          trustPolicy: trustText([STRANGER]),
          policies: [{ policyName: 'AliyunRAMFullAccess', policyType: 'System' }],
        });
      }
      const wanted = want === 'declared' ? desired([grant({ roleName, adopt: true })], role) : undefined;
      const observation = await observeRole(directory, credentials(), role, wanted);
      return planRoleChanges(wanted, observation, { protectedRoles });
    };

    it.each([
      ['DTS-Trust-Manager', 'foreign', 'declared'],
      ['dts-trust-function', 'none', 'declared'],
      ['Break-Glass', 'owned', 'declared'],
      ['break-glass', 'owned', 'none'],
    ] as const)('refuses to touch %s (%s role, %s) with a RoleProtected conflict', async (name, arrange, want) => {
      const result = await planProtected(name, arrange, want);
      expect(result.actions).toEqual([
        {
          kind: 'conflict',
          code: 'RoleProtected',
          message: expect.stringContaining('never adopts, changes or deletes'),
        },
      ]);
    });

    it('leaves a protected role nothing declares and dts-trust does not own alone, without a conflict', async () => {
      expect(kinds((await planProtected('dts-trust-manager', 'foreign', 'none')).actions)).toEqual(['nothing']);
    });
  });

  it('refuses to build a trust policy with an external ID for an Alibaba Cloud DTS grant', async () => {
    const result = await plan(owned(), desired([grant({ externalId: 'ext-1234' })]));
    expect(result.actions).toEqual([
      {
        kind: 'conflict',
        code: 'ExternalIdNotSupported',
        message: expect.stringMatching(/^externalId: DTS cannot pass an external ID .*leave externalId out/),
      },
    ]);
  });

  it('creates the role with the desired trust policy, the ownership Description and the ownership tag', async () => {
    const [create] = (await plan(undefined, desired([grant(), grant({ trustedAccountId: SECOND })]))).actions;
    expect(create).toEqual({
      kind: 'createRole',
      role: {
        roleName: ROLE.roleName,
        trustPolicy: trustText([TRUSTED, SECOND]),
        description: ownedRoleDescription(ROLE),
        tags: { [Ownership.tagKey]: Ownership.tagValue },
      },
    });
  });

  it('carries before, after and the semantic diff on a trust update', async () => {
    const before = trustText([TRUSTED, STRANGER]);
    const [update] = (await plan(owned({ trust: before }), desired())).actions;
    expect(update).toMatchObject({ kind: 'updateTrust', before, after: trustText([TRUSTED]) });
    expect(update?.kind === 'updateTrust' && update.diff?.toRemove.length).toBe(2);
  });

  it('carries the parse error when it replaces an unparseable trust policy', async () => {
    const [update] = (await plan(owned({ trust: 'nope' }), desired())).actions;
    expect(update).toMatchObject({ kind: 'updateTrust', before: 'nope', after: trustText([TRUSTED]) });
    expect(update?.kind === 'updateTrust' && update.parseError).toMatch(/not valid JSON/);
  });

  it('names RoleNotManaged and how to fix it', async () => {
    const [conflict] = (await plan(foreign, desired())).actions;
    expect(conflict).toMatchObject({ kind: 'conflict', code: 'RoleNotManaged', message: /adopt: true/ });
  });

  it('holds back the repairs of declared access an observe grant asks for, and reports them', async () => {
    const result = await plan(owned({ policies: [] }), desired([grant({ mode: 'observe' })]));
    expect(result).toMatchObject({ mode: 'observe', hold: 'observe' });
    expect(kinds(result.actions)).toEqual(['nothing']);
    expect(kinds(result.heldBack)).toEqual(['attachPolicy']);
  });

  it('holds back every addition and repair of paused grants', async () => {
    const result = await plan(
      owned({ trust: trustText([TRUSTED]), policies: [] }),
      desired([grant({ mode: 'paused' }), grant({ trustedAccountId: SECOND })]),
    );
    expect(result).toMatchObject({ mode: 'paused', hold: 'paused' });
    expect(kinds(result.actions)).toEqual(['nothing']);
    expect(kinds(result.heldBack)).toEqual(['updateTrust', 'attachPolicy']);
  });

  it('carries the grant ids and tickets for the audit trail', async () => {
    const result = await plan(undefined, desired());
    expect(result.grantIds).toEqual([`${OWNER}/${ROLE.roleName}/${TRUSTED}`]);
    expect(result.tickets).toEqual([{ system: 'jira', id: 'DTS-7', requester: 'alice', approver: 'bob' }]);
    expect(result.arn).toBe(`acs:ram::${OWNER}:role/ram-for-dts`);
  });
});

describe('describePlan', () => {
  it('prints one numbered line per action under the role', async () => {
    const directory = new MemoryRoleDirectory();
    putOwnedRole(directory, [TRUSTED, STRANGER]);
    const text = describePlan(planRoleChanges(undefined, await observeRole(directory, credentials(), ROLE, undefined)));
    expect(text.split('\n')).toEqual([
      `${OWNER}/ram-for-dts (acs:ram::${OWNER}:role/ram-for-dts)`,
      '  1. detach AliyunDTSRolePolicy (System) (before deletion)',
      '  2. delete role (no active grant left)',
    ]);
  });

  it('shows the removals an observe plan still applies, then what it holds back', async () => {
    const text = describePlan(
      await plan(owned({ trust: trustText([TRUSTED, STRANGER]), policies: [] }), desired([grant({ mode: 'observe' })])),
    );
    expect(text.split('\n')).toEqual([
      `${OWNER}/ram-for-dts (acs:ram::${OWNER}:role/ram-for-dts) [observe: additions and repairs held back]`,
      expect.stringMatching(
        /^ {2}1\. narrow trust policy: remove RAM acs:ram::9999999999999999:root \(account no grant declares\)/,
      ),
      '  2. held back: attach AliyunDTSRolePolicy (System)',
    ]);
  });
});
