/**
 * The `tablestore` SDK client dts-trust uses: built once per warm container with a keep-alive agent, and given new
 * keys in place when the function's credentials rotate.
 *
 * Facts from the SDK (tablestore 5.6.5):
 * - `lib/http/node.js` uses `httpOptions.agent` when given; otherwise, over https, its own
 *   `new https.Agent({ rejectUnauthorized: true })`, which has keep-alive off, so every call opens a new TLS
 *   connection. `httpOptions` is copied onto every request's options.
 * - `lib/event_listeners.js` signs each request with `config.getCredentials()`, which reads `accessKeyId`,
 *   `secretAccessKey` and `stsToken` from the client's config at that moment, so writing them there rotates the
 *   keys without building a new client (or a new agent).
 * - The SDK makes its buffers with the deprecated `new Buffer(...)` (`lib/protocol/plain_buffer_*.js`: several per
 *   decoded cell). Node 20 (`lib/buffer.js`, `showFlaggedDeprecation`) checks each of the first 10,000 such calls
 *   for a caller outside node_modules by capturing a stack trace, about 0.2 ms CPU per role at 1,000 roles, until
 *   it has warned once; see {@link endBufferDeprecationChecks}.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import TableStore from 'tablestore';

/** Keys the client signs with. */
export interface TablestoreKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** Where the store is. */
export interface TablestoreClientOptions {
  /** `https://<instance>.<region>.ots.aliyuncs.com`, or `http://127.0.0.1:<port>` for the local cloud. */
  readonly endpoint: string;
  readonly instance: string;
  /** Retries the SDK itself makes (it retries read operations on 5xx and a few OTS codes). */
  readonly maxRetries?: number;
}

/** The SDK's mutable config fields the signer reads on every request. */
interface SigningConfig {
  accessKeyId: string;
  secretAccessKey: string;
  stsToken: string | null;
}

/** A keep-alive agent for the endpoint's protocol (the SDK's own https agent has keep-alive off). */
export function keepAliveAgent(endpoint: string): HttpAgent | HttpsAgent {
  return new URL(endpoint).protocol === 'https:'
    ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: true })
    : new HttpAgent({ keepAlive: true });
}

let bufferChecksEnded = false;

/**
 * Let Node give its one `Buffer()` deprecation warning now, silenced, so it stops checking every `new Buffer` the
 * SDK makes for a caller outside node_modules. Other deprecation warnings are untouched: `process.noDeprecation`
 * is restored at once, and Node warns of `Buffer()` only once per process anyway.
 */
export function endBufferDeprecationChecks(): void {
  if (bufferChecksEnded) return;
  bufferChecksEnded = true;
  const noDeprecation = process.noDeprecation === true;
  process.noDeprecation = true;
  try {
    // The deprecated constructor is the point: its one warning ends Node's checks.
    new (Buffer as unknown as new (size: number) => Buffer)(0);
  } finally {
    process.noDeprecation = noDeprecation;
  }
}

/** A client over a keep-alive agent, signing with `keys`. */
export function createTablestoreClient(options: TablestoreClientOptions, keys: TablestoreKeys): TableStore.Client {
  endBufferDeprecationChecks();
  return new TableStore.Client({
    endpoint: options.endpoint,
    instancename: options.instance,
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.accessKeySecret,
    ...(keys.securityToken ? { stsToken: keys.securityToken } : {}),
    maxRetries: options.maxRetries ?? 3,
    httpOptions: { agent: keepAliveAgent(options.endpoint) },
  });
}

/** Sign the client's next requests with `keys` (credentials rotated); connections and agent are kept. */
export function updateTablestoreKeys(client: TableStore.Client, keys: TablestoreKeys): void {
  const config = (client as unknown as { config: SigningConfig }).config;
  config.accessKeyId = keys.accessKeyId;
  config.secretAccessKey = keys.accessKeySecret;
  config.stsToken = keys.securityToken ?? null;
}
