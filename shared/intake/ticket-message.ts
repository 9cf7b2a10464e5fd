import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ACCOUNT_ID_OF_EITHER_CLOUD } from '../domain/account-id.js';
import { DtsTrustError } from '../domain/errors.js';
import { GrantMode, TicketRefSchema } from '../domain/grant.js';
import { RelationshipSchema } from '../domain/relationship.js';
import { TimestampSchema } from '../domain/timestamp.js';
import { loneSurrogateAt } from './strict-json.js';

/** The schema identifier every ticket message carries. */
export const TICKET_SCHEMA_ID = 'dts-trust/v1';

/**
 * What a ticket asks for: declare or revoke the grants of a relationship, resume a role the product paused for
 * flapping, or switch the mode of a role's grants.
 */
export const TicketAction = { Declare: 'declare', Revoke: 'revoke', Resume: 'resume', Mode: 'mode' } as const;
/** One of {@link TicketAction}. */
export type TicketAction = (typeof TicketAction)[keyof typeof TicketAction];

/** Longest accepted ticket fields (they reach audit events and logs). */
export const TicketFieldLimits = { system: 64, id: 128, requester: 256, approver: 256 } as const;

/** Most grants one `mode` ticket may name. */
export const MAX_MODE_TRUSTED_ACCOUNTS = 10;

/** The ticket reference a message carries, each field bounded. */
export const TicketRefInputSchema = TicketRefSchema.extend({
  system: z.string().min(1).max(TicketFieldLimits.system),
  id: z.string().min(1).max(TicketFieldLimits.id),
  requester: z.string().min(1).max(TicketFieldLimits.requester),
  approver: z.string().min(1).max(TicketFieldLimits.approver),
}).strict();

/**
 * An account ID in a role ticket (`mode`, `resume`): an account of either cloud, as a pattern so the published JSON
 * Schema carries it; the role's grants say which cloud it is.
 */
const TicketAccountIdSchema = z
  .string()
  .regex(
    ACCOUNT_ID_OF_EITHER_CLOUD,
    'must be a 16-digit Alibaba Cloud account ID (AliyunUidFormat) or a Tencent Cloud root account UIN (5-20 digits)',
  );

/** The members every ticket body carries, whatever it asks for. */
const TicketBodyBase = {
  /** Unique per message; with the key id it is the idempotency key. */
  id: z.string().min(8).max(128),
  /** When the ticketing system signed it; older than the replay window is rejected. */
  issuedAt: TimestampSchema,
  ticket: TicketRefInputSchema,
} as const;

/** The body of a `declare` or `revoke` ticket: the grants of a relationship. */
export const GrantTicketBodySchema = z
  .object({
    ...TicketBodyBase,
    action: z.enum([TicketAction.Declare, TicketAction.Revoke]),
    relationship: RelationshipSchema,
    expiresAt: TimestampSchema.optional(),
    mode: z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]).optional(),
  })
  .strict();
/** The body of a `declare` or `revoke` ticket. */
export type GrantTicketBody = z.infer<typeof GrantTicketBodySchema>;

/** The managed role a `resume` or `mode` ticket is about. */
export const TicketRoleSchema = z
  .object({ ownerAccountId: TicketAccountIdSchema, roleName: z.string().min(1).max(64) })
  .strict();

/** The body of a `resume` ticket: clear the flap pause of one managed role and reconcile it now. */
export const ResumeTicketBodySchema = z
  .object({ ...TicketBodyBase, action: z.literal(TicketAction.Resume), role: TicketRoleSchema })
  .strict();
/** The body of a `resume` ticket. */
export type ResumeTicketBody = z.infer<typeof ResumeTicketBodySchema>;

/**
 * The body of a `mode` ticket: give the grants of one role (all of them, or those trusting `trustedAccountIds`)
 * the mode `mode`, and reconcile the role now. Nothing else of the grants changes (expiry, ticket, owner system).
 */
export const ModeTicketBodySchema = z
  .object({
    ...TicketBodyBase,
    action: z.literal(TicketAction.Mode),
    role: TicketRoleSchema,
    trustedAccountIds: z.array(TicketAccountIdSchema).min(1).max(MAX_MODE_TRUSTED_ACCOUNTS).optional(),
    mode: z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]),
  })
  .strict();
/** The body of a `mode` ticket. */
export type ModeTicketBody = z.infer<typeof ModeTicketBodySchema>;

/** The signed part of a ticket message, by its `action`. */
export const TicketBodySchema = z.discriminatedUnion('action', [
  GrantTicketBodySchema,
  ResumeTicketBodySchema,
  ModeTicketBodySchema,
]);
/** The signed part of a ticket message. */
export type TicketBody = z.infer<typeof TicketBodySchema>;

/** True for a `declare` or `revoke` body (one that names a relationship). */
export function isGrantTicket(body: TicketBody): body is GrantTicketBody {
  return body.action === TicketAction.Declare || body.action === TicketAction.Revoke;
}

/** A ticket message as it arrives on the queue: schema id, key id, signature, and the signed body. */
export const TicketMessageSchema = z
  .object({
    schema: z.literal(TICKET_SCHEMA_ID),
    /** Which key signed it; configuration binds every key to one ticketing system. */
    keyId: z.string().min(1).max(64),
    /** Lower-case hex HMAC-SHA256 of {@link canonicalJson}(body) under the key `keyId`. */
    signature: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters (HMAC-SHA256)'),
    body: z.unknown(),
  })
  .strict();
/** A ticket message before its body is validated. */
export type TicketMessage = z.infer<typeof TicketMessageSchema>;

/** Thrown by {@link canonicalJson} for a value outside I-JSON or nested deeper than it serializes. */
export class CanonicalJsonError extends DtsTrustError {
  constructor(message: string) {
    super('NotIJson', message);
    this.name = 'CanonicalJsonError';
  }
}

/** Deeper values are refused by {@link canonicalJson} (messages are refused far earlier, see MessageLimits). */
const CANONICAL_MAX_DEPTH = 64;

/**
 * The canonical form that is signed: RFC 8785 (JCS) for I-JSON values. Object members sorted by their names'
 * UTF-16 code units at every depth, no whitespace, strings and numbers serialized as ECMAScript's JSON.stringify
 * does (shortest round-trip numbers, `-0` as `0`). Arrays keep their order; `undefined` members are dropped and
 * `undefined` array items become `null`, as JSON does. Refuses what I-JSON excludes (non-finite numbers, lone
 * surrogates, bigint, function and symbol values) and nesting deeper than 64 with a {@link CanonicalJsonError}.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, 0);
}

function canonicalString(text: string): string {
  if (loneSurrogateAt(text) >= 0) throw new CanonicalJsonError('a string holds a lone surrogate');
  return JSON.stringify(text);
}

function canonical(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return canonicalString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`a ${typeof value} is not a JSON value`);
  }
  if (depth >= CANONICAL_MAX_DEPTH) throw new CanonicalJsonError(`nesting deeper than ${CANONICAL_MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonical(v, depth + 1))).join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${canonicalString(k)}:${canonical(v, depth + 1)}`).join(',')}}`;
}

/** The signature a ticketing system puts on `body` with `secret`. */
export function signTicketBody(body: unknown, secret: string): string {
  return signCanonical(canonicalJson(body), secret);
}

/** The signature of a body already in its {@link canonicalJson} form. */
function signCanonical(canonical: string, secret: string): string {
  return createHmac('sha256', secret).update(canonical).digest('hex');
}

/** Constant-time check of `signature` against a body already in its {@link canonicalJson} form. */
export function verifyCanonicalSignature(canonical: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(signCanonical(canonical, secret), 'hex');
  const given = Buffer.from(signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Build a complete signed message (what a ticketing system sends; used by samples, tests and the demo). */
export function signTicketMessage(
  body: TicketBody | Record<string, unknown>,
  keyId: string,
  secret: string,
): TicketMessage {
  return { schema: TICKET_SCHEMA_ID, keyId, signature: signTicketBody(body, secret), body };
}

/** Constant-time check of a message's signature against the configured keys. */
export function verifyTicketSignature(
  message: TicketMessage,
  keys: Readonly<Record<string, string>>,
): 'valid' | 'unknownKey' | 'invalid' {
  const secret = Object.hasOwn(keys, message.keyId) ? keys[message.keyId] : undefined;
  if (secret === undefined) return 'unknownKey';
  return verifyCanonicalSignature(canonicalJson(message.body), message.signature, secret) ? 'valid' : 'invalid';
}
