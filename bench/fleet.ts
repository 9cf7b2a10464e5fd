/**
 * A benchmark fleet: many owner accounts, each holding the management role and some DTS roles exactly as their
 * grants declare them (so a reconcile finds them in sync), plus the drift a person would cause in the console.
 */
import { readFileSync } from 'node:fs';
import type { AdminEdit } from '../local/cloud/admin.js';
import { LOCAL_AUTOMATION } from '../local/harness/local-environment.js';
import { type Grant, GrantSchema, type RoleKey } from '../shared/domain/grant.js';
import { Ownership, ownedRoleDescription } from '../shared/domain/ownership.js';
import { buildTrustPolicy, renderTrustPolicy } from '../shared/policy/index.js';

interface AccountSpec {
  id: string;
  name: string;
  accessKeys?: { id: string; secret: string }[];
  roles?: unknown[];
  [key: string]: unknown;
}

/** The example accounts document (local/accounts.example.json) and a lookup by account name. */
export function exampleAccounts(): { document: { accounts: AccountSpec[] }; byName(name: string): AccountSpec } {
  const document = JSON.parse(readFileSync(new URL('../local/accounts.example.json', import.meta.url), 'utf8')) as {
    accounts: AccountSpec[];
  };
  return {
    document,
    byName(name) {
      const found = document.accounts.find((a) => a.name === name);
      if (!found) throw new Error(`local/accounts.example.json has no account named ${name}`);
      return found;
    },
  };
}

const exampleAccount = exampleAccounts().byName;

/** The account every fleet grant trusts (the one that creates the DTS tasks). */
export const FLEET_TRUSTED_ACCOUNT = exampleAccount('task-creator').id;

/** The management role every owner account holds, as in the example source owner. */
const managementRole = (exampleAccount('source-owner').roles ?? [])[0];

/** The management role's name (the product's default `DTS_TRUST_MANAGEMENT_ROLE`). */
export const FLEET_MANAGEMENT_ROLE = (managementRole as { name: string }).name;

/** Size of a fleet. */
export interface FleetSize {
  readonly accounts: number;
  /** Spread as evenly as possible over the accounts. */
  readonly roles: number;
}

/** A fleet: the local cloud's accounts document and the grants that declare every role in it. */
export interface Fleet {
  readonly accountsDocument: { accounts: AccountSpec[] };
  readonly ownerAccountIds: readonly string[];
  readonly roles: readonly RoleKey[];
  readonly grants: readonly Grant[];
  /** Roles per owner account, in the order of `ownerAccountIds`. */
  readonly rolesPerAccount: readonly number[];
}

/** The 16-digit id of the `i`th fleet owner account. */
export function fleetAccountId(i: number): string {
  return `7${String(i).padStart(15, '0')}`;
}

/** A fleet of `size.roles` in-sync DTS roles over `size.accounts` owner accounts. */
export function buildFleet(size: FleetSize): Fleet {
  if (!(size.accounts >= 1 && size.roles >= size.accounts)) {
    throw new RangeError('a fleet needs at least one account and at least one role per account');
  }
  const trustPolicy = renderTrustPolicy(buildTrustPolicy([FLEET_TRUSTED_ACCOUNT]));
  const owners: AccountSpec[] = [];
  const roles: RoleKey[] = [];
  const grants: Grant[] = [];
  const rolesPerAccount: number[] = [];
  for (let a = 0; a < size.accounts; a++) {
    const ownerAccountId = fleetAccountId(a);
    const count = Math.floor(size.roles / size.accounts) + (a < size.roles % size.accounts ? 1 : 0);
    const accountRoles: unknown[] = [managementRole];
    for (let r = 0; r < count; r++) {
      const role = { ownerAccountId, roleName: `dts-bench-${String(r).padStart(4, '0')}` };
      roles.push(role);
      accountRoles.push({
        name: role.roleName,
        description: ownedRoleDescription(role),
        trustPolicy,
        policies: [{ name: 'AliyunDTSRolePolicy', type: 'System' }],
        tags: { [Ownership.tagKey]: Ownership.tagValue },
      });
      grants.push(
        GrantSchema.parse({
          ...role,
          trustedAccountId: FLEET_TRUSTED_ACCOUNT,
          ticket: { system: 'bench', id: `BENCH-${a}-${r}`, requester: 'bench', approver: 'bench' },
        }),
      );
    }
    owners.push({
      id: ownerAccountId,
      name: `bench-owner-${a}`,
      accessKeys: [{ id: `LTAIbenchowner${String(a).padStart(8, '0')}`, secret: `bench-owner-secret-${a}` }],
      roles: accountRoles,
    });
    rolesPerAccount.push(count);
  }
  const keep = [exampleAccount('automation'), exampleAccount('task-creator')];
  return {
    accountsDocument: { accounts: [...keep, ...owners] },
    ownerAccountIds: owners.map((o) => o.id),
    roles,
    grants,
    rolesPerAccount,
  };
}

/** The kinds of drift the benchmark makes, in the order it cycles through them. */
export const DriftKind = {
  TrustToOtherAccount: 'trustToOtherAccount',
  ExtraPrincipal: 'extraPrincipal',
  BareServicePrincipal: 'bareServicePrincipal',
  PolicyDetached: 'policyDetached',
  ExtraPolicyAttached: 'extraPolicyAttached',
  RoleDeleted: 'roleDeleted',
} as const;
/** One of {@link DriftKind}. */
export type DriftKind = (typeof DriftKind)[keyof typeof DriftKind];

/** A console edit and the drift it causes. */
export interface DriftEdit {
  readonly kind: DriftKind;
  readonly edit: AdminEdit;
}

const STRANGER = '1111222233334444';

const trustOf = (ram: string[], service: string[]) => ({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ram, Service: service } }],
});

/** The edit that causes one kind of drift on one role. */
export function driftEdit(kind: DriftKind, role: RoleKey): AdminEdit {
  const target = { accountId: role.ownerAccountId, roleName: role.roleName };
  const declared = FLEET_TRUSTED_ACCOUNT;
  switch (kind) {
    case DriftKind.TrustToOtherAccount:
      return {
        kind: 'setTrustPolicy',
        ...target,
        trustPolicy: trustOf([`acs:ram::${STRANGER}:root`], [`${STRANGER}@dts.aliyuncs.com`]),
      };
    case DriftKind.ExtraPrincipal:
      return {
        kind: 'setTrustPolicy',
        ...target,
        trustPolicy: trustOf(
          [`acs:ram::${declared}:root`, `acs:ram::${STRANGER}:root`],
          [`${declared}@dts.aliyuncs.com`],
        ),
      };
    case DriftKind.BareServicePrincipal:
      return {
        kind: 'setTrustPolicy',
        ...target,
        trustPolicy: trustOf([`acs:ram::${declared}:root`], ['dts.aliyuncs.com']),
      };
    case DriftKind.PolicyDetached:
      return { kind: 'detachPolicy', ...target, policyName: 'AliyunDTSRolePolicy', policyType: 'System' };
    case DriftKind.ExtraPolicyAttached:
      return { kind: 'attachPolicy', ...target, policyName: 'AdministratorAccess', policyType: 'System' };
    case DriftKind.RoleDeleted:
      return { kind: 'deleteRole', ...target };
  }
}

/**
 * Drift on `fraction` of the roles, spread evenly over the fleet, cycling through every {@link DriftKind}.
 * A deleted role's policies must go first, as RAM requires: that detach is part of the same drift.
 */
export function fleetDrift(roles: readonly RoleKey[], fraction: number): DriftEdit[] {
  const count = Math.round(roles.length * fraction);
  if (count === 0) return [];
  const kinds = Object.values(DriftKind);
  const step = roles.length / count;
  const edits: DriftEdit[] = [];
  for (let i = 0; i < count; i++) {
    const role = roles[Math.floor(i * step)] as RoleKey;
    const kind = kinds[i % kinds.length] as DriftKind;
    if (kind === DriftKind.RoleDeleted) edits.push({ kind, edit: driftEdit(DriftKind.PolicyDetached, role) });
    edits.push({ kind, edit: driftEdit(kind, role) });
  }
  return edits;
}

/** The automation account's keys the benchmark's own tools sign with. */
export const BENCH_RUNNER = LOCAL_AUTOMATION.runner;

/** The roles of each owner account, in fleet order. */
export function rolesByAccount(fleet: Fleet): Map<string, string[]> {
  const byAccount = new Map<string, string[]>(fleet.ownerAccountIds.map((id) => [id, []]));
  for (const role of fleet.roles) byAccount.get(role.ownerAccountId)?.push(role.roleName);
  return byAccount;
}
