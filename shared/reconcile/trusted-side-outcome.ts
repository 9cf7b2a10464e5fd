import { RoleOutcome } from './outcome.js';
import { HoldReason } from './plan.js';
import type { TrustedSideResult } from './trusted-side.js';

/** The outcomes a trusted-side change turns into `repaired`: nothing else of the role changed. */
const UNCHANGED: ReadonlySet<RoleOutcome> = new Set([
  RoleOutcome.InSync,
  RoleOutcome.Paused,
  RoleOutcome.DriftObserved,
  RoleOutcome.Deferred,
]);

/** What a role otherwise in sync reports when a hold kept a trusted-side step back, as its own plan would. */
const HELD: Readonly<Record<HoldReason, RoleOutcome>> = {
  [HoldReason.Observe]: RoleOutcome.DriftObserved,
  [HoldReason.Paused]: RoleOutcome.Paused,
  [HoldReason.Flapping]: RoleOutcome.Paused,
  [HoldReason.Backoff]: RoleOutcome.Deferred,
};

/**
 * The outcome of a role whose trusted side was reconciled after it: `conflict` when a trusted account holds a
 * policy of the reserved name dts-trust does not own (the status row and the run say so); `repaired` when a
 * sub-account policy was changed while the role itself was not (so the repair counts as one, flap counting
 * included); for a role otherwise in sync whose trusted-side drift a hold kept back, what the hold makes of the
 * role's own drift (`driftObserved`, `paused`, `deferred`); the role's own outcome otherwise (`created`,
 * `repaired`, `deleted`, `adopted`, `failed` stay).
 */
export function outcomeWithTrustedSide(
  outcome: RoleOutcome,
  side: TrustedSideResult,
  hold: HoldReason | undefined,
): RoleOutcome {
  if (outcome === RoleOutcome.Failed) return outcome;
  if (side.conflicts.length > 0) return RoleOutcome.Conflict;
  if (side.steps.length > 0 && UNCHANGED.has(outcome)) return RoleOutcome.Repaired;
  if (side.heldBack.length > 0 && hold !== undefined && outcome === RoleOutcome.InSync) return HELD[hold];
  return outcome;
}
