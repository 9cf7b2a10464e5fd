import { createHash, randomUUID } from 'node:crypto';
import { type AuditEventData, AuditEventType, newAuditEvent } from '../domain/audit.js';
import type { ValidationProblem } from '../domain/errors.js';
import type { Grant, GrantMode, RoleKey } from '../domain/grant.js';
import { grantId, roleArn, roleId } from '../domain/ownership.js';
import type { UncheckedQuestion } from '../domain/preflight.js';
import { parseTimestamp } from '../domain/timestamp.js';
import type { AccountPartition } from '../domain/validation.js';
import type { AuditLog, Clock, GrantStore, MessageIdentity, ProcessedMessageLedger, StatusStore } from '../ports.js';
import type { RoleResult } from '../reconcile/outcome.js';
import { isRetryableStep } from '../reconcile/retry.js';
import {
  type AuthenticatedTicket,
  authenticateTicket,
  MessageRejection,
  messageProblem,
  Rejection,
} from './authenticate.js';
import type { TicketSystems } from './authority.js';
import { checkTicket, rolesOf } from './check-ticket.js';
import type { Guardrails } from './guardrails.js';
import type { AccountPreflight } from './preflight.js';
import type { QueueMessage } from './queue-message.js';
import type { RoleTicketTarget } from './role-tickets.js';
import type { TencentIntake } from './tencent-readiness.js';
import {
  type GrantTicketBody,
  type ModeTicketBody,
  type ResumeTicketBody,
  TicketAction,
  type TicketBody,
} from './ticket-message.js';

/** How one queue message ended. */
export const MessageOutcome = {
  Declared: 'declared',
  Revoked: 'revoked',
  /** A `resume` ticket: the role's flap pause is cleared (or it was not paused) and the role reconciled. */
  Resumed: 'resumed',
  /** A `mode` ticket: the grants it names have the mode it asks for. */
  ModeChanged: 'modeChanged',
  Rejected: 'rejected',
  /** Already processed: a redelivery changes nothing. */
  Duplicate: 'duplicate',
  /** Could not be processed now (store unavailable); the trigger retries it. */
  Retry: 'retry',
} as const;
/** One of {@link MessageOutcome}. */
export type MessageOutcome = (typeof MessageOutcome)[keyof typeof MessageOutcome];

/** The result of one queue message. */
export interface MessageResult {
  readonly index: number;
  readonly messageId: string;
  readonly outcome: MessageOutcome;
  readonly ticket?: string | undefined;
  /** Catalog and product codes of a rejection. */
  readonly codes?: readonly string[];
  readonly problems?: readonly ValidationProblem[];
  readonly grantIds?: readonly string[];
  readonly roles?: readonly Pick<RoleResult, 'role' | 'outcome' | 'error'>[];
  /** Preflight questions no read could answer (an account without a management role): reported, not passed. */
  readonly unchecked?: readonly UncheckedQuestion[];
  /** For `retry`: why. */
  readonly error?: string;
}

/** What intake needs. */
export interface IntakeDeps {
  /** The ticketing systems, their keys and authority (`ticketSystems` of the trust settings). */
  readonly ticketSystems: TicketSystems;
  /** Re-read the settings once when a message names a key id they lack (a new secret version). */
  readonly refreshTicketSystems?: (keyId: string) => Promise<TicketSystems>;
  readonly replayWindowSeconds: number;
  readonly guardrails: Guardrails;
  readonly ledger: ProcessedMessageLedger;
  readonly grants: GrantStore;
  /** Status rows: a `resume` reads whether the role is paused. */
  readonly status: Pick<StatusStore, 'getStatus'>;
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  /** Reconcile one role now (the engine's reconcileRole). */
  readonly reconcileRole: (
    role: RoleKey,
    correlationId: string,
  ) => Promise<Pick<RoleResult, 'role' | 'outcome' | 'error'>>;
  /** Known partitions of accounts (Finance/Gov pairing rule). */
  readonly partitions?: Readonly<Record<string, AccountPartition>>;
  /** The partition of an account `partitions` does not list (`defaultAccountPartition` of the trust settings). */
  readonly defaultPartition?: AccountPartition;
  /** How long a claim on a message holds before another delivery may take it over. */
  readonly leaseMs?: number;
  /**
   * The live-account preflight (AliyunDTSDefaultRole present, no RAM user by the role name), run on a declaration
   * after the rules and before anything is stored; one per invocation, so answers are cached per run.
   */
  readonly preflight?: Pick<AccountPreflight, 'check'>;
  /** The deployment's Tencent side; absent when Tencent is not configured (Tencent declarations are refused). */
  readonly tencent?: TencentIntake | undefined;
}

/** Clocks of ticketing systems may run slightly ahead. */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

/**
 * A stable event id for what one message did to one grant, UUID-shaped: a redelivery that records the same
 * event again overwrites it in the outbox (or, once delivered, repeats the id consumers deduplicate by).
 */
export function intakeEventId(identity: MessageIdentity, ...parts: string[]): string {
  const hex = createHash('sha256')
    .update(JSON.stringify([identity.keyId, identity.messageId, ...parts]))
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** True when `stored` was written by the message `identity` (a redelivery finds its own earlier write). */
function writtenBy(stored: Grant, identity: MessageIdentity): boolean {
  return stored.origin?.keyId === identity.keyId && stored.origin.messageId === identity.messageId;
}

/** One intake's way to record events: every event carries the correlation id. */
type Recorder = (
  id: string,
  type: AuditEventType,
  subject: string,
  data: Omit<AuditEventData, 'correlationId'>,
) => Promise<void>;

/**
 * Store one ticket's grants, each change before the event that reports it, so no event claims a change that
 * did not happen. A redelivery of a half-applied ticket finds its own writes (by the grant's origin) and records
 * their events again under the same ids, then completes the rest.
 */
async function applyTicket(
  ticket: AuthenticatedTicket,
  body: GrantTicketBody,
  grants: readonly Grant[],
  deps: IntakeDeps,
  record: Recorder,
  unchecked: readonly UncheckedQuestion[],
): Promise<void> {
  const { identity } = ticket;
  for (const grant of grants) {
    const subject = roleArn(grant);
    const id = grantId(grant);
    const existing = await deps.grants.getGrant(grant);
    if (body.action === TicketAction.Declare) {
      let outcome: string;
      if (existing && writtenBy(existing, identity)) {
        outcome = existing.revision === 1 ? 'declared' : 'updated';
      } else {
        await deps.grants.putGrant({ ...grant, revision: existing?.revision ?? 0 }, existing?.revision);
        outcome = existing ? 'updated' : 'declared';
      }
      await record(intakeEventId(identity, id, AuditEventType.GrantDeclared), AuditEventType.GrantDeclared, subject, {
        outcome,
        grantIds: [id],
        ticket: body.ticket,
        ...(existing && !writtenBy(existing, identity) ? { before: existing } : {}),
        after: grant,
        ...(unchecked.length > 0 ? { detail: { preflightUnchecked: unchecked } } : {}),
      });
    } else {
      if (existing) await deps.grants.deleteGrant(grant);
      await record(intakeEventId(identity, id, AuditEventType.GrantRevoked), AuditEventType.GrantRevoked, subject, {
        outcome: existing ? 'revoked' : 'notFound',
        grantIds: [id],
        ticket: body.ticket,
        ...(existing ? { before: existing } : {}),
      });
    }
  }
}

/**
 * Switch the mode of the grants a `mode` ticket names. Each change is recorded before its grant row is written
 * (conditional on the revision read), as RAM changes are: a redelivery after a failure between the two records the
 * same event again under the same id and completes the write. A grant already in the mode is reported
 * `unchanged`.
 */
async function applyModeChange(
  ticket: AuthenticatedTicket,
  body: ModeTicketBody,
  target: RoleTicketTarget,
  deps: IntakeDeps,
  record: Recorder,
): Promise<void> {
  for (const grant of target.targeted) {
    const id = grantId(grant);
    const changed = grant.mode !== body.mode;
    const after: Grant = { ...grant, mode: body.mode as GrantMode };
    await record(
      intakeEventId(ticket.identity, id, AuditEventType.GrantModeChanged),
      AuditEventType.GrantModeChanged,
      roleArn(grant),
      {
        outcome: changed ? 'modeChanged' : 'unchanged',
        grantIds: [id],
        ticket: body.ticket,
        before: { mode: grant.mode },
        after: { mode: body.mode },
      },
    );
    if (changed) await deps.grants.putGrant(after, grant.revision);
  }
}

/**
 * Record that a `resume` ticket clears a role's flap pause (`notPaused` when the status row holds none); the
 * explicit reconcile that follows writes the status row without the pause.
 */
async function recordResume(
  ticket: AuthenticatedTicket,
  body: ResumeTicketBody,
  target: RoleTicketTarget,
  deps: IntakeDeps,
  record: Recorder,
): Promise<void> {
  const status = await deps.status.getStatus(body.role);
  const role = target.roleGrants[0] ?? body.role;
  await record(intakeEventId(ticket.identity, 'resume'), AuditEventType.RoleResumed, roleArn(role), {
    outcome: status?.pausedReason === undefined ? 'notPaused' : 'resumed',
    grantIds: target.roleGrants.map(grantId),
    ticket: body.ticket,
    ...(status?.pausedReason === undefined
      ? {}
      : { before: { pausedReason: status.pausedReason, flapCount: status.flapCount } }),
  });
}

/** What a ticket came to once its checks passed. */
interface TicketEffect {
  readonly outcome: MessageOutcome;
  readonly grantIds: readonly string[];
  readonly roles: readonly RoleKey[];
  /** Preflight questions of a declaration that could not be answered (recorded with the grant). */
  readonly unchecked: readonly UncheckedQuestion[];
}

/** Check and apply one claimed ticket; throws {@link Rejection} for a ticket its checks refuse. */
async function applyClaimedTicket(
  ticket: AuthenticatedTicket,
  deps: IntakeDeps,
  record: Recorder,
): Promise<TicketEffect> {
  const checked = await checkTicket(ticket, deps);
  const roles = rolesOf(checked);
  switch (checked.action) {
    case TicketAction.Declare:
    case TicketAction.Revoke:
      await applyTicket(ticket, checked.body, checked.grants, deps, record, checked.unchecked);
      return {
        outcome: checked.action === TicketAction.Declare ? MessageOutcome.Declared : MessageOutcome.Revoked,
        grantIds: checked.grants.map(grantId),
        roles,
        unchecked: checked.unchecked,
      };
    case TicketAction.Mode:
      await applyModeChange(ticket, checked.body, checked.target, deps, record);
      return {
        outcome: MessageOutcome.ModeChanged,
        grantIds: checked.target.targeted.map(grantId),
        roles,
        unchecked: [],
      };
    case TicketAction.Resume:
      await recordResume(ticket, checked.body, checked.target, deps, record);
      return {
        outcome: MessageOutcome.Resumed,
        grantIds: checked.target.roleGrants.map(grantId),
        roles,
        unchecked: [],
      };
  }
}

/** The subject of a ticket's outcome event: the ticket in its ticketing system. */
export function ticketSubject(ticket: { readonly system: string; readonly id: string }): string {
  return `dts-trust:ticket/${ticket.system}/${ticket.id}`;
}

/**
 * Record the `ticket.processed` event of an authenticated ticket: what it came to, for the ticketing system that
 * sent it (an EventBridge rule on `data.ticket.system` routes it back; docs/deploy.md). Its id is derived from
 * the message and its body, so a redelivery records it once.
 */
function recordTicketOutcome(
  record: Recorder,
  ticket: AuthenticatedTicket,
  result: MessageResult,
  queueMessageId: string,
): Promise<void> {
  const { body } = ticket;
  return record(
    intakeEventId(ticket.identity, 'ticket-outcome', ticket.bodyHash),
    AuditEventType.TicketProcessed,
    ticketSubject(body.ticket),
    {
      outcome: result.outcome,
      ticket: body.ticket,
      ...(result.grantIds ? { grantIds: result.grantIds } : {}),
      ...(result.codes ? { codes: result.codes } : {}),
      ...(result.problems ? { diff: result.problems } : {}),
      detail: {
        system: ticket.system,
        action: body.action,
        messageId: body.id,
        queueMessageId,
        ...(result.roles
          ? {
              roles: result.roles.map((r) => ({
                role: roleId(r.role),
                outcome: r.outcome,
                ...(r.error ? { code: r.error.code } : {}),
              })),
            }
          : {}),
      },
    },
  );
}

/**
 * Handle one ticket message: bound and authenticate it, claim it in the ledger, check every rule, preflight the
 * live accounts of a declaration, store the grants and reconcile the affected roles at once. All or nothing per ticket: a failure releases the claim but
 * keeps the ledger row, so a redelivery (even after the replay window) completes a half-applied ticket. Never
 * throws for a bad message (it is rejected with its codes); a retryable failure returns `retry`.
 */
export async function processTicketMessage(message: QueueMessage, deps: IntakeDeps): Promise<MessageResult> {
  const correlationId = randomUUID();
  const base = { index: message.index, messageId: message.messageId };
  const record: Recorder = (id, type, subject, data) =>
    deps.audit.record(newAuditEvent({ id, type, subject, time: deps.clock.now(), data: { correlationId, ...data } }));
  const rejectWith = (problems: readonly ValidationProblem[], body?: TicketBody, eventId: string = randomUUID()) =>
    reject(base, problems, body, eventId, record);
  /** Reject an authenticated ticket: the rejection, then the ticket's outcome event. */
  const rejectTicket = async (
    authenticated: AuthenticatedTicket,
    problems: readonly ValidationProblem[],
    eventId?: string,
  ) => {
    const result = await rejectWith(problems, authenticated.body, eventId);
    await recordTicketOutcome(record, authenticated, result, message.messageId);
    return result;
  };

  let ticket: AuthenticatedTicket;
  try {
    ticket = await authenticateTicket(message.body, deps.ticketSystems, deps.refreshTicketSystems);
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    return rejectWith(error.problems);
  }
  const { body, identity } = ticket;

  const issued = parseTimestamp(body.issuedAt) ?? Number.NaN;
  const now = deps.clock.now().getTime();
  if (!(issued <= now + FUTURE_SKEW_MS)) {
    return rejectTicket(ticket, [
      messageProblem(
        MessageRejection.FromFuture,
        'message.body.issuedAt',
        `the message claims to be issued at ${body.issuedAt}, in the future`,
        "fix the ticketing system's clock",
      ),
    ]);
  }
  const fresh = issued >= now - deps.replayWindowSeconds * 1000;
  const claim = await deps.ledger.claim(identity, {
    leaseMs: deps.leaseMs ?? 60_000,
    bodyHash: ticket.bodyHash,
    createIfAbsent: fresh,
  });
  switch (claim.status) {
    case 'absent':
      return rejectTicket(ticket, [
        messageProblem(
          MessageRejection.Replayed,
          'message.body.issuedAt',
          `the message was issued at ${body.issuedAt}, outside the ${deps.replayWindowSeconds}s replay window`,
          'issue a new, freshly signed message',
        ),
      ]);
    case 'bodyMismatch':
      return rejectTicket(
        ticket,
        [
          messageProblem(
            MessageRejection.IdReused,
            'message.body.id',
            `message id ${JSON.stringify(body.id)} was already used for a different body`,
            'give every message its own id; a redelivery must carry exactly the signed body it had',
          ),
        ],
        intakeEventId(identity, 'reused', ticket.bodyHash),
      );
    case 'completed':
      return { ...base, outcome: MessageOutcome.Duplicate, ticket: body.ticket.id };
    case 'inProgress':
      return {
        ...base,
        outcome: MessageOutcome.Retry,
        ticket: body.ticket.id,
        error: 'another delivery is processing it',
      };
    case 'claimed':
      break;
  }

  try {
    let effect: TicketEffect;
    try {
      effect = await applyClaimedTicket(ticket, deps, record);
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      const result = await rejectTicket(ticket, error.problems, intakeEventId(identity, error.step));
      await deps.ledger.complete(identity, MessageOutcome.Rejected);
      return result;
    }
    const reconciled: Pick<RoleResult, 'role' | 'outcome' | 'error'>[] = [];
    for (const role of effect.roles) reconciled.push(await deps.reconcileRole(role, correlationId));
    const result: MessageResult = {
      ...base,
      outcome: effect.outcome,
      ticket: body.ticket.id,
      grantIds: effect.grantIds,
      roles: reconciled,
      ...(effect.unchecked.length > 0 ? { unchecked: effect.unchecked } : {}),
    };
    await recordTicketOutcome(record, ticket, result, message.messageId);
    await deps.ledger.complete(identity, effect.outcome);
    return result;
  } catch (error) {
    // Give the claim back (the row stays) so the redelivery finishes the work; grant writes are idempotent.
    await deps.ledger.release(identity).catch(() => undefined);
    if (!isRetryableStep(error)) throw error;
    return {
      ...base,
      outcome: MessageOutcome.Retry,
      ticket: body.ticket.id,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

async function reject(
  base: { index: number; messageId: string },
  problems: readonly ValidationProblem[],
  body: TicketBody | undefined,
  eventId: string,
  record: Recorder,
): Promise<MessageResult> {
  const codes = [...new Set(problems.map((p) => p.code))];
  await record(eventId, AuditEventType.GrantRejected, `dts-trust:message/${base.messageId}`, {
    outcome: 'rejected',
    codes,
    ...(body ? { ticket: body.ticket } : {}),
    diff: problems,
  });
  return { ...base, outcome: MessageOutcome.Rejected, ticket: body?.ticket.id, codes, problems };
}

/**
 * Handle a batch: every message gets its own outcome, whatever another message holds. A message whose handling
 * throws (a defect, an outbox that refuses) becomes `retry` on its own; the others are unaffected.
 */
export async function processTicketBatch(
  messages: readonly QueueMessage[],
  deps: IntakeDeps,
): Promise<MessageResult[]> {
  const results: MessageResult[] = [];
  for (const message of messages) {
    try {
      results.push(await processTicketMessage(message, deps));
    } catch (error) {
      results.push({
        index: message.index,
        messageId: message.messageId,
        outcome: MessageOutcome.Retry,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  return results;
}
