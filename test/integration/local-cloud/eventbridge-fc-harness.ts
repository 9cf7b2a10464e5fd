/**
 * A minimal CloudCore and loopback HTTP server built only from local/cloud/contract.ts, to drive the EventBridge
 * and FC service modules through the real SDKs in tests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AccountState,
  CloudCall,
  CloudCore,
  CloudReply,
  Principal,
  ServiceModule,
  TemporaryCredentialState,
} from '../../../local/cloud/contract.js';

/** Two accounts with root keys, one RAM user with keys in the first, and an `fc-runner` role there. */
export const ACCOUNT_A = { id: '1111111111111111', keyId: 'LTAIaaaaaaaaaaaaaaaa', secret: 'secret-a' } as const;
export const ACCOUNT_B = { id: '2222222222222222', keyId: 'LTAIbbbbbbbbbbbbbbbb', secret: 'secret-b' } as const;
/** A user in account A whom the harness denies every action. */
export const DENIED_USER = { name: 'nobody', keyId: 'LTAInobodynobodynobo', secret: 'secret-nobody' } as const;

function account(id: string, keyId: string, secret: string): AccountState {
  const now = new Date('2024-01-01T00:00:00Z').toISOString();
  return {
    id,
    name: `account-${id}`,
    accessKeys: [{ id: keyId, secret }],
    roles: new Map([
      [
        'fc-runner',
        {
          name: 'fc-runner',
          roleId: `3${id}`,
          description: '',
          trustPolicy: '{}',
          maxSessionDuration: 3600,
          createDate: now,
          updateDate: now,
          policies: [],
          tags: {},
        },
      ],
    ]),
    users: new Map(),
    customPolicies: new Map(),
    partition: 'public',
    dtsActivated: true,
  };
}

/** A running harness. */
export interface Harness {
  readonly endpoint: string;
  readonly url: string;
  readonly core: CloudCore;
  /** Services currently answering every call with a 503 outage. */
  readonly outages: Set<string>;
  stop(): Promise<void>;
}

/** Start a loopback server routing to `modules` with a minimal core. */
export async function startHarness(
  modules: readonly ServiceModule[],
  serviceOptions: Record<string, unknown> = {},
): Promise<Harness> {
  const accounts = new Map([
    [ACCOUNT_A.id, account(ACCOUNT_A.id, ACCOUNT_A.keyId, ACCOUNT_A.secret)],
    [ACCOUNT_B.id, account(ACCOUNT_B.id, ACCOUNT_B.keyId, ACCOUNT_B.secret)],
  ]);
  const temporary = new Map<string, TemporaryCredentialState>();
  const states = new Map<string, unknown>();
  const outages = new Set<string>();
  const core: CloudCore = {
    accounts,
    resolveAccessKey(accessKeyId: string): Principal | undefined {
      for (const a of accounts.values()) {
        const key = a.accessKeys.find((k) => k.id === accessKeyId);
        if (key) {
          return {
            accountId: a.id,
            kind: 'root',
            name: 'root',
            arn: `acs:ram::${a.id}:root`,
            accessKeyId,
            accessKeySecret: key.secret,
          };
        }
      }
      if (accessKeyId === DENIED_USER.keyId) {
        return {
          accountId: ACCOUNT_A.id,
          kind: 'user',
          name: DENIED_USER.name,
          arn: `acs:ram::${ACCOUNT_A.id}:user/${DENIED_USER.name}`,
          accessKeyId,
          accessKeySecret: DENIED_USER.secret,
        };
      }
      const t = temporary.get(accessKeyId);
      if (!t) return undefined;
      return {
        accountId: t.accountId,
        kind: 'assumed-role',
        name: t.roleName,
        arn: `acs:ram::${t.accountId}:assumed-role/${t.roleName}/${t.sessionName}`,
        accessKeyId,
        accessKeySecret: t.accessKeySecret,
        securityToken: t.securityToken,
        expiration: t.expiration,
        sessionName: t.sessionName,
      };
    },
    issueTemporaryCredentials(creds: TemporaryCredentialState): void {
      temporary.set(creds.accessKeyId, creds);
    },
    isAllowed(principal: Principal): boolean {
      return principal.accessKeyId !== DENIED_USER.keyId;
    },
    now: () => new Date(),
    serviceState<T>(service: string, init: () => T): T {
      if (!states.has(service)) states.set(service, init());
      return states.get(service) as T;
    },
    serviceOptions<T>(service: string): T | undefined {
      return serviceOptions[service] as T | undefined;
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call: CloudCall = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const send = (reply: CloudReply): void => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body);
      };
      const route = async (): Promise<CloudReply> => {
        const adminMatch = /^\/__admin\/([^/]+)\/(.*)$/.exec(call.url.pathname);
        if (adminMatch) {
          const mod = modules.find((m) => m.name === adminMatch[1]);
          const reply = mod?.admin ? await mod.admin(call, adminMatch[2]!, core) : undefined;
          return reply ?? { status: 404, body: 'no such admin route' };
        }
        const mod = modules.find((m) => m.accepts(call));
        if (!mod) return { status: 404, body: 'no service accepts this call' };
        mod.identify(call, core);
        if (outages.has(mod.name)) {
          return mod.faultReply(
            { status: 503, code: 'ServiceUnavailable', message: 'The service is unavailable.' },
            call,
          );
        }
        return mod.handle(call, core);
      };
      route().then(send, (error: unknown) => send({ status: 500, body: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    core,
    outages,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
