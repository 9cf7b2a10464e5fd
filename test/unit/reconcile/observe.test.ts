import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ownedRoleDescription } from '../../../shared/domain/ownership.js';
import { observeRole } from '../../../shared/reconcile/observe.js';
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

describe('observeRole', () => {
  it('makes exactly two reads and finds an owned, correct role up to date', async () => {
    const directory = new MemoryRoleDirectory();
    putOwnedRole(directory);
    const observation = await observeRole(directory, credentials(), ROLE, desired());
    expect(directory.calls.map((c) => c.method)).toEqual(['getRole', 'listAttachedPolicies']);
    expect(observation).toMatchObject({ exists: true, owned: true, upToDate: true });
    expect(observation.trustDiff?.upToDate).toBe(true);
    expect(observation.policiesToAttach).toEqual([]);
    expect(observation.policiesToDetach).toEqual([]);
  });

  it('makes one read when the role does not exist and lists the policies to attach', async () => {
    const directory = new MemoryRoleDirectory();
    const observation = await observeRole(directory, credentials(), ROLE, desired());
    expect(directory.count()).toBe(1);
    expect(observation).toMatchObject({ exists: false, owned: false, upToDate: false, policies: [] });
    expect(observation.policiesToAttach).toEqual([DTS_POLICY]);
  });

  it('is up to date when the role is absent and nothing is desired', async () => {
    const observation = await observeRole(new MemoryRoleDirectory(), credentials(), ROLE, undefined);
    expect(observation.upToDate).toBe(true);
  });

  it('never writes, whatever it finds', async () => {
    const directory = new MemoryRoleDirectory();
    directory.putRole(OWNER, { roleName: ROLE.roleName, trustPolicy: 'not json', policies: [{ ...DTS_POLICY }] });
    await observeRole(directory, credentials(), ROLE, desired());
    await observeRole(directory, credentials(), ROLE, undefined);
    expect(directory.writes()).toEqual([]);
  });

  it('reports an unparseable live trust policy as an error instead of crashing', async () => {
    const directory = new MemoryRoleDirectory();
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: ownedRoleDescription(ROLE),
      trustPolicy: '{"Version":"1","Statement":',
    });
    const observation = await observeRole(directory, credentials(), ROLE, desired());
    expect(observation.trust).toBeUndefined();
    expect(observation.trustError).toMatch(/not valid JSON/);
    expect(observation.trustDiff).toBeUndefined();
    expect(observation.upToDate).toBe(false);
  });

  it('compares trust semantically: a pretty-printed document with string principals is up to date', async () => {
    const directory = new MemoryRoleDirectory();
    const pretty = JSON.stringify(
      {
        Statement: [
          {
            Principal: { Service: `${TRUSTED}@dts.aliyuncs.com`, RAM: `acs:ram::${TRUSTED}:root` },
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
          },
        ],
        Version: '1',
      },
      null,
      2,
    );
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: ownedRoleDescription(ROLE),
      trustPolicy: pretty,
      policies: [{ ...DTS_POLICY }],
    });
    expect((await observeRole(directory, credentials(), ROLE, desired())).upToDate).toBe(true);
  });

  it('finds an undeclared account and an undeclared policy as drift', async () => {
    const directory = new MemoryRoleDirectory();
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: ownedRoleDescription(ROLE),
      trustPolicy: trustText([TRUSTED, STRANGER]),
      policies: [{ ...DTS_POLICY }, { policyName: 'AdministratorAccess', policyType: 'System' }],
    });
    const observation = await observeRole(directory, credentials(), ROLE, desired());
    expect(observation.upToDate).toBe(false);
    expect(observation.trustDiff?.toRemove.map((r) => r.finding)).toEqual(['undeclaredAccount', 'foreignService']);
    expect(observation.policiesToDetach).toEqual([{ policyName: 'AdministratorAccess', policyType: 'System' }]);
  });

  it('sees a role without the ownership marker as not owned', async () => {
    const directory = new MemoryRoleDirectory();
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: 'made by hand',
      trustPolicy: trustText([TRUSTED]),
    });
    const observation = await observeRole(directory, credentials(), ROLE, desired());
    expect(observation).toMatchObject({ exists: true, owned: false, upToDate: false });
  });

  it('lists every attached policy for detaching when nothing is desired', async () => {
    const directory = new MemoryRoleDirectory();
    putOwnedRole(directory, [TRUSTED, SECOND]);
    const observation = await observeRole(directory, credentials(), ROLE, undefined);
    expect(observation.policiesToDetach).toEqual([DTS_POLICY]);
    expect(observation.upToDate).toBe(false);
  });

  it('hashes the observed state so a change between runs is visible', async () => {
    const directory = new MemoryRoleDirectory();
    putOwnedRole(directory);
    const first = await observeRole(directory, credentials(), ROLE, desired());
    const again = await observeRole(directory, credentials(), ROLE, desired([grant({ trustedAccountId: SECOND })]));
    (directory.role(OWNER, ROLE.roleName) as { trustPolicy: string }).trustPolicy = trustText([SECOND]);
    const changed = await observeRole(directory, credentials(), ROLE, desired());
    expect(again.hash).toBe(first.hash);
    expect(changed.hash).not.toBe(first.hash);
  });

  it('keeps the hash earlier releases wrote into status rows: the SHA-256 of the state as JSON', async () => {
    const directory = new MemoryRoleDirectory();
    putOwnedRole(directory);
    const sha = (state: unknown) => createHash('sha256').update(JSON.stringify(state)).digest('hex');
    const observed = await observeRole(directory, credentials(), ROLE, desired());
    const trust = observed.trust?.entries.map((e) =>
      JSON.stringify([e.effect, e.action, e.principalKind, e.principal, e.condition]),
    );
    expect(observed.hash).toBe(
      sha({ exists: true, owned: true, trust, policies: [`${DTS_POLICY.policyType}:${DTS_POLICY.policyName}`] }),
    );
    (directory.role(OWNER, ROLE.roleName) as { trustPolicy: string }).trustPolicy = 'not a policy';
    const unparsed = await observeRole(directory, credentials(), ROLE, desired());
    expect(unparsed.hash).toBe(
      sha({
        exists: true,
        owned: true,
        trust: 'not a policy',
        policies: [`${DTS_POLICY.policyType}:${DTS_POLICY.policyName}`],
      }),
    );
    const absent = await observeRole(new MemoryRoleDirectory(), credentials(), ROLE, desired());
    expect(absent.hash).toBe(sha({ exists: false }));
  });
});
