import type { AuditEvent } from '../domain/audit.js';
import { type FindingKind, newFindingEvent } from '../domain/finding.js';
import type { RoleKey } from '../domain/grant.js';
import { accountArn, roleArn } from '../domain/ownership.js';
import { describeEntry } from '../policy/entries.js';
import { TrustFindingKind } from '../policy/types.js';
import type { AuditLog, RoleStatus } from '../ports.js';
import { describeAction } from './describe-plan.js';
import { type BrokenJobs, jobIdsOf } from './dts-jobs.js';
import { RoleOutcome, type RoleResult } from './outcome.js';
import { isChange, PlanConflictCode, removesUndeclaredAccess } from './plan.js';
import { describeTrustedSideStep, isTrustedSideRemoval } from './trusted-side.js';

/** What every finding event of a run carries besides its content. */
export interface FindingContext {
  /** A fresh event id per call. */
  readonly newId: () => string;
  readonly time: Date;
  readonly correlationId: string;
}

/**
 * The `removal-fight` finding (high severity): the role is flap-paused (the same drift came back again and again)
 * and this run had to take undeclared access away once more. The pause holds back additions and repairs only, so
 * the removal was made; the finding says someone keeps giving that access back. Its `findingId` is the same for
 * every run that removes the same access from the same role. `undefined` when there was no such removal.
 */
export function removalFightFinding(
  result: RoleResult,
  status: RoleStatus | undefined,
  event: { id: string; time: Date; correlationId: string },
): AuditEvent | undefined {
  if (status?.pausedReason === undefined || result.outcome === RoleOutcome.Failed) return undefined;
  const removed = [
    ...result.applied.filter((a) => isChange(a) && removesUndeclaredAccess(a)).map(describeAction),
    ...(result.trustedSide ?? []).filter(isTrustedSideRemoval).map(describeTrustedSideStep),
  ];
  if (removed.length === 0) return undefined;
  return newFindingEvent({
    id: event.id,
    kind: 'removal-fight',
    subject: roleArn(result.role),
    about: JSON.stringify([...removed].sort()),
    time: event.time,
    correlationId: event.correlationId,
    summary:
      `access no grant declares was given back to role ${result.role.roleName} in ${result.role.ownerAccountId} ` +
      `again (${status.flapCount} repairs of the same drift) and was removed again; find what keeps adding it`,
    evidence: { removed, flapCount: status.flapCount },
  });
}

/** Which finding a removed trust entry raises; `undefined` for a declared principal whose condition changed. */
const TRUST_REMOVAL_FINDING: Readonly<Record<TrustFindingKind, FindingKind | undefined>> = {
  [TrustFindingKind.UndeclaredAccount]: 'undeclared-principal-removed',
  [TrustFindingKind.UndeclaredPrincipal]: 'undeclared-principal-removed',
  [TrustFindingKind.ForeignService]: 'undeclared-principal-removed',
  [TrustFindingKind.UndeclaredStatement]: 'undeclared-principal-removed',
  [TrustFindingKind.Wildcard]: 'wildcard-principal-removed',
  [TrustFindingKind.ServicePrincipalRewritten]: 'service-principal-rewritten',
  [TrustFindingKind.ConditionChanged]: undefined,
};

const TRUST_REMOVAL_SUMMARY: Readonly<Partial<Record<FindingKind, string>>> = {
  'undeclared-principal-removed': 'trust no grant declares was removed',
  'wildcard-principal-removed': 'a wildcard principal (anyone) was removed',
  'service-principal-rewritten':
    "RAM had rewritten the DTS service principal to dts.aliyuncs.com (the owner's own ID was entered); repaired",
};

/**
 * The security findings of the trust entries a reconcile removed: one finding per kind (undeclared principal,
 * wildcard, rewritten service principal), each listing the entries removed. Only removals that were applied count
 * (a failed update raises `role.failed`, not a finding). Its `findingId` is the same whenever the same entries are
 * removed from the same role again.
 */
export function trustRemovalFindings(result: RoleResult, ctx: FindingContext): AuditEvent[] {
  const removedByKind = new Map<FindingKind, Set<string>>();
  for (const action of result.applied) {
    if (action.kind !== 'updateTrust' || action.diff === undefined) continue;
    for (const removal of action.diff.toRemove) {
      const kind = TRUST_REMOVAL_FINDING[removal.finding];
      if (kind === undefined) continue;
      const entries = removedByKind.get(kind) ?? new Set<string>();
      entries.add(describeEntry(removal.entry));
      removedByKind.set(kind, entries);
    }
  }
  const subject = roleArn(result.role);
  return [...removedByKind].map(([kind, entries]) => {
    const removed = [...entries].sort();
    return newFindingEvent({
      id: ctx.newId(),
      kind,
      subject,
      about: JSON.stringify(removed),
      time: ctx.time,
      correlationId: ctx.correlationId,
      summary: `${TRUST_REMOVAL_SUMMARY[kind] ?? kind} on role ${result.role.roleName} in ${result.role.ownerAccountId}: ${removed.join(', ')}`,
      evidence: { removed, outcome: result.outcome },
    });
  });
}

/**
 * The `unowned-role-in-the-way` finding: a grant declares a role that exists but was not created by dts-trust, and
 * no grant says `adopt: true`, so nothing is changed (a `RoleNotManaged` conflict). Resolved once the role is
 * adopted, removed, or no longer declared.
 */
export function unownedRoleFinding(result: RoleResult, ctx: FindingContext): AuditEvent | undefined {
  const conflict = result.planned.find((a) => a.kind === 'conflict' && a.code === PlanConflictCode.RoleNotManaged);
  if (conflict === undefined || conflict.kind !== 'conflict') return undefined;
  return newFindingEvent({
    id: ctx.newId(),
    kind: 'unowned-role-in-the-way',
    subject: roleArn(result.role),
    about: PlanConflictCode.RoleNotManaged,
    time: ctx.time,
    correlationId: ctx.correlationId,
    summary:
      `role ${result.role.roleName} in ${result.role.ownerAccountId} exists but dts-trust did not create it; ` +
      'declare it with adopt: true, or rename the grant, or remove the role by hand',
    evidence: { code: conflict.code, message: conflict.message },
  });
}

/**
 * The `unowned-policy-in-the-way` findings (Tencent): one per trusted account holding a policy of the sub-account
 * policy's reserved name that dts-trust did not create; nothing of it was changed (`SubAccountPolicyNotManaged`).
 * Its `findingId` is the same for the same policy (its id) in the same trusted account.
 */
export function unownedPolicyFindings(result: RoleResult, ctx: FindingContext): AuditEvent[] {
  return (result.trustedSideConflicts ?? []).map((conflict) =>
    newFindingEvent({
      id: ctx.newId(),
      kind: 'unowned-policy-in-the-way',
      subject: `${roleArn(result.role)}#${conflict.trustedAccountId}/${conflict.policyName}`,
      about: `${conflict.code}:${conflict.policyId}`,
      time: ctx.time,
      correlationId: ctx.correlationId,
      summary:
        `policy ${conflict.policyName} in trusted account ${conflict.trustedAccountId} was not created by dts-trust, ` +
        `so the sub-users of role ${result.role.roleName} in ${result.role.ownerAccountId} cannot get theirs; ` +
        'rename or delete that policy by hand (dts-trust never changes it)',
      evidence: {
        code: conflict.code,
        trustedAccountId: conflict.trustedAccountId,
        policyId: conflict.policyId,
        policyName: conflict.policyName,
        description: conflict.description,
        message: conflict.message,
      },
    }),
  );
}

/**
 * The `tug-of-war` finding: the same drift of declared access was repaired so often that the product paused the
 * role instead of fighting (a `role.paused` event, code `RoleFlapping`). Resolved when the pause is cleared.
 */
export function tugOfWarFinding(status: RoleStatus, ctx: FindingContext): AuditEvent {
  const role = { ownerAccountId: status.ownerAccountId, roleName: status.roleName };
  return newFindingEvent({
    id: ctx.newId(),
    kind: 'tug-of-war',
    subject: roleArn(role),
    about: status.flapSignature ?? 'RoleFlapping',
    time: ctx.time,
    correlationId: ctx.correlationId,
    summary:
      `role ${status.roleName} in ${status.ownerAccountId} was repaired for the same drift ${status.flapCount} times ` +
      'and is paused: find the tool or person that keeps changing it, then resume it',
    evidence: {
      flapCount: status.flapCount,
      flapSignature: status.flapSignature,
      pausedReason: status.pausedReason,
    },
  });
}

/** Codes of an owner account whose management role cannot be used (shared/alicloud/sts.ts, and RAM's refusal). */
export const MANAGEMENT_ROLE_CODES: ReadonlySet<string> = new Set([
  'ManagementRoleNotFound',
  'ManagementRoleNotTrusted',
  'NoPermission',
]);

/**
 * The `management-role-broken` finding: a run stopped an owner account because its management role is missing,
 * does not trust the automation account, or lacks a permission. `undefined` for any other account failure
 * (throttling or an outage is not the role's fault). Resolved when the account runs again.
 */
export function managementRoleFinding(
  failure: { accountId: string; code: string; message: string },
  ctx: FindingContext,
): AuditEvent | undefined {
  if (!MANAGEMENT_ROLE_CODES.has(failure.code)) return undefined;
  return newFindingEvent({
    id: ctx.newId(),
    kind: 'management-role-broken',
    subject: accountArn(failure.accountId),
    about: failure.code,
    time: ctx.time,
    correlationId: ctx.correlationId,
    summary: `no role of owner account ${failure.accountId} can be reconciled: ${failure.message}`,
    evidence: { accountId: failure.accountId, code: failure.code, message: failure.message },
  });
}

/** Every finding one role's reconcile raises (besides `removal-fight` and `tug-of-war`, raised with the status row). */
export function roleFindings(result: RoleResult, ctx: FindingContext): AuditEvent[] {
  const unowned = unownedRoleFinding(result, ctx);
  return [...trustRemovalFindings(result, ctx), ...(unowned ? [unowned] : []), ...unownedPolicyFindings(result, ctx)];
}

/** The status row a reconcile left, as the findings of the role read it. */
export interface WrittenStatus {
  /** The row now stored (absent when it was removed or could not be written). */
  readonly row?: RoleStatus | undefined;
  /** True when this write paused the role for flapping. */
  readonly pausedNow?: boolean | undefined;
}

/**
 * True when a role's reconcile raises no finding, told without building any (most roles of a run: nothing applied,
 * no conflict planned, nothing done or met on the trusted side, no pause): {@link findingsOfRole} would return none.
 */
export function raisesNoFinding(result: RoleResult, status: WrittenStatus): boolean {
  return (
    result.applied.length === 0 &&
    result.planned.every((action) => action.kind !== 'conflict') &&
    (result.trustedSide === undefined || result.trustedSide.length === 0) &&
    (result.trustedSideConflicts === undefined || result.trustedSideConflicts.length === 0) &&
    status.pausedNow !== true
  );
}

/**
 * Every finding one role's reconcile raises, given the status row it left: the security findings of the trust
 * entries it removed, an unowned role in the way, `removal-fight` when a flap-paused role had undeclared access
 * removed again, and `tug-of-war` when this very reconcile paused the role.
 */
export function findingsOfRole(result: RoleResult, status: WrittenStatus, ctx: FindingContext): AuditEvent[] {
  const findings = roleFindings(result, ctx);
  const fight = removalFightFinding(result, status.row, {
    id: ctx.newId(),
    time: ctx.time,
    correlationId: ctx.correlationId,
  });
  if (fight) findings.push(fight);
  if (status.pausedNow && status.row) findings.push(tugOfWarFinding(status.row, ctx));
  return findings;
}

/** Record each event in turn, best effort (a finding never fails the change it is about); returns those recorded. */
export async function recordEach(audit: AuditLog, events: readonly AuditEvent[]): Promise<AuditEvent[]> {
  const recorded: AuditEvent[] = [];
  for (const event of events) {
    try {
      await audit.record(event);
      recorded.push(event);
    } catch {
      // best effort: the run goes on, the next occurrence raises the finding again
    }
  }
  return recorded;
}

/**
 * The `dts-jobs-broken-by-removal` finding, raised before the removal is made: the role is about to be deleted
 * (`deleting`) or narrowed, and these live DTS jobs of the accounts it takes out use the role, so they will fail
 * when DTS next assumes it. The removal is made anyway. `unlisted` names the accounts whose jobs could not be
 * listed. `undefined` when no live job is known to use the role. Its `findingId` is the same for the same jobs.
 */
export function brokenJobsFinding(
  role: RoleKey,
  found: BrokenJobs,
  deleting: boolean,
  ctx: FindingContext,
): AuditEvent | undefined {
  if (found.uses.length === 0) return undefined;
  const ids = jobIdsOf(found.uses);
  const jobs = found.uses.map((u) => ({
    dtsJobId: u.dtsJobId,
    jobName: u.jobName,
    status: u.status,
    region: u.region,
    taskAccountId: u.taskAccountId,
    side: u.side,
    direction: u.direction,
  }));
  const accounts = [...new Set(found.uses.map((u) => u.taskAccountId))].sort();
  return newFindingEvent({
    id: ctx.newId(),
    kind: 'dts-jobs-broken-by-removal',
    subject: roleArn(role),
    about: JSON.stringify(ids),
    time: ctx.time,
    correlationId: ctx.correlationId,
    summary:
      `role ${role.roleName} in ${role.ownerAccountId} is being ${deleting ? 'deleted' : 'narrowed'} as its grants ` +
      `say; ${ids.length} live DTS job(s) of ${accounts.join(', ')} use it and will fail: ${ids.join(', ')}`,
    evidence: { jobs, unlisted: found.unlisted },
  });
}
