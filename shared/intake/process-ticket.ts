import { createHash, randomUUID } from 'node:crypto';
import { type AuditEventData, AuditEventType, newAuditEvent } from '../domain/audit.js';
import type { ValidationProblem } from '../domain/errors.js';
import type { Grant, RoleKey } from '../domain/grant.js';
import { grantId, roleArn, roleId } from '../domain/ownership.js';
import { preflightQuestions, type UncheckedQuestion } from '../domain/preflight.js';
import { parseTimestamp } from '../domain/timestamp.js';
import type { AccountPartition } from '../domain/validation.js';
import type { AuditLog, Clock, GrantStore, MessageIdentity, ProcessedMessageLedger } from '../ports.js';
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
import type { Guardrails } from './guardrails.js';
import type { AccountPreflight } from './preflight.js';
import type { QueueMessage } from './queue-message.js';
import { ticketGrants } from './ticket-grants.js';
import { TicketAction, type TicketBody } from './ticket-message.js';

/** How one queue message ended. */
export const MessageOutcome = {
  Declared: 'declared',
  Revoked: 'revoked',
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
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  /** Reconcile one role now (the reconciler's `reconcileRole`). */
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
  grants: readonly Grant[],
  deps: IntakeDeps,
  record: Recorder,
  unchecked: readonly UncheckedQuestion[],
): Promise<void> {
  const { body, identity } = ticket;
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
    return rejectWith(
      [
        messageProblem(
          MessageRejection.FromFuture,
          'message.body.issuedAt',
          `the message claims to be issued at ${body.issuedAt}, in the future`,
          "fix the ticketing system's clock",
        ),
      ],
      body,
    );
  }
  const fresh = issued >= now - deps.replayWindowSeconds * 1000;
  const claim = await deps.ledger.claim(identity, {
    leaseMs: deps.leaseMs ?? 60_000,
    bodyHash: ticket.bodyHash,
    createIfAbsent: fresh,
  });
  switch (claim.status) {
    case 'absent':
      return rejectWith(
        [
          messageProblem(
            MessageRejection.Replayed,
            'message.body.issuedAt',
            `the message was issued at ${body.issuedAt}, outside the ${deps.replayWindowSeconds}s replay window`,
            'issue a new, freshly signed message',
          ),
        ],
        body,
      );
    case 'bodyMismatch':
      return rejectWith(
        [
          messageProblem(
            MessageRejection.IdReused,
            'message.body.id',
            `message id ${JSON.stringify(body.id)} was already used for a different body`,
            'give every message its own id; a redelivery must carry exactly the signed body it had',
          ),
        ],
        body,
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
    let grants: Grant[];
    try {
      grants = await ticketGrants(body, {
        now: deps.clock.now(),
        guardrails: deps.guardrails,
        ...(deps.partitions ? { partitions: deps.partitions } : {}),
        ...(deps.defaultPartition ? { defaultPartition: deps.defaultPartition } : {}),
        grants: deps.grants,
        origin: { system: ticket.system, keyId: identity.keyId, messageId: identity.messageId },
        systems: ticket.systems,
      });
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      const result = await rejectWith(error.problems, body, intakeEventId(identity, 'rejected'));
      await deps.ledger.complete(identity, MessageOutcome.Rejected);
      return result;
    }

    let unchecked: readonly UncheckedQuestion[] = [];
    if (body.action === TicketAction.Declare && deps.preflight) {
      const verdict = await deps.preflight.check(preflightQuestions(body.relationship, 'message.body.relationship'));
      if (verdict.problems.length > 0) {
        const result = await rejectWith(verdict.problems, body, intakeEventId(identity, 'preflight'));
        await deps.ledger.complete(identity, MessageOutcome.Rejected);
        return result;
      }
      unchecked = verdict.unchecked;
    }

    await applyTicket(ticket, grants, deps, record, unchecked);
    const roles = new Map<string, RoleKey>();
    for (const g of grants) roles.set(roleId(g), { ownerAccountId: g.ownerAccountId, roleName: g.roleName });
    const reconciled: Pick<RoleResult, 'role' | 'outcome' | 'error'>[] = [];
    for (const role of roles.values()) reconciled.push(await deps.reconcileRole(role, correlationId));

    const outcome = body.action === TicketAction.Declare ? MessageOutcome.Declared : MessageOutcome.Revoked;
    await deps.ledger.complete(identity, outcome);
    return {
      ...base,
      outcome,
      ticket: body.ticket.id,
      grantIds: grants.map(grantId),
      roles: reconciled,
      ...(unchecked.length > 0 ? { unchecked } : {}),
    };
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
