import { randomUUID } from 'node:crypto';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { isGrantActive } from '../domain/desired-role.js';
import { Cloud, type Grant, type RoleKey } from '../domain/grant.js';
import { roleArn } from '../domain/ownership.js';
import {
  buildSubAccountPolicy,
  isSubAccountPolicyUpToDate,
  renderSubAccountPolicy,
  subAccountPolicyName,
} from '../policy/tencent/index.js';
import type {
  AccountCredentials,
  AuditLog,
  Clock,
  SubAccountPolicyDirectory,
  SubAccountPolicyRecord,
} from '../ports.js';

/**
 * The Tencent trusted account's half of a relationship run by sub-users: a custom policy in the trusted (task)
 * root account allowing `name/sts:AssumeRole` on the owner's role, attached to exactly the declared sub-users.
 * Planned as data, applied with an audit record before every change, narrowing before widening: undeclared users
 * are detached before the document is repaired, declared users attached only after it is.
 */

/** The policy one trusted account must hold for one role. */
export interface DesiredSubAccountPolicy {
  readonly role: RoleKey;
  readonly trustedAccountId: string;
  readonly policyName: string;
  /** Sorted, unique; empty when no active grant names a sub-user (the policy must go). */
  readonly subAccountUins: readonly string[];
  readonly grantIds: readonly string[];
}

/**
 * The sub-account policies the active Tencent grants of a role ask for, one per trusted account that any grant of
 * the role (active or not) trusts, so a trusted account whose last sub-user grant ended gets an empty one (to
 * remove).
 */
export function desiredSubAccountPolicies(
  role: RoleKey,
  grants: readonly Grant[],
  now: Date,
): DesiredSubAccountPolicy[] {
  const ofRole = grants.filter(
    (g) =>
      g.cloud === Cloud.Tencent &&
      g.ownerAccountId === role.ownerAccountId &&
      g.roleName.toLowerCase() === role.roleName.toLowerCase(),
  );
  const trusted = [...new Set(ofRole.map((g) => g.trustedAccountId))].sort();
  return trusted.map((trustedAccountId) => {
    const active = ofRole.filter((g) => g.trustedAccountId === trustedAccountId && isGrantActive(g, now));
    return {
      role,
      trustedAccountId,
      policyName: subAccountPolicyName(role.ownerAccountId, role.roleName),
      subAccountUins: [...new Set(active.flatMap((g) => g.subAccountUins ?? []))].sort(),
      grantIds: active.map((g) => `${g.ownerAccountId}/${g.roleName}/${g.trustedAccountId}`).sort(),
    };
  });
}

/** One change to a sub-account policy. */
export type SubAccountPolicyStep =
  | { readonly kind: 'detachUser'; readonly uin: string }
  | { readonly kind: 'updateDocument'; readonly document: string }
  | { readonly kind: 'createPolicy'; readonly document: string }
  | { readonly kind: 'attachUser'; readonly uin: string }
  | { readonly kind: 'deletePolicy' };

/**
 * The steps from the live policy to the desired one, every narrowing first: detach undeclared users, repair the
 * document, then create the policy or attach declared users; with no sub-user declared, detach everyone and delete.
 */
export function planSubAccountPolicy(
  desired: DesiredSubAccountPolicy,
  live: SubAccountPolicyRecord | undefined,
): SubAccountPolicyStep[] {
  const wanted = new Set(desired.subAccountUins);
  const document = renderSubAccountPolicy(buildSubAccountPolicy(desired.role.ownerAccountId, desired.role.roleName));
  if (live === undefined) {
    if (wanted.size === 0) return [];
    return [{ kind: 'createPolicy', document }, ...[...wanted].map((uin) => ({ kind: 'attachUser' as const, uin }))];
  }
  const detach = live.userUins.filter((uin) => !wanted.has(uin)).map((uin) => ({ kind: 'detachUser' as const, uin }));
  if (wanted.size === 0) return [...detach, { kind: 'deletePolicy' }];
  const repair = isSubAccountPolicyUpToDate(live.document, desired.role.ownerAccountId, desired.role.roleName)
    ? []
    : [{ kind: 'updateDocument' as const, document }];
  const attach = [...wanted]
    .filter((uin) => !live.userUins.includes(uin))
    .map((uin) => ({ kind: 'attachUser' as const, uin }));
  return [...detach, ...repair, ...attach];
}

/** What applying needs. */
export interface SubAccountPolicyDeps {
  readonly directory: SubAccountPolicyDirectory;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly newId?: () => string;
  readonly correlationId: string;
  /** Which planned steps to take (a hold keeps additions back); default every step. */
  readonly keep?: (step: SubAccountPolicyStep) => boolean;
  /** The live policy as the caller just read it (`findPolicy`), so it is not read again. */
  readonly observed?: { readonly live: SubAccountPolicyRecord | undefined };
}

/**
 * Observe, plan and apply the sub-account policy of one trusted account (its credentials in `account`): an audit
 * event before each change; a directory error stops at that step (`CloudApiError` propagates) so nothing after it
 * runs. Returns the steps applied.
 */
export async function reconcileSubAccountPolicy(
  desired: DesiredSubAccountPolicy,
  account: AccountCredentials,
  deps: SubAccountPolicyDeps,
): Promise<SubAccountPolicyStep[]> {
  const live = deps.observed ? deps.observed.live : await deps.directory.findPolicy(account, desired.policyName);
  const steps = planSubAccountPolicy(desired, live).filter((step) => deps.keep?.(step) ?? true);
  let policyId = live?.policyId;
  const subject = `${roleArn(desired.role, Cloud.Tencent)}#${desired.trustedAccountId}/${desired.policyName}`;
  for (const step of steps) {
    await deps.audit.record(
      newAuditEvent({
        id: (deps.newId ?? randomUUID)(),
        type: AuditEventType.SubAccountPolicyChange,
        subject,
        time: deps.clock.now(),
        data: {
          correlationId: deps.correlationId,
          outcome: step.kind,
          grantIds: desired.grantIds,
          before: live === undefined ? null : { document: live.document, userUins: live.userUins },
          after: { subAccountUins: desired.subAccountUins },
          detail: { trustedAccountId: desired.trustedAccountId, ...('uin' in step ? { uin: step.uin } : {}) },
        },
      }),
    );
    switch (step.kind) {
      case 'createPolicy':
        policyId = await deps.directory.createPolicy(
          account,
          desired.policyName,
          step.document,
          `Managed by dts-trust: lets the sub-users that run DTS tasks assume ${desired.role.roleName} in ${desired.role.ownerAccountId}`,
        );
        break;
      case 'updateDocument':
        await deps.directory.updatePolicy(account, policyId ?? '', step.document);
        break;
      case 'attachUser':
        await deps.directory.attachUser(account, policyId ?? '', step.uin);
        break;
      case 'detachUser':
        await deps.directory.detachUser(account, policyId ?? '', step.uin);
        break;
      case 'deletePolicy':
        await deps.directory.deletePolicy(account, policyId ?? '');
        break;
    }
  }
  return steps;
}
