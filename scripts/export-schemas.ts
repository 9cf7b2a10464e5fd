// Writes docs/ticket-message.schema.json from the zod schema (the single source of truth), formatted as biome
// formats it, so `npm run lint` passes right after `npm run schemas`.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ticketMessageJsonSchema } from '../shared/intake/ticket-json-schema.js';

const target = new URL('../docs/ticket-message.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(ticketMessageJsonSchema(), null, 2)}\n`);
execFileSync(
  fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)),
  ['format', '--write', fileURLToPath(target)],
  {
    stdio: 'ignore',
  },
);
console.log('wrote docs/ticket-message.schema.json');
