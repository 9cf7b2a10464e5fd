/**
 * Helpers of the Tablestore emulation tests: the example accounts and an SDK client against a local cloud.
 */
import { readFileSync } from 'node:fs';
import TableStore from 'tablestore';

/** The example accounts document of the local cloud. */
export const exampleAccounts: unknown = JSON.parse(
  readFileSync(new URL('../../../local/accounts.example.json', import.meta.url), 'utf8'),
);

/** Keys of the example accounts the tests use. */
export const TestKeys = {
  /** A RAM user of the automation account with AliyunOTSFullAccess. */
  runner: { id: 'LTAI5tLocalDtsTrustRunner', secret: 'local-dts-trust-runner-secret-0001' },
  /** A RAM user of the source-owner account with RAM read-only access and nothing on Tablestore. */
  auditor: { id: 'LTAI5tLocalSourceAuditor', secret: 'local-source-auditor-secret-0001' },
  /** The source-owner account's root keys. */
  sourceRoot: { id: 'LTAI5tLocalSourceOwnerRoot', secret: 'local-source-owner-root-secret-01' },
} as const;

/** The automation account of the example accounts. */
export const AUTOMATION_ACCOUNT = '5820374619283746';

/** A real SDK client of the `dts-trust` instance (no retries: maxRetries is process-global in the SDK). */
export function tablestoreClient(
  url: string,
  keys: { id: string; secret: string },
  stsToken?: string,
): TableStore.Client {
  return new TableStore.Client({
    endpoint: url,
    instancename: 'dts-trust',
    accessKeyId: keys.id,
    secretAccessKey: keys.secret,
    ...(stsToken ? { stsToken } : {}),
    maxRetries: 0,
  });
}

/** The error an SDK call rejected with (fails the test when it resolved). */
export async function sdkError(promise: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    return { code: e.code, message: String(e.message) };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
