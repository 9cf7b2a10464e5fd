import { createHash } from 'node:crypto';

/** A set of owner accounts one reconcile-shard invocation handles. */
export interface Shard {
  readonly ownerAccountIds: readonly string[];
  readonly roles: number;
}

/**
 * Split owner accounts into shards of at most `maxRolesPerShard` roles (an account is never split: its roles share
 * one STS session and one rate limit). First-fit decreasing, so shards come out few and even.
 */
export function planShards(rolesByAccount: ReadonlyMap<string, number>, maxRolesPerShard: number): Shard[] {
  const accounts = [...rolesByAccount.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shards: { ownerAccountIds: string[]; roles: number }[] = [];
  for (const [accountId, roles] of accounts) {
    const fit = shards.find((s) => s.roles + roles <= maxRolesPerShard);
    if (fit) {
      fit.ownerAccountIds.push(accountId);
      fit.roles += roles;
    } else {
      shards.push({ ownerAccountIds: [accountId], roles });
    }
  }
  return shards.map((s) => ({ ownerAccountIds: [...s.ownerAccountIds].sort(), roles: s.roles }));
}

/** FC's rule for an async task id: a letter or `_` first, then letters, digits, `_` and `-`, 128 at most. */
export const ASYNC_TASK_ID_RULE = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

/**
 * The async task id of one shard of one run: `shard_<trigger time>_<hash of the shard's accounts>`. It depends
 * only on the run's timer trigger time and the shard's owner accounts, so a retried fan-out of the same run sends
 * the same ids and FC refuses the repeats instead of running a shard twice.
 */
export function shardTaskId(triggerTime: string, ownerAccountIds: readonly string[]): string {
  const when = new Date(triggerTime);
  if (Number.isNaN(when.getTime())) throw new RangeError(`trigger time ${triggerTime} is not a date`);
  const stamp = when.toISOString().replace(/[-:.]/g, '');
  return `shard_${stamp}_${shardAccountsDigest(ownerAccountIds)}`;
}

/** The part of a shard's task id that names its owner accounts: 32 hex digits of the SHA-256 of the sorted ids. */
export function shardAccountsDigest(ownerAccountIds: readonly string[]): string {
  return createHash('sha256')
    .update([...ownerAccountIds].sort().join(','))
    .digest('hex')
    .slice(0, 32);
}
