/**
 * Lookups and identifiers of RAM roles in the local cloud. Role names are unique per account regardless of case
 * (RAM lower-cases them in ARNs); roles are stored under the name they were created with.
 */
import { randomInt } from 'node:crypto';
import type { AccountState, RoleState } from './contract.js';

/** The role named `name` in the account, matched case-insensitively; undefined when absent. */
export function findRole(account: AccountState, name: string): RoleState | undefined {
  const exact = account.roles.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const role of account.roles.values()) if (role.name.toLowerCase() === lower) return role;
  return undefined;
}

/** `acs:ram::<uid>:role/<lower-cased name>`, as RAM returns a role's Arn. */
export function roleArn(accountId: string, roleName: string): string {
  return `acs:ram::${accountId}:role/${roleName.toLowerCase()}`;
}

/** The resource ARN permission policies name a role by: `acs:ram:*:<uid>:role/<name>`. */
export function roleResource(accountId: string, roleName: string): string {
  return `acs:ram:*:${accountId}:role/${roleName}`;
}

/** A new 19-digit role id as RAM issues them. */
export function newRoleId(): string {
  let id = '3';
  for (let i = 0; i < 18; i++) id += String(randomInt(10));
  return id;
}

/** An ISO-8601 UTC timestamp without milliseconds (`2024-01-01T00:00:00Z`), as RAM and STS print dates. */
export function ramDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
