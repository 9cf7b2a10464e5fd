import type { ValidationProblem } from '../domain/errors.js';
import { Cloud } from '../domain/grant.js';
import { type Relationship, relationshipRoles, taskAccountOf } from '../domain/relationship.js';

/**
 * Whether this deployment can act on a Tencent relationship, asked before anything is stored: a deployment
 * without Tencent configuration, or without a management role in an account the relationship needs dts-trust to
 * enter, refuses the ticket whole, so no grant is stored that no run could apply.
 */

/** Codes of a Tencent ticket this deployment cannot act on. */
export const TencentReadinessCode = {
  /** The deployment has no Tencent configuration (no hub keys). */
  NotConfigured: 'TencentNotConfigured',
  /** An account the relationship needs dts-trust to enter has no management role configured. */
  AccountNotManaged: 'TencentAccountNotManaged',
} as const;

/** What the intake knows of the deployment's Tencent side; absent when Tencent is not configured. */
export interface TencentIntake {
  /** True when dts-trust may enter this Tencent account (its management role's external ID is configured). */
  readonly manages: (accountId: string) => Promise<boolean>;
}

/**
 * The problems that keep this deployment from acting on `rel` (empty for an Alibaba relationship): Tencent not
 * configured; an owner account without a management role; a task account without one when sub-users are declared
 * (their AssumeRole policy lives there). Fields start with `prefix`.
 */
export async function tencentReadinessProblems(
  rel: Relationship,
  tencent: TencentIntake | undefined,
  prefix: string,
): Promise<ValidationProblem[]> {
  if (rel.cloud !== Cloud.Tencent) return [];
  const at = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  if (tencent === undefined) {
    return [
      {
        code: TencentReadinessCode.NotConfigured,
        field: at('cloud'),
        message:
          'this deployment of dts-trust has no Tencent Cloud configuration, so it could not build, repair or remove the role; nothing was stored',
        fix: 'ask the platform team to configure Tencent Cloud (DTS_TRUST_TENCENT_HUB_KEYS_SECRET and tencentManagementExternalIds, docs/deploy.md "Tencent Cloud owners"), then send the ticket again',
      },
    ];
  }
  const problems: ValidationProblem[] = [];
  const seen = new Set<string>();
  const require = async (accountId: string, field: string, what: string) => {
    if (seen.has(accountId)) return;
    seen.add(accountId);
    if (await tencent.manages(accountId)) return;
    problems.push({
      code: TencentReadinessCode.AccountNotManaged,
      field: at(field),
      message: `the ${what} ${accountId} has no dts-trust management role configured (tencentManagementExternalIds of the trust settings), so dts-trust cannot enter it; nothing was stored`,
      fix: `create the management role in Tencent account ${accountId} and add its external ID to tencentManagementExternalIds (docs/deploy.md, "Tencent Cloud owners"), then send the ticket again`,
    });
  };
  for (const role of relationshipRoles(rel)) {
    await require(role.ownerAccountId, `${role.side}.accountId`, `${role.side} owner account`);
  }
  const task = taskAccountOf(rel);
  if (rel.subAccountUins !== undefined && task !== undefined) {
    await require(task, 'subAccountUins', 'task root account, where the sub-users get their AssumeRole policy,');
  }
  return problems;
}
