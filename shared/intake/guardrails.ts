import { ErrorCatalog } from '../domain/catalog.js';
import type { ValidationProblem } from '../domain/errors.js';
import { Cloud, type Grant } from '../domain/grant.js';
import { isProtectedRole } from '../domain/protected-roles.js';

/** Limits from configuration that every declared grant must stay within. */
export interface Guardrails {
  /** Owner accounts grants may be declared in; undefined allows any. */
  readonly allowedOwnerAccounts: readonly string[] | undefined;
  /** Accounts that may be trusted; undefined allows any. */
  readonly allowedTrustedAccounts: readonly string[] | undefined;
  /** Policies a grant may attach. */
  /** Policies an Alibaba Cloud grant may attach. */
  readonly allowedPolicies: readonly string[];
  /** Policies a Tencent Cloud grant may attach; absent: none (a Tencent grant is refused its policies). */
  readonly allowedTencentPolicies?: readonly string[];
  readonly roleNamePattern: RegExp;
  readonly maxGrantsPerTicket: number;
  /** Longest a grant may last, in days from its message's `issuedAt` (DTS_TRUST_MAX_GRANT_DAYS). */
  readonly maxGrantDays: number;
  /** Role names no ticket may declare (compared without case): the management role, the function role, configured ones. */
  readonly protectedRoles: readonly string[];
}

/** The default of DTS_TRUST_MAX_GRANT_DAYS. */
export const DEFAULT_MAX_GRANT_DAYS = 90;

const DAY_MS = 24 * 3600 * 1000;

/** When a grant declared at `issuedAtMs` must end at the latest. */
export function latestExpiry(issuedAtMs: number, guardrails: Pick<Guardrails, 'maxGrantDays'>): Date {
  return new Date(issuedAtMs + guardrails.maxGrantDays * DAY_MS);
}

/** Every way the grants of one ticket break the guardrails (empty when they do not). */
export function checkGuardrails(grants: readonly Grant[], guardrails: Guardrails, field = 'body'): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (grants.length > guardrails.maxGrantsPerTicket) {
    problems.push({
      code: 'GuardrailTooManyGrants',
      field: `${field}.relationship`,
      message: `the ticket expands to ${grants.length} grants; at most ${guardrails.maxGrantsPerTicket} are allowed per ticket`,
      fix: 'split the request into several tickets or raise DTS_TRUST_MAX_GRANTS_PER_TICKET',
    });
  }
  grants.forEach((grant, i) => {
    const at = `${field}.grants[${i}]`;
    if (guardrails.allowedOwnerAccounts && !guardrails.allowedOwnerAccounts.includes(grant.ownerAccountId)) {
      problems.push({
        code: 'GuardrailOwnerAccount',
        field: `${at}.ownerAccountId`,
        message: `account ${grant.ownerAccountId} is not an owner account dts-trust manages`,
        fix: 'ask the platform team to add it to allowedOwnerAccounts in the trust settings',
      });
    }
    if (guardrails.allowedTrustedAccounts && !guardrails.allowedTrustedAccounts.includes(grant.trustedAccountId)) {
      problems.push({
        code: 'GuardrailTrustedAccount',
        field: `${at}.trustedAccountId`,
        message: `account ${grant.trustedAccountId} may not be trusted`,
        fix: 'ask the platform team to add it to allowedTrustedAccounts in the trust settings',
      });
    }
    const tencent = grant.cloud === Cloud.Tencent;
    const allowed = tencent ? (guardrails.allowedTencentPolicies ?? []) : guardrails.allowedPolicies;
    for (const policy of grant.policies) {
      if (!allowed.includes(policy)) {
        problems.push({
          code: 'GuardrailPolicy',
          field: `${at}.policies`,
          message: `policy ${policy} is not allowed on ${tencent ? 'Tencent Cloud ' : ''}DTS roles`,
          fix: `use only ${allowed.join(', ') || '(none)'}${tencent ? ' (DTS_TRUST_TENCENT_ALLOWED_POLICIES)' : ''}`,
        });
      }
    }
    if (isProtectedRole(grant.roleName, guardrails.protectedRoles)) {
      problems.push({
        code: 'RoleProtected',
        field: `${at}.roleName`,
        message: `role ${grant.roleName} is protected: dts-trust never declares, adopts, changes or deletes it through a ticket`,
        fix: ErrorCatalog.RoleProtected.fix,
      });
    }
    if (!guardrails.roleNamePattern.test(grant.roleName)) {
      problems.push({
        code: 'GuardrailRoleName',
        field: `${at}.roleName`,
        message: `role name ${grant.roleName} does not match the pattern ${guardrails.roleNamePattern.source}`,
        fix: 'choose a role name the platform team allows (DTS_TRUST_ROLE_NAME_PATTERN)',
      });
    }
  });
  return problems;
}
