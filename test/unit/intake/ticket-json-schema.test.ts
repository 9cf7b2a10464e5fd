import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ticketMessageJsonSchema } from '../../../shared/intake/ticket-json-schema.js';

describe('ticketMessageJsonSchema', () => {
  it('matches the published docs/ticket-message.schema.json (run npm run schemas after changing the schema)', async () => {
    const published = JSON.parse(
      await readFile(new URL('../../../docs/ticket-message.schema.json', import.meta.url), 'utf8'),
    );
    expect(published).toEqual(JSON.parse(JSON.stringify(ticketMessageJsonSchema())));
  });

  it('requires the signed envelope fields', () => {
    const schema = ticketMessageJsonSchema() as { definitions?: Record<string, { required?: string[] }> };
    const root = schema.definitions?.TicketMessage;
    expect(root?.required).toEqual(expect.arrayContaining(['schema', 'keyId', 'signature', 'body']));
  });
});
