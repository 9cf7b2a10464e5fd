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
