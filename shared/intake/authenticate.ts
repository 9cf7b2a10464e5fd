import { createHash } from 'node:crypto';
import type { ValidationProblem } from '../domain/errors.js';
import { problemsFromZodError } from '../domain/zod-problems.js';
import type { MessageIdentity } from '../ports.js';
import { AuthorityCode, keyOwner, type TicketSystems } from './authority.js';
import { MessageLimits, parseStrictJson, StrictJsonCode, StrictJsonError } from './strict-json.js';
import {
  canonicalJson,
  TICKET_SCHEMA_ID,
  type TicketBody,
  TicketBodySchema,
  TicketMessageSchema,
  verifyCanonicalSignature,
} from './ticket-message.js';

/** Codes of the rejections that happen before a message's content is looked at. */
export const MessageRejection = {
  TooLarge: StrictJsonCode.TooLarge,
  TooDeep: StrictJsonCode.TooDeep,
  Malformed: StrictJsonCode.Malformed,
  DuplicateKey: StrictJsonCode.DuplicateKey,
  NotIJson: StrictJsonCode.NotIJson,
  KeyUnknown: 'TicketKeyUnknown',
  SignatureInvalid: 'TicketSignatureInvalid',
  Replayed: 'TicketReplayed',
  FromFuture: 'TicketFromFuture',
  IdReused: 'TicketIdReused',
} as const;

/**
 * A message refused; carries every problem (thrown inside intake, never out of it) and the step that refused it
 * (part of the rejection event's id: a redelivery refused at the same step records the same event).
 */
export class Rejection extends Error {
  constructor(
    readonly problems: ValidationProblem[],
    readonly step: 'rejected' | 'preflight' = 'rejected',
  ) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'Rejection';
  }
}

/** A problem of a message (not of a DTS rule). */
export function messageProblem(code: string, field: string, message: string, fix: string): ValidationProblem {
  return { code, field, message, fix };
}

/** What authentication establishes about a message. */
export interface AuthenticatedTicket {
  readonly body: TicketBody;
  /** The ticketing system the signing key authenticates (the settings bind every key to one). */
  readonly system: string;
  /** The ticketing systems as known when the key was found (refreshed for a key the cached settings lacked). */
  readonly systems: TicketSystems;
  /** The ledger identity: key id and message id, kept apart. */
  readonly identity: MessageIdentity;
  /** Hex SHA-256 of the canonical body: what the signature covers. */
  readonly bodyHash: string;
}

const STRICT_JSON_FIX: Readonly<Record<StrictJsonCode, string>> = {
  [StrictJsonCode.TooLarge]: `send a message of at most ${MessageLimits.maxBytes} bytes (a ticket message is well under 2 KB)`,
  [StrictJsonCode.TooDeep]: `send a message nested at most ${MessageLimits.maxDepth} levels deep`,
  [StrictJsonCode.Malformed]: `send a ${TICKET_SCHEMA_ID} JSON message`,
  [StrictJsonCode.DuplicateKey]:
    'give every member name once per object; duplicates could be read differently by the signer',
  [StrictJsonCode.NotIJson]:
    'send I-JSON (RFC 7493): Unicode text without lone surrogates, integers within ±(2^53 - 1), numbers a double can hold',
};

/** Read the message text as bounded I-JSON; throws {@link Rejection}. */
function readJson(text: string): unknown {
  try {
    return parseStrictJson(text, MessageLimits);
  } catch (error) {
    if (!(error instanceof StrictJsonError)) throw error;
    const message =
      error.code === StrictJsonCode.Malformed ? `the message body is not JSON: ${error.message}` : error.message;
    throw new Rejection([messageProblem(error.code, 'message', message, STRICT_JSON_FIX[error.code])]);
  }
}

/**
 * Read, bound and authenticate one message: size and depth first (before any canonicalization, signature or
 * schema work), then the envelope, the signature under the key's own secret, the body's schema, and that
 * `ticket.system` is the system the key authenticates. A key id the settings lack is looked up once more through
 * `refresh` (a new secret version). Freshness is the caller's (it depends on the ledger). Throws {@link Rejection}.
 */
export async function authenticateTicket(
  text: string,
  systems: TicketSystems,
  refresh?: (keyId: string) => Promise<TicketSystems>,
): Promise<AuthenticatedTicket> {
  const json = readJson(text);
  const envelope = TicketMessageSchema.safeParse(json);
  if (!envelope.success) throw new Rejection(problemsFromZodError(envelope.error, 'message'));
  const keyId = envelope.data.keyId;
  let known = systems;
  let owner = keyOwner(known, keyId);
  if (!owner && refresh) {
    known = await refresh(keyId);
    owner = keyOwner(known, keyId);
  }
  if (!owner) {
    throw new Rejection([
      messageProblem(
        MessageRejection.KeyUnknown,
        'message.keyId',
        `no signing key "${envelope.data.keyId}" is configured`,
        'sign with a key id the platform team configured for your ticketing system',
      ),
    ]);
  }
  const canonical = canonicalJson(envelope.data.body);
  if (!verifyCanonicalSignature(canonical, envelope.data.signature, owner.secret)) {
    throw new Rejection([
      messageProblem(
        MessageRejection.SignatureInvalid,
        'message.signature',
        'the signature does not match the body',
        'sign the RFC 8785 canonical JSON of body with HMAC-SHA256 under your key and send it as lower-case hex',
      ),
    ]);
  }
  const body = TicketBodySchema.safeParse(envelope.data.body);
  if (!body.success) throw new Rejection(problemsFromZodError(body.error, 'message.body'));
  if (body.data.ticket.system !== owner.system) {
    throw new Rejection([
      messageProblem(
        AuthorityCode.SystemMismatch,
        'message.body.ticket.system',
        `key ${keyId} authenticates ticketing system ${owner.system}, but the ticket names ${JSON.stringify(body.data.ticket.system)}`,
        `sign tickets of ${JSON.stringify(body.data.ticket.system)} with that system's own key`,
      ),
    ]);
  }
  return {
    body: body.data,
    system: owner.system,
    systems: known,
    identity: { keyId: envelope.data.keyId, messageId: body.data.id },
    bodyHash: createHash('sha256').update(canonical).digest('hex'),
  };
}
