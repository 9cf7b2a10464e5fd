// Writes the sample trigger events under events/ (signed with the demo key at the current time).
// Usage: npm run events
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { type SampleAccounts, sampleEvents } from '../local/harness/sample-events.js';

const document = JSON.parse(await readFile(new URL('../local/accounts.example.json', import.meta.url), 'utf8')) as {
  accounts: { id: string; name: string }[];
};
const id = (name: string) => document.accounts.find((a) => a.name === name)?.id ?? '';
const accounts: SampleAccounts = {
  sourceOwner: id('source-owner'),
  destinationOwner: id('destination-owner'),
  task: id('task-creator'),
  automation: id('automation'),
};
const dir = new URL('../events', import.meta.url);
await mkdir(dir, { recursive: true });
for (const [file, event] of Object.entries(sampleEvents(accounts, new Date()))) {
  await writeFile(new URL(file, dir), `${JSON.stringify(event, null, 2)}\n`);
  console.log(`wrote events/${file}`);
}
