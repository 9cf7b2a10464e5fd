import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { GrantMode, TicketRefSchema } from '../domain/grant.js';
import { RelationshipSchema } from '../domain/relationship.js';

/** The schema identifier every ticket message carries. */
export const TICKET_SCHEMA_ID = 'dts-trust/v1';

/** What a ticket asks for. */
export const TicketAction = { Declare: 'declare', Revoke: 'revoke' } as const;
/** One of {@link TicketAction}. */
export type TicketAction = (typeof TicketAction)[keyof typeof TicketAction];

/** The signed part of a ticket message. */
export const TicketBodySchema = z
  .object({
    /** Unique per message; with the key id it is the idempotency key. */
    id: z.string().min(8).max(128),
    /** When the ticketing system signed it; older than the replay window is rejected. */
    issuedAt: z.string().datetime({ offset: true }),
    action: z.enum([TicketAction.Declare, TicketAction.Revoke]),
    ticket: TicketRefSchema,
    relationship: RelationshipSchema,
    expiresAt: z.string().datetime({ offset: true }).optional(),
    mode: z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]).optional(),
  })
  .strict();
/** The signed part of a ticket message. */
export type TicketBody = z.infer<typeof TicketBodySchema>;

/** A ticket message as it arrives on the queue: schema id, key id, signature, and the signed body. */
export const TicketMessageSchema = z
  .object({
    schema: z.literal(TICKET_SCHEMA_ID),
    /** Which ticketing system's key signed it (one key per system, from configuration). */
    keyId: z.string().min(1).max(64),
    /** Lower-case hex HMAC-SHA256 of {@link canonicalJson}(body) under the key `keyId`. */
    signature: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters (HMAC-SHA256)'),
    body: z.unknown(),
  })
  .strict();
/** A ticket message before its body is validated. */
export type TicketMessage = z.infer<typeof TicketMessageSchema>;

/**
 * The canonical form that is signed: JSON with object keys sorted at every depth and no whitespace. Arrays keep
 * their order. The ticketing system and dts-trust must produce the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The signature a ticketing system puts on `body` with `secret`. */
export function signTicketBody(body: unknown, secret: string): string {
  return createHmac('sha256', secret).update(canonicalJson(body)).digest('hex');
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
  const expected = Buffer.from(signTicketBody(message.body, secret), 'hex');
  const given = Buffer.from(message.signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'valid' : 'invalid';
}
