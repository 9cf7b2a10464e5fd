/**
 * What one RAM action handler works with, and the parameter and permission checks they share.
 */
import type { AccountState, CloudCore, Principal, RoleState } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';
import { findRole, roleResource } from '../../roles.js';

/** Options of the RAM module (`startLocalCloud({ services: { ram: {...} } })`). */
export interface RamOptions {
  /** GetRole returns the trust policy pretty-printed (4-space indent). */
  readonly prettyPrint?: boolean;
  /** Save string principals as one-element arrays. */
  readonly principalsAsArrays?: boolean;
  /** Most roles per account (default 1,000, as RAM). */
  readonly maxRoles?: number;
  /**
   * Seconds DeleteRole still answers `DeleteConflict.Role.Policy` after the role's last policy was detached (RAM is
   * eventually consistent; Terraform retries this for up to 5 minutes). Default
   * {@link DEFAULT_DETACH_SETTLE_SECONDS}; 0 turns it off.
   */
  readonly detachSettleSeconds?: number;
}

/** How long a detach takes to reach DeleteRole unless configured: long enough to be seen, short for local runs. */
export const DEFAULT_DETACH_SETTLE_SECONDS = 1;

/** When each role whose last policy was just detached may be deleted (ms), by `<account>/<lower-case role>`. */
export function settlingDetaches(core: CloudCore): Map<string, number> {
  return core.serviceState<Map<string, number>>('ram.settling', () => new Map());
}

/** The key of a role in {@link settlingDetaches}. */
export function settlingKey(accountId: string, roleName: string): string {
  return `${accountId}/${roleName.toLowerCase()}`;
}

/** One authenticated RAM call. */
export interface RamCall {
  readonly core: CloudCore;
  readonly principal: Principal;
  /** The signer's account, where the call acts. */
  readonly account: AccountState;
  readonly params: Readonly<Record<string, string>>;
  readonly options: RamOptions;
}

/** A RAM action: returns the response body fields besides `RequestId`. */
export type RamAction = (call: RamCall) => Record<string, unknown>;

/** A required parameter, or `Missing<Name>` 400 as RPC services answer. */
export function required(call: RamCall, name: string): string {
  const value = call.params[name];
  if (value === undefined || value === '')
    throw new LocalCloudError(400, `Missing${name}`, `${name} is mandatory for this action.`);
  return value;
}

/** Refuse with `NoPermission` 403 unless the signer may do `ram:<action>` on `resource`. */
export function authorize(call: RamCall, action: string, resource: string): void {
  const full = `ram:${action}`;
  if (call.core.isAllowed(call.principal, full, resource)) return;
  throw new LocalCloudError(
    403,
    'NoPermission',
    `You are not authorized to do this action. Resource: ${resource} Action: ${full}`,
    {
      AccessDeniedDetail: {
        AuthAction: full,
        AuthPrincipalType:
          call.principal.kind === 'user'
            ? 'SubUser'
            : call.principal.kind === 'assumed-role'
              ? 'AssumedRoleUser'
              : 'Account',
        AuthPrincipalOwnerId: call.principal.accountId,
        AuthPrincipalDisplayName: call.principal.arn,
        NoPermissionType: 'ImplicitDeny',
        PolicyType: 'AccountLevelIdentityBasedPolicy',
      },
    },
  );
}

/** Validate a role name as RAM does: `InvalidParameter.RoleName.Length` / `.InvalidChars`. */
export function validRoleName(name: string, parameter = 'RoleName'): string {
  if (name.length < 1 || name.length > 64) {
    throw new LocalCloudError(
      400,
      `InvalidParameter.${parameter}.Length`,
      `The parameter ${parameter} must be 1 to 64 characters long.`,
    );
  }
  if (!/^[A-Za-z0-9.-]+$/.test(name)) {
    throw new LocalCloudError(
      400,
      `InvalidParameter.${parameter}.InvalidChars`,
      `The parameter ${parameter} contains invalid characters: use letters, digits, "." and "-".`,
    );
  }
  return name;
}

/** The role named in `RoleName`, authorized for `action`, or `EntityNotExist.Role` 404. */
export function targetRole(call: RamCall, action: string): RoleState {
  const name = validRoleName(required(call, 'RoleName'));
  authorize(call, action, roleResource(call.account.id, name));
  const role = findRole(call.account, name);
  if (!role) throw new LocalCloudError(404, 'EntityNotExist.Role', `The role not exists: ${name}.`);
  return role;
}

/** An integer parameter within bounds, or its default; `InvalidParameter.<Name>` 400 otherwise. */
export function intParam(call: RamCall, name: string, min: number, max: number, fallback: number): number {
  const raw = call.params[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LocalCloudError(
      400,
      `InvalidParameter.${name}`,
      `The parameter ${name} must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

/** A JSON-array parameter (how the SDK sends `Tag`, `ResourceNames`, `TagKeys`), or `InvalidParameter.<Name>`. */
export function jsonArrayParam(call: RamCall, name: string): unknown[] | undefined {
  const raw = call.params[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    if (Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw new LocalCloudError(400, `InvalidParameter.${name}`, `The parameter ${name} must be a JSON array.`);
}

/** Tags from a `Tag` parameter (`[{ "Key", "Value" }]`), at most `max`. */
export function tagsParam(call: RamCall, max = 20): { key: string; value: string }[] {
  const list = jsonArrayParam(call, 'Tag') ?? [];
  if (list.length > max)
    throw new LocalCloudError(400, 'InvalidParameter.Tag.Size', `At most ${max} tags may be given.`);
  return list.map((t) => {
    const tag = t as { Key?: unknown; Value?: unknown };
    if (typeof tag.Key !== 'string' || tag.Key === '' || tag.Key.length > 128) {
      throw new LocalCloudError(400, 'InvalidParameter.Tag.Key', 'Each tag needs a Key of 1 to 128 characters.');
    }
    if (tag.Value !== undefined && (typeof tag.Value !== 'string' || tag.Value.length > 128)) {
      throw new LocalCloudError(
        400,
        'InvalidParameter.Tag.Value',
        'A tag Value is a string of at most 128 characters.',
      );
    }
    return { key: tag.Key, value: (tag.Value as string | undefined) ?? '' };
  });
}
