import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { ConcurrentModificationError } from '../domain/errors.js';
import type { RoleKey } from '../domain/grant.js';
import { roleArn } from '../domain/ownership.js';
import type { AuditLog, Clock, RoleStatus, StatusStore } from '../ports.js';
import { RoleOutcome, type RoleResult } from './outcome.js';
import { keepsStatus, nextRoleStatus, type StatusPolicy, sameStatus } from './status.js';

/** One status write after a reconcile. */
export interface StatusWriteRequest {
  readonly result: RoleResult;
  /** The row as the run's scan read it (`null`: the role had none); absent when nobody read it yet. */
  readonly previous?: RoleStatus | null | undefined;
  /** An explicit reconcile (after intake): a flap pause ends. */
  readonly resume: boolean;
  /** False when the role has no grant row left (active or expired): once settled, its row goes. */
  readonly declared: boolean;
  readonly correlationId: string;
}

/** What a status write did. */
export interface StatusWrite {
  /** The row now stored; absent when the row was removed or could not be written. */
  readonly row?: RoleStatus;
  /** True when the row could not be written (the next run writes it again). */
  readonly failed: boolean;
  /** True when this write paused the role for flapping (its `role.paused` event was recorded). */
  readonly pausedNow?: boolean;
}

/** What the status writer needs. */
export interface StatusWriterDeps {
  readonly status: StatusStore;
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  readonly policy: StatusPolicy;
  readonly newId: () => string;
}

/** Writes a role's status row after its reconcile; a run that changes nothing uses {@link skipStatusWrites}. */
export interface RoleStatusWriter {
  write(request: StatusWriteRequest): Promise<StatusWrite>;
}

/** A writer that writes nothing (the dry run): the row stays as the scan read it. */
export const skipStatusWrites: RoleStatusWriter = {
  write: async ({ previous }) => (previous ? { row: previous, failed: false } : { failed: false }),
};

/**
 * The status rows of the reconciled roles: each written only when something besides its time changed (a run that
 * finds a role as it was writes nothing), conditionally on the version read, re-read and tried once more after a
 * race. A role left without any grant row is forgotten once it is settled: its row goes, so runs stop
 * visiting it. The write that pauses a flapping role records a `role.paused` event (best effort: the row says so).
 */
export class StatusWriter implements RoleStatusWriter {
  constructor(private readonly deps: StatusWriterDeps) {}

  async write({ result, previous, resume, declared, correlationId }: StatusWriteRequest): Promise<StatusWrite> {
    const role = result.role;
    let known = previous;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (known === undefined || attempt > 0) known = (await this.deps.status.getStatus(role)) ?? null;
        if (!declared && result.outcome !== RoleOutcome.Failed) {
          if (known) await this.deps.status.deleteStatus(role, known.version);
          return { failed: false };
        }
        // The steady state (found as it was) is told from the few members a run can change, before the row is built.
        if (known && keepsStatus(known, result, { resume })) return { row: known, failed: false };
        const next = nextRoleStatus(role, known ?? undefined, result, this.deps.clock.now(), this.deps.policy, {
          resume,
        });
        if (known && sameStatus(known, next)) return { row: known, failed: false };
        const row = await this.deps.status.putStatus(next, known?.version ?? 0);
        if (row.pausedReason !== undefined && known?.pausedReason === undefined) {
          await this.#recordFlapPause(role, row, correlationId);
          return { row, failed: false, pausedNow: true };
        }
        return { row, failed: false };
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError) || attempt > 0) break;
      }
    }
    return { failed: true };
  }

  async #recordFlapPause(role: RoleKey, status: RoleStatus, correlationId: string): Promise<void> {
    const event = newAuditEvent({
      id: this.deps.newId(),
      type: AuditEventType.RolePaused,
      subject: roleArn(role),
      time: this.deps.clock.now(),
      data: {
        correlationId,
        outcome: RoleOutcome.Paused,
        codes: ['RoleFlapping'],
        detail: { reason: status.pausedReason, flapCount: status.flapCount, flapSignature: status.flapSignature },
      },
    });
    await this.deps.audit.record(event).catch(() => undefined);
  }
}
