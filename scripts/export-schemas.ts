// Writes docs/ticket-message.schema.json from the zod schema (the single source of truth).
import { writeFile } from 'node:fs/promises';
import { ticketMessageJsonSchema } from '../shared/intake/ticket-json-schema.js';

await writeFile(
  new URL('../docs/ticket-message.schema.json', import.meta.url),
  `${JSON.stringify(ticketMessageJsonSchema(), null, 2)}\n`,
);
console.log('wrote docs/ticket-message.schema.json');
