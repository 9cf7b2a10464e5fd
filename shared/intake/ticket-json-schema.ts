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
      'A grant declaration or revocation, signed with HMAC-SHA256 over the canonical JSON of `body` (keys sorted at every depth, no whitespace), hex-encoded in `signature`, under the key named by `keyId`.',
  };
}
