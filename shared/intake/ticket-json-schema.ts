import { zodToJsonSchema } from 'zod-to-json-schema';
import { TICKET_SCHEMA_ID, TicketBodySchema, TicketMessageSchema } from './ticket-message.js';

/**
 * The JSON Schema of a `dts-trust/v1` ticket message, for ticketing systems (published as
 * docs/ticket-message.schema.json by `npm run schemas`).
 */
export function ticketMessageJsonSchema(): Record<string, unknown> {
  const envelope = TicketMessageSchema.extend({ body: TicketBodySchema });
  return {
    ...zodToJsonSchema(envelope, { name: 'TicketMessage', $refStrategy: 'none', target: 'jsonSchema7' }),
    $id: 'https://dts-trust.invalid/schemas/ticket-message.schema.json',
    title: `dts-trust ticket message (${TICKET_SCHEMA_ID})`,
    description:
      "A ticket: declare or revoke the grants of a relationship, resume a flap-paused role, or switch the mode of a role's grants (by `body.action`), signed with HMAC-SHA256 over the RFC 8785 (JCS) canonical JSON of `body`, hex-encoded in `signature`, under the key named by `keyId` (which authenticates exactly the ticketing system named in `body.ticket.system`). The whole message must be I-JSON of at most 16 KiB and 8 levels: duplicate member names, lone surrogates and integers beyond 2^53 - 1 are refused.",
  };
}
