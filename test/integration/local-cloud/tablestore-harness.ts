/**
 * A small loopback harness for the Tablestore module: a minimal CloudCore built from the contract (one account,
 * root keys, a RAM user the permission check denies, STS credentials, a movable clock) behind node:http, so the
 * real `tablestore` SDK can talk to the module.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import TableStore from 'tablestore';
import type {
  AccountState,
  CloudCore,
  CloudReply,
  Principal,
  ServiceModule,
  TemporaryCredentialState,
} from '../../../local/cloud/contract.js';

/** The harness account and its keys. */
export const HARNESS = {
  accountId: '1234567890123456',
  rootKey: { id: 'LTAIrootkey0001', secret: 'root-secret-0001' },
  deniedUserKey: { id: 'LTAIdenieduser01', secret: 'denied-secret-01' },
  instance: 'dts-trust',
} as const;

/** A running harness. */
export interface TablestoreHarness {
  readonly endpoint: string;
  readonly core: CloudCore;
  /** Move the clock forward. */
  advance(ms: number): void;
  /** Answer the next request with this fault, shaped by the module, as the core's fault engine does. */
  failNext(fault: { status: number; code: string; message: string }): void;
  /** A real SDK client for the given keys (root by default). */
  client(keys?: { id: string; secret: string; token?: string }): TableStore.Client;
  stop(): Promise<void>;
}

/** Start the module behind a loopback server with a minimal core. */
export async function startTablestoreHarness(module: ServiceModule, options?: unknown): Promise<TablestoreHarness> {
  let nowMs = Date.parse('2026-01-01T00:00:00Z');
  const account: AccountState = {
    id: HARNESS.accountId,
    name: 'harness',
    accessKeys: [{ ...HARNESS.rootKey }],
    roles: new Map(),
    users: new Map([
      [
        'denied',
        { name: 'denied', userId: '2000000000000001', accessKeys: [{ ...HARNESS.deniedUserKey }], policies: [] },
      ],
    ]),
    customPolicies: new Map(),
    partition: 'public',
    dtsActivated: true,
  };
  const temporary = new Map<string, TemporaryCredentialState>();
  const states = new Map<string, unknown>();
  const core: CloudCore = {
    accounts: new Map([[account.id, account]]),
    resolveAccessKey(accessKeyId): Principal | undefined {
      if (accessKeyId === HARNESS.rootKey.id) {
        return {
          accountId: account.id,
          kind: 'root',
          name: 'root',
          arn: `acs:ram::${account.id}:root`,
          accessKeyId,
          accessKeySecret: HARNESS.rootKey.secret,
        };
      }
      if (accessKeyId === HARNESS.deniedUserKey.id) {
        return {
          accountId: account.id,
          kind: 'user',
          name: 'denied',
          arn: `acs:ram::${account.id}:user/denied`,
          accessKeyId,
          accessKeySecret: HARNESS.deniedUserKey.secret,
        };
      }
      const temp = temporary.get(accessKeyId);
      if (!temp) return undefined;
      return {
        accountId: temp.accountId,
        kind: 'assumed-role',
        name: temp.roleName,
        arn: `acs:ram::${temp.accountId}:assumed-role/${temp.roleName}/${temp.sessionName}`,
        accessKeyId,
        accessKeySecret: temp.accessKeySecret,
        securityToken: temp.securityToken,
        expiration: temp.expiration,
        sessionName: temp.sessionName,
      };
    },
    issueTemporaryCredentials(creds) {
      temporary.set(creds.accessKeyId, creds);
    },
    isAllowed(principal, action, resource) {
      return principal.kind !== 'user' && action.startsWith('ots:') && resource.startsWith('acs:ots:');
    },
    now: () => new Date(nowMs),
    serviceState<T>(service: string, init: () => T): T {
      if (!states.has(service)) states.set(service, init());
      return states.get(service) as T;
    },
    serviceOptions<T>(service: string): T | undefined {
      return service === module.name ? (options as T | undefined) : undefined;
    },
  };
  let nextFault: { status: number; code: string; message: string } | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const fault = nextFault;
      nextFault = undefined;
      const answer: Promise<CloudReply> = !module.accepts(call)
        ? Promise.resolve({ status: 404, body: 'not for tablestore' })
        : fault
          ? Promise.resolve(module.faultReply(fault, call))
          : module.handle(call, core);
      answer.then(
        (reply) => {
          res.writeHead(reply.status, reply.headers ?? {});
          res.end(reply.body);
        },
        (error: unknown) => {
          res.writeHead(599);
          res.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    core,
    advance(ms) {
      nowMs += ms;
    },
    failNext(fault) {
      nextFault = fault;
    },
    client(keys = HARNESS.rootKey) {
      return new TableStore.Client({
        endpoint,
        instancename: HARNESS.instance,
        accessKeyId: keys.id,
        secretAccessKey: keys.secret,
        ...('token' in keys && keys.token ? { stsToken: keys.token } : {}),
        maxRetries: 0,
      });
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
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
