import type { AuditEvent } from '../domain/audit.js';
import { Cloud, type Grant, type RoleKey } from '../domain/grant.js';
import { accountOfQcsPrincipal, subAccountPolicyName } from '../policy/tencent/index.js';
import type {
  AccountCredentials,
  AuditLog,
  Clock,
  SubAccountPolicyDirectory,
  SubAccountPolicyListing,
} from '../ports.js';
import type { RoleObservation } from './observe.js';
import type { FoundSubAccountPolicy } from './sub-account-listing.js';
import {
  type DesiredSubAccountPolicy,
  desiredSubAccountPolicies,
  planSubAccountPolicy,
  reconcileSubAccountPolicy,
  type SubAccountPolicyConflict,
  type SubAccountPolicyStep,
} from './sub-account-policy.js';

/**
 * The trusted accounts' half of a Tencent role inside a run: after the role itself is reconciled, the sub-users'
 * AssumeRole policy of each trusted root account that holds a management role dts-trust may enter is planned from
 * the grants and applied there (shared/reconcile/sub-account-policy.ts). A trusted account without a management
 * role is never entered: dts-trust cannot have created a policy there.
 */

/** What the run needs for the trusted side. */
export interface TrustedSidePort {
  readonly directory: SubAccountPolicyDirectory;
  /** dts-trust's policies of a trusted account in one listing (a sweep reads them so, once per account and run). */
  readonly listing?: SubAccountPolicyListing | undefined;
  /** True when dts-trust may enter `accountId` (a management role, with its external ID, is configured for it). */
  readonly manages: (accountId: string) => Promise<boolean>;
}

/**
 * True when the step takes access away: a detach (user, group, role), the deletion, or a document repair that
 * removes more than the declared statement. No hold keeps it back; repeated under a flap pause it is a removal fight.
 */
export function isTrustedSideRemoval(step: SubAccountPolicyStep): boolean {
  switch (step.kind) {
    case 'detachUser':
    case 'detachEntity':
    case 'deletePolicy':
      return true;
    case 'updateDocument':
      return step.narrows;
    default:
      return false;
  }
}

/** A directory whose writes are skipped (a dry run: the steps are planned, nothing is changed); reads go through. */
function readOnly(directory: SubAccountPolicyDirectory): SubAccountPolicyDirectory {
  return {
    findPolicy: (account, name) => directory.findPolicy(account, name),
    createPolicy: async () => '',
    updatePolicy: async () => undefined,
    attachUser: async () => undefined,
    detachUser: async () => undefined,
    detachEntity: async () => undefined,
    deletePolicy: async () => undefined,
  };
}

/**
 * The sub-account policies one Tencent role's trusted accounts must hold: one per trusted account named by a grant
 * row of the role (active or expired) or by the live trust policy (a revoked grant leaves only that), each with
 * the sub-users of the active grants (none: the policy must go). Empty for an Alibaba role.
 */
export function trustedSidePolicies(
  role: RoleKey,
  grants: readonly Grant[],
  observation: Pick<RoleObservation, 'dialect' | 'trust'> | undefined,
  now: Date,
): DesiredSubAccountPolicy[] {
  const cloud = grants[0]?.cloud ?? observation?.dialect.cloud;
  if (cloud !== Cloud.Tencent) return [];
  const declared = desiredSubAccountPolicies(role, grants, now);
  const known = new Set(declared.map((d) => d.trustedAccountId));
  const live = (observation?.trust?.entries ?? [])
    .map((e) => accountOfQcsPrincipal(e.principal))
    .filter((uin): uin is string => uin !== undefined && uin !== role.ownerAccountId && !known.has(uin));
  const empty = [...new Set(live)].sort().map(
    (trustedAccountId): DesiredSubAccountPolicy => ({
      role,
      trustedAccountId,
      policyName: subAccountPolicyName(role.ownerAccountId, role.roleName),
      subAccountUins: [],
      grantIds: [],
    }),
  );
  return [...declared, ...empty];
}

/** What reconciling the trusted side needs from its run. */
export interface TrustedSideDeps {
  readonly port: TrustedSidePort;
  /** Credentials inside a trusted account (the run's sessions: one AssumeRole per account per run). */
  readonly credentialsFor: (accountId: string) => Promise<AccountCredentials>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly correlationId: string;
  /** False in a dry run: no write is made (the steps are still planned and returned). */
  readonly writes: boolean;
  /**
   * A hold (observe, paused, flap pause, backoff): additions and repairs that give declared access back are kept
   * back; removals go on ({@link isTrustedSideRemoval}).
   */
  readonly held: boolean;
  /**
   * The policies from the grants as they are now, asked for once before the first change (the run's scan may be
   * older than a revoke); absent when `policies` were planned from grants just read.
   */
  readonly fresh?: () => Promise<readonly DesiredSubAccountPolicy[]>;
  /**
   * How the live policy is first found (a sweep's listing: shared/reconcile/sub-account-listing.ts); default the directory's
   * own find. A change planned from an answer the listing decided is planned again from a find of its own.
   */
  readonly find?: (account: AccountCredentials, policyName: string) => Promise<FoundSubAccountPolicy>;
  /**
   * The policy ids the role's status row recorded, by trusted account UIN; absent when the row holds none (an earlier
   * release's row) or was not read (an explicit reconcile): the ownership marker decides then.
   */
  readonly recorded?: Readonly<Record<string, string>> | undefined;
}

/** One step taken in one trusted account. */
export type TrustedSideStep = SubAccountPolicyStep & { readonly trustedAccountId: string };

/** What the trusted side of one role came to. */
export interface TrustedSideResult {
  /** The steps taken in every trusted account (planned, in a dry run), in order. */
  readonly steps: readonly TrustedSideStep[];
  /** The steps a hold kept back (additions, and repairs that give declared access back). */
  readonly heldBack: readonly TrustedSideStep[];
  /** The audit events recorded (each change's before it was made, each conflict's), in order. */
  readonly events: readonly AuditEvent[];
  /** The policies of the reserved name dts-trust does not own: left as they are, each recorded as a conflict. */
  readonly conflicts: readonly SubAccountPolicyConflict[];
  /** By trusted account UIN, the id of dts-trust's policy there after this reconcile (`null`: none); see RoleResult. */
  readonly policyIds: Readonly<Record<string, string | null>>;
}

/**
 * Reconcile each desired sub-account policy whose trusted account dts-trust manages, one after the other; returns
 * the steps taken (planned, in a dry run) and the policies in the way. A failure (the account cannot be entered, CAM
 * refuses) propagates, so the role fails; the steps before it were each recorded before they were made.
 */
export async function reconcileTrustedSide(
  policies: readonly DesiredSubAccountPolicy[],
  deps: TrustedSideDeps,
): Promise<TrustedSideResult> {
  const taken: TrustedSideStep[] = [];
  const heldBack: TrustedSideStep[] = [];
  const events: AuditEvent[] = [];
  const conflicts: SubAccountPolicyConflict[] = [];
  const policyIds: Record<string, string | null> = {};
  const keep = (step: SubAccountPolicyStep) => !deps.held || isTrustedSideRemoval(step);
  let current: readonly DesiredSubAccountPolicy[] | undefined;
  for (const planned of policies) {
    if (!(await deps.port.manages(planned.trustedAccountId))) continue;
    const account = await deps.credentialsFor(planned.trustedAccountId);
    const found = deps.find
      ? await deps.find(account, planned.policyName)
      : { live: await deps.port.directory.findPolicy(account, planned.policyName), listed: false };
    let live = found.live;
    let desired = planned;
    const recorded = deps.recorded === undefined ? undefined : (deps.recorded[planned.trustedAccountId] ?? null);
    if ((deps.fresh !== undefined || found.listed) && planSubAccountPolicy(desired, live, recorded).some(keep)) {
      // A change is due: plan it from the grants as they are now, and the policy as it is now (never from a listing).
      if (deps.fresh !== undefined) {
        current ??= await deps.fresh();
        desired = current.find((d) => d.trustedAccountId === planned.trustedAccountId) ?? {
          ...planned,
          subAccountUins: [],
          grantIds: [],
        };
      }
      live = await deps.port.directory.findPolicy(account, desired.policyName);
    }
    const outcome = await reconcileSubAccountPolicy(desired, account, {
      directory: deps.writes ? deps.port.directory : readOnly(deps.port.directory),
      audit: deps.audit,
      clock: deps.clock,
      newId: deps.newId,
      correlationId: deps.correlationId,
      keep,
      recorded,
      observed: { live },
    });
    const where = { trustedAccountId: desired.trustedAccountId };
    taken.push(...outcome.steps.map((step) => ({ ...step, ...where })));
    heldBack.push(...outcome.heldBack.map((step) => ({ ...step, ...where })));
    events.push(...outcome.events);
    if (outcome.conflict !== undefined) conflicts.push(outcome.conflict);
    if (outcome.policyId !== undefined) policyIds[desired.trustedAccountId] = outcome.policyId;
  }
  return { steps: taken, heldBack, events, conflicts, policyIds };
}

/** One trusted-side step in words (`detach group 12 (dba) from the policy in 100000000002`). */
export function describeTrustedSideStep(step: TrustedSideStep): string {
  const where = `the sub-account policy in ${step.trustedAccountId}`;
  switch (step.kind) {
    case 'createPolicy':
      return `create ${where}`;
    case 'updateDocument':
      return `repair the document of ${where}`;
    case 'attachUser':
      return `attach sub-user ${step.uin} to ${where}`;
    case 'detachUser':
      return `detach sub-user ${step.uin} from ${where}`;
    case 'detachEntity':
      return `detach ${step.entity.kind} ${step.entity.id} (${step.entity.name}) from ${where}`;
    case 'deletePolicy':
      return `delete ${where}`;
  }
}
