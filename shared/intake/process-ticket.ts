import { randomUUID } from 'node:crypto';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import {
  CloudApiError,
  ConcurrentModificationError,
  ValidationError,
  type ValidationProblem,
} from '../domain/errors.js';
import type { Grant, RoleKey } from '../domain/grant.js';
import { grantId, roleArn, roleId } from '../domain/ownership.js';
import { expandRelationship } from '../domain/relationship.js';
import { validateGrant, validateRelationship } from '../domain/validation.js';
import { problemsFromZodError } from '../domain/zod-problems.js';
import type { AuditLog, Clock, GrantStore, ProcessedMessageLedger } from '../ports.js';
import type { QueueMessage } from '../runtime/envelopes.js';
import { checkGuardrails, type Guardrails } from './guardrails.js';
import {
  TICKET_SCHEMA_ID,
  TicketAction,
  type TicketBody,
  TicketBodySchema,
  TicketMessageSchema,
  verifyTicketSignature,
} from './ticket-message.js';

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

/** The summary of a role reconciled right after intake. */
export interface ReconciledRole {
  readonly role: RoleKey;
  readonly outcome: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** The result of one queue message. */
export interface MessageResult {
  readonly index: number;
  readonly messageId: string;
  readonly outcome: MessageOutcome;
  readonly ticket?: string;
  /** Catalog and product codes of a rejection. */
  readonly codes?: readonly string[];
  readonly problems?: readonly ValidationProblem[];
  readonly grantIds?: readonly string[];
  readonly roles?: readonly ReconciledRole[];
  /** For `retry`: why. */
  readonly error?: string;
}

/** What intake needs. */
export interface IntakeDeps {
  readonly ticketKeys: Readonly<Record<string, string>>;
  readonly replayWindowSeconds: number;
  readonly guardrails: Guardrails;
  readonly ledger: ProcessedMessageLedger;
  readonly grants: GrantStore;
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  /** Reconcile one role now (the engine's reconcileRole). */
  readonly reconcileRole: (role: RoleKey, correlationId: string) => Promise<ReconciledRole>;
  /** Known partitions of accounts (Finance/Gov pairing rule). */
  readonly partitions?: Readonly<Record<string, 'public' | 'finance' | 'gov'>>;
  /** How long a claim on a message key holds before another delivery may take it over. */
  readonly leaseMs?: number;
}

/** Clocks of ticketing systems may run slightly ahead. */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** A rejection before anything is stored. */
class Rejection extends Error {
  constructor(readonly problems: ValidationProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

function problem(code: string, field: string, message: string, fix: string): ValidationProblem {
  return { code, field, message, fix };
}

/** Parse, authenticate and check the freshness of one message; throws {@link Rejection}. */
function authenticate(message: QueueMessage, deps: IntakeDeps): { body: TicketBody; key: string } {
  let json: unknown;
  try {
    json = JSON.parse(message.body);
  } catch {
    throw new Rejection([
      problem('MalformedMessage', 'message', 'the message body is not JSON', `send a ${TICKET_SCHEMA_ID} JSON message`),
    ]);
  }
  const envelope = TicketMessageSchema.safeParse(json);
  if (!envelope.success) {
    throw new Rejection(problemsFromZodError(envelope.error, 'message'));
  }
  const verdict = verifyTicketSignature(envelope.data, deps.ticketKeys);
  if (verdict === 'unknownKey') {
    throw new Rejection([
      problem(
        'TicketKeyUnknown',
        'message.keyId',
        `no signing key "${envelope.data.keyId}" is configured`,
        'sign with the key id the platform team configured for your ticketing system (ticketSystems.<system>.keys of the trust settings)',
      ),
    ]);
  }
  if (verdict === 'invalid') {
    throw new Rejection([
      problem(
        'TicketSignatureInvalid',
        'message.signature',
        'the signature does not match the body',
        'sign the canonical JSON of body (keys sorted, no whitespace) with HMAC-SHA256 and send it as hex',
      ),
    ]);
  }
  const body = TicketBodySchema.safeParse(envelope.data.body);
  if (!body.success) {
    throw new Rejection(problemsFromZodError(body.error, 'message.body'));
  }
  const issued = Date.parse(body.data.issuedAt);
  const now = deps.clock.now().getTime();
  if (issued < now - deps.replayWindowSeconds * 1000) {
    throw new Rejection([
      problem(
        'TicketReplayed',
        'message.body.issuedAt',
        `the message was issued at ${body.data.issuedAt}, outside the ${deps.replayWindowSeconds}s replay window`,
        'issue a new, freshly signed message',
      ),
    ]);
  }
  if (issued > now + FUTURE_SKEW_MS) {
    throw new Rejection([
      problem(
        'TicketFromFuture',
        'message.body.issuedAt',
        `the message claims to be issued at ${body.data.issuedAt}, in the future`,
        "fix the ticketing system's clock",
      ),
    ]);
  }
  return { body: body.data, key: `${envelope.data.keyId}:${body.data.id}` };
}

/** Expand the ticket into grants and check every rule and guardrail; throws {@link Rejection}. */
function grantsOf(body: TicketBody, deps: IntakeDeps): Grant[] {
  const options = { now: deps.clock.now(), ...(deps.partitions ? { partitions: deps.partitions } : {}) };
  if (body.action === TicketAction.Declare) {
    const problems = validateRelationship(body.relationship, { ...options, fieldPrefix: 'message.body.relationship' });
    if (problems.length > 0) throw new Rejection(problems);
  }
  let expanded: Grant[];
  try {
    expanded = expandRelationship(body.relationship, body.ticket);
  } catch (error) {
    if (error instanceof ValidationError) throw new Rejection([...error.problems]);
    throw error;
  }
  const grants = expanded.map((g) => ({
    ...g,
    ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}),
    ...(body.mode ? { mode: body.mode } : {}),
  }));
  const problems = [
    ...(body.action === TicketAction.Declare
      ? grants.flatMap((g, i) => validateGrant(g, { ...options, fieldPrefix: `message.body.grants[${i}]` }))
      : []),
    ...checkGuardrails(grants, deps.guardrails, 'message.body'),
  ];
  if (problems.length > 0) throw new Rejection(problems);
  return grants;
}

/** True when the failure is worth a redelivery (the store or the network, not the message). */
function isRetryable(error: unknown): boolean {
  return (error instanceof CloudApiError && error.retryable) || error instanceof ConcurrentModificationError;
}

/**
 * Handle one ticket message: authenticate, deduplicate, validate, store the grants, record audit events and
 * reconcile the affected roles at once. Never throws for a bad message (it is rejected with its codes); a
 * retryable failure returns `retry` after releasing the claim so a redelivery can finish the work.
 */
export async function processTicketMessage(message: QueueMessage, deps: IntakeDeps): Promise<MessageResult> {
  const correlationId = randomUUID();
  const base = { index: message.index, messageId: message.messageId };
  const audit = (
    type: AuditEventType,
    subject: string,
    data: Omit<Parameters<typeof newAuditEvent>[0]['data'], 'correlationId'>,
  ) =>
    deps.audit.record(
      newAuditEvent({ id: randomUUID(), type, subject, time: deps.clock.now(), data: { correlationId, ...data } }),
    );

  let body: TicketBody;
  let key: string;
  try {
    ({ body, key } = authenticate(message, deps));
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    return reject(base, error.problems, undefined, audit);
  }

  const claim = await deps.ledger.claim(key, deps.leaseMs ?? 60_000);
  if (claim.status === 'completed') return { ...base, outcome: MessageOutcome.Duplicate, ticket: body.ticket.id };
  if (claim.status === 'inProgress') {
    return {
      ...base,
      outcome: MessageOutcome.Retry,
      ticket: body.ticket.id,
      error: 'another delivery is processing it',
    };
  }

  try {
    let grants: Grant[];
    try {
      grants = grantsOf(body, deps);
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      const result = await reject(base, error.problems, body, audit);
      await deps.ledger.complete(key, MessageOutcome.Rejected);
      return result;
    }

    const roles = new Map<string, RoleKey>();
    for (const grant of grants) {
      roles.set(roleId(grant), { ownerAccountId: grant.ownerAccountId, roleName: grant.roleName });
      const subject = roleArn(grant);
      if (body.action === TicketAction.Declare) {
        const existing = await deps.grants.getGrant(grant);
        await audit(AuditEventType.GrantDeclared, subject, {
          outcome: existing ? 'updated' : 'declared',
          grantIds: [grantId(grant)],
          ticket: body.ticket,
          before: existing,
          after: grant,
        });
        await deps.grants.putGrant({ ...grant, revision: existing?.revision ?? 0 }, existing?.revision);
      } else {
        const existing = await deps.grants.getGrant(grant);
        await audit(AuditEventType.GrantRevoked, subject, {
          outcome: existing ? 'revoked' : 'notFound',
          grantIds: [grantId(grant)],
          ticket: body.ticket,
          before: existing,
        });
        if (existing) await deps.grants.deleteGrant(grant);
      }
    }

    const reconciled: ReconciledRole[] = [];
    for (const role of roles.values()) reconciled.push(await deps.reconcileRole(role, correlationId));

    const outcome = body.action === TicketAction.Declare ? MessageOutcome.Declared : MessageOutcome.Revoked;
    await deps.ledger.complete(key, outcome);
    return { ...base, outcome, ticket: body.ticket.id, grantIds: grants.map(grantId), roles: reconciled };
  } catch (error) {
    // Give the claim back so the redelivery (trigger retry) can finish the work; grant writes are idempotent.
    await deps.ledger.release(key).catch(() => undefined);
    if (!isRetryable(error)) throw error;
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
  audit: (
    type: AuditEventType,
    subject: string,
    data: { outcome: string; codes?: readonly string[]; ticket?: TicketBody['ticket']; diff?: unknown },
  ) => Promise<void>,
): Promise<MessageResult> {
  const codes = [...new Set(problems.map((p) => p.code))];
  await audit(AuditEventType.GrantRejected, `dts-trust:message/${base.messageId}`, {
    outcome: 'rejected',
    codes,
    ...(body ? { ticket: body.ticket } : {}),
    diff: problems,
  });
  return { ...base, outcome: MessageOutcome.Rejected, ticket: body?.ticket.id, codes, problems };
}
