/**
 * Permission evaluation of the local cloud: the root account may do anything; a RAM user has its attached
 * policies; an assumed role has the role's policies. Deny wins over Allow; wildcards `*` (any run) and `?` match
 * in actions (case-insensitive) and resources. Conditions in permission policies are not evaluated (a statement
 * with a Condition never matches, which only ever refuses more).
 */
import type { AccountState, AttachedPolicyState, Principal } from './contract.js';
import { findRole } from './roles.js';
import { type PolicyDocument, type PolicyStatement, SYSTEM_POLICIES } from './system-policies.js';

interface CompiledStatement {
  readonly allow: boolean;
  readonly actions: readonly RegExp[];
  readonly resources: readonly RegExp[];
}

const compiledCache = new Map<string, readonly CompiledStatement[]>();

function globToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

function toList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function compile(document: PolicyDocument | unknown): readonly CompiledStatement[] {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  if (!Array.isArray(statements)) return [];
  const out: CompiledStatement[] = [];
  for (const raw of statements as (PolicyStatement & { Condition?: unknown })[]) {
    if (raw.Condition !== undefined) continue;
    const resources = raw.Resource === undefined ? ['*'] : toList(raw.Resource);
    out.push({
      allow: raw.Effect === 'Allow',
      actions: toList(raw.Action).map((a) => globToRegExp(a, true)),
      resources: resources.map((r) => globToRegExp(r, true)),
    });
  }
  return out;
}

function compiledPolicy(account: AccountState, policy: AttachedPolicyState): readonly CompiledStatement[] {
  const key = policy.type === 'System' ? `S:${policy.name}` : `C:${account.id}:${policy.name}`;
  const text = policy.type === 'System' ? undefined : account.customPolicies.get(policy.name);
  const cacheKey = text === undefined ? key : `${key}:${text}`;
  let compiled = compiledCache.get(cacheKey);
  if (!compiled) {
    if (policy.type === 'System') compiled = compile(SYSTEM_POLICIES[policy.name]?.document);
    else {
      try {
        compiled = text === undefined ? [] : compile(JSON.parse(text));
      } catch {
        compiled = [];
      }
    }
    if (compiledCache.size > 10_000) compiledCache.clear();
    compiledCache.set(cacheKey, compiled);
  }
  return compiled;
}

/** The policies in force for a principal (empty for root, which needs none). */
export function effectivePolicies(
  principal: Principal,
  accounts: ReadonlyMap<string, AccountState>,
): AttachedPolicyState[] {
  const account = accounts.get(principal.accountId);
  if (!account) return [];
  if (principal.kind === 'user') return account.users.get(principal.name)?.policies ?? [];
  if (principal.kind === 'assumed-role') return findRole(account, principal.name)?.policies ?? [];
  return [];
}

/**
 * Does the principal's effective policy allow `action` (`ram:GetRole`) on `resource` (an ARN or `*`)?
 * Root: always. Otherwise an explicit Deny refuses, else any Allow grants, else refused.
 */
export function isAllowed(
  principal: Principal,
  action: string,
  resource: string,
  accounts: ReadonlyMap<string, AccountState>,
): boolean {
  if (principal.kind === 'root') return accounts.has(principal.accountId);
  const account = accounts.get(principal.accountId);
  if (!account) return false;
  let allowed = false;
  for (const policy of effectivePolicies(principal, accounts)) {
    for (const statement of compiledPolicy(account, policy)) {
      if (!statement.actions.some((a) => a.test(action))) continue;
      if (!statement.resources.some((r) => r.test(resource))) continue;
      if (!statement.allow) return false;
      allowed = true;
    }
  }
  return allowed;
}
