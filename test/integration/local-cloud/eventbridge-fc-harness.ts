/**
 * Starts the local cloud with local/accounts.example.json for the EventBridge and FC tests, and names the keys
 * those tests sign with.
 */
import { readFileSync } from 'node:fs';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';

interface ExampleAccount {
  id: string;
  name: string;
  accessKeys: { id: string; secret: string }[];
  users?: { name: string; accessKeys: { id: string; secret: string }[] }[];
}

const accountsDocument = JSON.parse(
  readFileSync(new URL('../../../local/accounts.example.json', import.meta.url), 'utf8'),
) as { accounts: ExampleAccount[] };

function exampleAccount(name: string): ExampleAccount {
  const found = accountsDocument.accounts.find((a) => a.name === name);
  if (!found) throw new Error(`local/accounts.example.json has no account named ${name}`);
  return found;
}

function rootOf(name: string): { id: string; keyId: string; secret: string } {
  const a = exampleAccount(name);
  return { id: a.id, keyId: a.accessKeys[0]!.id, secret: a.accessKeys[0]!.secret };
}

/** The automation account (root keys); it has the `dts-trust-function` role. */
export const ACCOUNT_A = rootOf('automation');
/** The source-owner account (root keys). */
export const ACCOUNT_B = rootOf('source-owner');
/** The read-only RAM auditor of the source-owner account: neither EventBridge nor FC is allowed to it. */
export const DENIED_USER = (() => {
  const key = exampleAccount('source-owner').users?.find((u) => u.name === 'ram-auditor')?.accessKeys[0];
  if (!key) throw new Error('local/accounts.example.json has no ram-auditor user with keys in source-owner');
  return { keyId: key.id, secret: key.secret };
})();
/** The FC role of the automation account. */
export const FUNCTION_ROLE = 'dts-trust-function';

/** A fresh copy of the example accounts document. */
export function exampleAccounts(): unknown {
  return structuredClone(accountsDocument);
}

/** A running local cloud for these tests. */
export type Harness = LocalCloud;

/** Start the local cloud on 127.0.0.1:0 with the example accounts and the given per-service options. */
export function startHarness(services: Record<string, unknown> = {}): Promise<Harness> {
  return startLocalCloud({ accounts: accountsDocument, services });
}
