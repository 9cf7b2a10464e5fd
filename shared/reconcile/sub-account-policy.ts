import { randomUUID } from 'node:crypto';
import { type AuditEvent, AuditEventType, newAuditEvent } from '../domain/audit.js';
import { isGrantActive } from '../domain/desired-role.js';
import { Cloud, type Grant, type RoleKey } from '../domain/grant.js';
import { roleArn } from '../domain/ownership.js';
import {
  buildSubAccountPolicy,
  isSubAccountPolicyUpToDate,
  renderSubAccountPolicy,
  subAccountPolicyAllowsMore,
  subAccountPolicyDescription,
  subAccountPolicyName,
} from '../policy/tencent/index.js';
import type {
  AccountCredentials,
  AuditLog,
  Clock,
  PolicyEntity,
  SubAccountPolicyDirectory,
  SubAccountPolicyRecord,
} from '../ports.js';

/**
 * The Tencent trusted account's half of a relationship run by sub-users: a custom policy in the trusted (task)
 * root account allowing `name/sts:AssumeRole` on the owner's role, attached to exactly the declared sub-users.
 * Planned as data, applied with an audit record before every change, narrowing before widening: groups, roles and
 * undeclared users are detached before the document is repaired, declared users attached only after it is. A policy
 * of the reserved name that is not dts-trust's own (not the id the status row recorded; before one is recorded,
 * without the marker) is somebody else's: it is never changed (a conflict).
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

/** Codes of a sub-account policy dts-trust must not touch. */
export const SubAccountPolicyConflictCode = {
  /** A policy of the reserved name exists that dts-trust did not create (another id, or no ownership marker). */
  NotManaged: 'SubAccountPolicyNotManaged',
} as const;
/** One of {@link SubAccountPolicyConflictCode}. */
export type SubAccountPolicyConflictCode =
  (typeof SubAccountPolicyConflictCode)[keyof typeof SubAccountPolicyConflictCode];

/** A sub-account policy in the way: found, left exactly as it is, reported. */
export interface SubAccountPolicyConflict {
  readonly code: SubAccountPolicyConflictCode;
  readonly trustedAccountId: string;
  readonly policyName: string;
  readonly policyId: string;
  /** The description it carries (a marker on it is a claim, not the proof). */
  readonly description: string;
  readonly message: string;
}

/**
 * What the role's status row says dts-trust created in one trusted account: the policy's id; `null` when ids are
 * recorded for the role but none for this account; `undefined` when no id is recorded for the role at all (a row of
 * an earlier release, or a reconcile that did not read the row).
 */
export type RecordedPolicyId = string | null | undefined;

/**
 * True when dts-trust may change `live`: it is the policy whose id dts-trust recorded, or, where no id is recorded
 * for the role, it carries exactly the description dts-trust creates this role's policy with. The reserved name
 * alone proves nothing (anyone may create a policy of that name), and neither does the marker where an id is
 * recorded (anyone may write it); what an owned policy is changed to is only ever the declared state.
 */
export function isOwnedSubAccountPolicy(
  desired: DesiredSubAccountPolicy,
  live: SubAccountPolicyRecord,
  recorded?: RecordedPolicyId,
): boolean {
  if (recorded === undefined) {
    return live.description === subAccountPolicyDescription(desired.role.ownerAccountId, desired.role.roleName);
  }
  return live.policyId === recorded;
}

/**
 * The conflict `live` is for `desired`; `undefined` when there is no policy, dts-trust owns it, or no sub-user is
 * declared any more (a policy that is not dts-trust's is then in nobody's way: it is left alone without a report, so
 * a revoked or expired grant settles and goes).
 */
export function subAccountPolicyConflict(
  desired: DesiredSubAccountPolicy,
  live: SubAccountPolicyRecord | undefined,
  recorded?: RecordedPolicyId,
): SubAccountPolicyConflict | undefined {
  if (live === undefined || isOwnedSubAccountPolicy(desired, live, recorded)) return undefined;
  if (desired.subAccountUins.length === 0) return undefined;
  const why =
    recorded === undefined
      ? 'its description is not the ownership marker'
      : recorded === null
        ? 'dts-trust recorded no policy of its own there'
        : `dts-trust created policy ${recorded} there, not this one`;
  return {
    code: SubAccountPolicyConflictCode.NotManaged,
    trustedAccountId: desired.trustedAccountId,
    policyName: live.policyName,
    policyId: live.policyId,
    description: live.description,
    message:
      `policy ${live.policyName} (${live.policyId}) in trusted account ${desired.trustedAccountId} exists but dts-trust ` +
      `did not create it (${why}), so it is left as it is: rename or delete it by hand if it is not needed, or let ` +
      'the sub-users assume the role through it yourself',
  };
}

/** One change to a sub-account policy. */
export type SubAccountPolicyStep =
  | { readonly kind: 'detachEntity'; readonly entity: PolicyEntity }
  | { readonly kind: 'detachUser'; readonly uin: string }
  | {
      readonly kind: 'updateDocument';
      readonly document: string;
      /** True when the live document allows more than the desired one, so the repair takes access away. */
      readonly narrows: boolean;
    }
  | { readonly kind: 'createPolicy'; readonly document: string }
  | { readonly kind: 'attachUser'; readonly uin: string }
  | { readonly kind: 'deletePolicy' };

/**
 * The steps from the live policy to the desired one, every narrowing first: detach the groups and roles holding it
 * (no grant ever declares one) and the undeclared users, repair the document, then create the policy or attach
 * declared users; with no sub-user declared, detach everything and delete. None for a policy dts-trust does not own
 * ({@link subAccountPolicyConflict}).
 */
export function planSubAccountPolicy(
  desired: DesiredSubAccountPolicy,
  live: SubAccountPolicyRecord | undefined,
  recorded?: RecordedPolicyId,
): SubAccountPolicyStep[] {
  const wanted = new Set(desired.subAccountUins);
  const document = renderSubAccountPolicy(buildSubAccountPolicy(desired.role.ownerAccountId, desired.role.roleName));
  if (live === undefined) {
    if (wanted.size === 0) return [];
    return [{ kind: 'createPolicy', document }, ...[...wanted].map((uin) => ({ kind: 'attachUser' as const, uin }))];
  }
  if (!isOwnedSubAccountPolicy(desired, live, recorded)) return [];
  const detach: SubAccountPolicyStep[] = [
    ...live.otherEntities.map((entity) => ({ kind: 'detachEntity' as const, entity })),
    ...live.userUins.filter((uin) => !wanted.has(uin)).map((uin) => ({ kind: 'detachUser' as const, uin })),
  ];
  if (wanted.size === 0) return [...detach, { kind: 'deletePolicy' }];
  const { ownerAccountId, roleName } = desired.role;
  const repair = isSubAccountPolicyUpToDate(live.document, ownerAccountId, roleName)
    ? []
    : [
        {
          kind: 'updateDocument' as const,
          document,
          narrows: subAccountPolicyAllowsMore(live.document, ownerAccountId, roleName),
        },
      ];
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
  /** What the role's status row says dts-trust created in this trusted account. */
  readonly recorded?: RecordedPolicyId;
  /** The live policy as the caller just read it (`findPolicy`), so it is not read again. */
  readonly observed?: { readonly live: SubAccountPolicyRecord | undefined };
}

/** What reconciling one trusted account's sub-account policy did. */
export interface SubAccountPolicyOutcome {
  /** The steps applied (planned, in a dry run), in order. */
  readonly steps: readonly SubAccountPolicyStep[];
  /** The steps planned but kept back by `keep` (a hold). */
  readonly heldBack: readonly SubAccountPolicyStep[];
  /** The audit events recorded, in order. */
  readonly events: readonly AuditEvent[];
  /**
   * The id of dts-trust's policy there after this reconcile (created, or owned as found), `null` when it has none
   * there (none found, none created, deleted); absent when there is no news (a conflict, a dry run's creation).
   */
  readonly policyId?: string | null;
  /** Set when a policy of the reserved name is not dts-trust's: nothing was changed, a conflict was recorded. */
  readonly conflict?: SubAccountPolicyConflict;
}

/** The audit subject of one trusted account's sub-account policy: `<role ARN>#<trusted>/<policy name>`. */
export function subAccountPolicySubject(desired: DesiredSubAccountPolicy): string {
  return `${roleArn(desired.role, Cloud.Tencent)}#${desired.trustedAccountId}/${desired.policyName}`;
}

/** The state of a live policy as its audit records show it. */
function liveState(live: SubAccountPolicyRecord | undefined) {
  if (live === undefined) return null;
  return {
    policyId: live.policyId,
    description: live.description,
    document: live.document,
    userUins: live.userUins,
    ...(live.otherEntities.length === 0 ? {} : { otherEntities: live.otherEntities }),
  };
}

/**
 * Observe, plan and apply the sub-account policy of one trusted account (its credentials in `account`): an audit
 * event before each change; a directory error stops at that step (`CloudApiError` propagates) so nothing after it
 * runs. A policy of the reserved name dts-trust does not own is left as it is: a `role.conflict` record (code
 * `SubAccountPolicyNotManaged`) and the conflict in the outcome, no change.
 */
export async function reconcileSubAccountPolicy(
  desired: DesiredSubAccountPolicy,
  account: AccountCredentials,
  deps: SubAccountPolicyDeps,
): Promise<SubAccountPolicyOutcome> {
  const live = deps.observed ? deps.observed.live : await deps.directory.findPolicy(account, desired.policyName);
  const subject = subAccountPolicySubject(desired);
  const newId = deps.newId ?? randomUUID;
  const conflict = subAccountPolicyConflict(desired, live, deps.recorded);
  if (conflict !== undefined) {
    const event = newAuditEvent({
      id: newId(),
      type: AuditEventType.RoleConflict,
      subject,
      time: deps.clock.now(),
      data: {
        correlationId: deps.correlationId,
        outcome: 'conflict',
        grantIds: desired.grantIds,
        codes: [conflict.code],
        before: liveState(live),
        after: { subAccountUins: desired.subAccountUins },
        detail: { trustedAccountId: desired.trustedAccountId, message: conflict.message },
      },
    });
    await deps.audit.record(event);
    return { steps: [], heldBack: [], events: [event], conflict };
  }
  const planned = planSubAccountPolicy(desired, live, deps.recorded);
  const steps = planned.filter((step) => deps.keep?.(step) ?? true);
  const heldBack = planned.filter((step) => !steps.includes(step));
  let policyId = live?.policyId;
  const events: AuditEvent[] = [];
  for (const step of steps) {
    const event = newAuditEvent({
      id: newId(),
      type: AuditEventType.SubAccountPolicyChange,
      subject,
      time: deps.clock.now(),
      data: {
        correlationId: deps.correlationId,
        outcome: step.kind,
        grantIds: desired.grantIds,
        before: liveState(live),
        after: { subAccountUins: desired.subAccountUins },
        detail: {
          trustedAccountId: desired.trustedAccountId,
          ...('uin' in step ? { uin: step.uin } : {}),
          ...('entity' in step ? { entity: step.entity } : {}),
        },
      },
    });
    await deps.audit.record(event);
    events.push(event);
    switch (step.kind) {
      case 'createPolicy':
        policyId = await deps.directory.createPolicy(
          account,
          desired.policyName,
          step.document,
          subAccountPolicyDescription(desired.role.ownerAccountId, desired.role.roleName),
        );
        break;
      case 'updateDocument':
        await deps.directory.updatePolicy(account, policyId ?? '', step.document);
        break;
      case 'attachUser':
        await deps.directory.attachUser(account, policyId ?? '', step.uin);
        break;
      case 'detachEntity':
        await deps.directory.detachEntity(account, policyId ?? '', step.entity);
        break;
      case 'detachUser':
        await deps.directory.detachUser(account, policyId ?? '', step.uin);
        break;
      case 'deletePolicy':
        await deps.directory.deletePolicy(account, policyId ?? '');
        break;
    }
  }
  const deleted = steps.some((step) => step.kind === 'deletePolicy');
  if (deleted || policyId === undefined) return { steps, heldBack, events, policyId: null };
  return policyId === '' ? { steps, heldBack, events } : { steps, heldBack, events, policyId };
}
