import { roleArn } from '../domain/ownership.js';
import type {
  AccountCredentials,
  AttachedPolicy,
  Clock,
  NewRole,
  ObservedRoleRecord,
  Random,
  RoleDirectory,
} from '../ports.js';
import { type RetryPolicy, withRetry } from './retry.js';

/** Something that lets a call through when its turn comes (a `TokenBucket`). */
export interface CallGate {
  /** Let one call through now if it may go now (true); false, and nothing taken, if it must wait. */
  tryTake(): boolean;
  /** Let one call through when its turn comes. */
  take(): Promise<void>;
}

/**
 * A directory whose every call first passes `gate` (the owner account's token bucket) and is counted by
 * `onCall` (the run's RAM call counter).
 */
export function gatedDirectory(directory: RoleDirectory, gate: CallGate, onCall: () => void = () => {}): RoleDirectory {
  const go = <T>(call: () => Promise<T>): Promise<T> => {
    onCall();
    return call();
  };
  // A call that may go now is made at once: no promise of its own besides the call's (one per RAM call).
  const through = <T>(call: () => Promise<T>): Promise<T> =>
    gate.tryTake() ? go(call) : gate.take().then(() => go(call));
  return {
    getRole: (a: AccountCredentials, n: string) => through(() => directory.getRole(a, n)),
    listAttachedPolicies: (a: AccountCredentials, n: string) => through(() => directory.listAttachedPolicies(a, n)),
    createRole: (a: AccountCredentials, r: NewRole) => through(() => directory.createRole(a, r)),
    updateTrustPolicy: (a: AccountCredentials, n: string, t: string) =>
      through(() => directory.updateTrustPolicy(a, n, t)),
    updateDescription: (a: AccountCredentials, n: string, d: string) =>
      through(() => directory.updateDescription(a, n, d)),
    attachPolicy: (a: AccountCredentials, n: string, p: AttachedPolicy) =>
      through(() => directory.attachPolicy(a, n, p)),
    detachPolicy: (a: AccountCredentials, n: string, p: AttachedPolicy) =>
      through(() => directory.detachPolicy(a, n, p)),
    deleteRole: (a: AccountCredentials, n: string) => through(() => directory.deleteRole(a, n)),
  };
}

/** The reads of a directory (GetRole, ListPoliciesForRole) retried on throttling and outages. */
export function retryingReads(
  directory: RoleDirectory,
  policy: RetryPolicy,
  time: { clock: Pick<Clock, 'sleep'>; random: Random },
): RoleDirectory {
  return {
    ...bound(directory),
    getRole: (a, n) => withRetry(() => directory.getRole(a, n), policy, time),
    listAttachedPolicies: (a, n) => withRetry(() => directory.listAttachedPolicies(a, n), policy, time),
  };
}

/** The roles one listing of an account read, by lower-case role name (CAM's names are unique in any case). */
export type RoleSnapshot = ReadonlyMap<string, ObservedRoleRecord>;

/**
 * A directory whose GetRole answers from the account's listing of owned roles (`snapshot`, read once per run by its
 * caller) when the role is in it, the record marked `source: 'listing'`, and reads the role itself when it is not
 * (deleted since, its tag removed, created since, or no listing at all): a role missing from a listing is never
 * taken as absent. Every other call goes through.
 */
export function listedRoles(
  directory: RoleDirectory,
  snapshot: (account: AccountCredentials) => Promise<RoleSnapshot | undefined>,
): RoleDirectory {
  return {
    ...bound(directory),
    getRole: async (account, roleName) => {
      const listed = (await snapshot(account))?.get(roleName.toLowerCase());
      return listed === undefined ? directory.getRole(account, roleName) : { ...listed, source: 'listing' };
    },
  };
}

function bound(directory: RoleDirectory): RoleDirectory {
  return {
    getRole: (a, n) => directory.getRole(a, n),
    listAttachedPolicies: (a, n) => directory.listAttachedPolicies(a, n),
    createRole: (a, r) => directory.createRole(a, r),
    updateTrustPolicy: (a, n, t) => directory.updateTrustPolicy(a, n, t),
    updateDescription: (a, n, d) => directory.updateDescription(a, n, d),
    attachPolicy: (a, n, p) => directory.attachPolicy(a, n, p),
    detachPolicy: (a, n, p) => directory.detachPolicy(a, n, p),
    deleteRole: (a, n) => directory.deleteRole(a, n),
  };
}

/**
 * A directory that reads through and skips every write: each write succeeds at once without a call (a created
 * role is answered as it was asked for). The dry run is the real run over this directory.
 */
export function skippedWrites(directory: RoleDirectory): RoleDirectory {
  const done = async (): Promise<void> => undefined;
  return {
    getRole: (a, n) => directory.getRole(a, n),
    listAttachedPolicies: (a, n) => directory.listAttachedPolicies(a, n),
    createRole: async (account, role) => ({
      roleName: role.roleName,
      arn: roleArn({ ownerAccountId: account.accountId, roleName: role.roleName }),
      description: role.description,
      trustPolicy: role.trustPolicy,
    }),
    updateTrustPolicy: done,
    updateDescription: done,
    attachPolicy: done,
    detachPolicy: done,
    deleteRole: done,
  };
}
