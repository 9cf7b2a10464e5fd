/**
 * The {@link CloudCore} implementation: accounts, an O(1) access-key index (root keys, user keys, live STS
 * credentials), permission checks, the clock, and per-service state and options.
 */
import type { AccountState, CloudCore, Principal, TemporaryCredentialState } from './contract.js';
import { isAllowed } from './iam.js';

/** A clock the core reads (tests pass a fake one). */
export interface CloudClock {
  now(): Date;
  /** Wait `ms` of this clock's time; without it the core waits with real (unref'd) timers. */
  sleep?(ms: number): Promise<void>;
}

/** What the core is built from. */
export interface CloudCoreInit {
  readonly accounts: Map<string, AccountState>;
  readonly clock?: CloudClock;
  readonly services?: Readonly<Record<string, unknown>>;
}

/** The core plus what only the server and admin routes use. */
export interface LocalCloudCore extends CloudCore {
  readonly accounts: Map<string, AccountState>;
  /** Live and expired temporary credentials by access key id. */
  readonly temporaryCredentials: Map<string, TemporaryCredentialState>;
  /** Service state bags by service name. */
  readonly serviceStates: Map<string, unknown>;
  /** Rebuild the key index after accounts or users changed outside RAM calls. */
  reindex(): void;
}

interface KeyEntry {
  readonly accountId: string;
  readonly userName: string | undefined;
  readonly secret: string;
}

/** Create the core over the given accounts. */
export function createCloudCore(init: CloudCoreInit): LocalCloudCore {
  const clock = init.clock ?? { now: () => new Date() };
  const keys = new Map<string, KeyEntry>();
  const temporaryCredentials = new Map<string, TemporaryCredentialState>();
  const serviceStates = new Map<string, unknown>();
  const accounts = init.accounts;

  function reindex(): void {
    keys.clear();
    for (const account of accounts.values()) {
      for (const key of account.accessKeys)
        keys.set(key.id, { accountId: account.id, userName: undefined, secret: key.secret });
      for (const user of account.users.values()) {
        for (const key of user.accessKeys)
          keys.set(key.id, { accountId: account.id, userName: user.name, secret: key.secret });
      }
    }
  }
  reindex();

  return {
    accounts,
    temporaryCredentials,
    serviceStates,
    reindex,
    resolveAccessKey(accessKeyId: string): Principal | undefined {
      const entry = keys.get(accessKeyId);
      if (entry) {
        if (!accounts.has(entry.accountId)) return undefined;
        if (entry.userName === undefined) {
          return {
            accountId: entry.accountId,
            kind: 'root',
            name: 'root',
            arn: `acs:ram::${entry.accountId}:root`,
            accessKeyId,
            accessKeySecret: entry.secret,
          };
        }
        if (!accounts.get(entry.accountId)?.users.has(entry.userName)) return undefined;
        return {
          accountId: entry.accountId,
          kind: 'user',
          name: entry.userName,
          arn: `acs:ram::${entry.accountId}:user/${entry.userName}`,
          accessKeyId,
          accessKeySecret: entry.secret,
        };
      }
      const temp = temporaryCredentials.get(accessKeyId);
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
    issueTemporaryCredentials(creds: TemporaryCredentialState): void {
      const now = clock.now().getTime();
      if (temporaryCredentials.size > 50_000) {
        for (const [id, c] of temporaryCredentials) if (c.expiration.getTime() <= now) temporaryCredentials.delete(id);
      }
      temporaryCredentials.set(creds.accessKeyId, creds);
    },
    isAllowed(principal: Principal, action: string, resource: string): boolean {
      return isAllowed(principal, action, resource, accounts);
    },
    now: () => clock.now(),
    sleep: (ms: number) =>
      clock.sleep ? clock.sleep(ms) : new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
    serviceState<T>(service: string, initState: () => T): T {
      if (!serviceStates.has(service)) serviceStates.set(service, initState());
      return serviceStates.get(service) as T;
    },
    serviceOptions<T>(service: string): T | undefined {
      return init.services?.[service] as T | undefined;
    },
  };
}
