import type { AuditEvent } from '../../shared/domain/audit.js';
import { type CloudApiError, ConcurrentModificationError } from '../../shared/domain/errors.js';
import { compareRoleKeys, type Grant, type GrantKey, type RoleKey } from '../../shared/domain/grant.js';
import type {
  AccountCredentials,
  AuditLog,
  ClaimOptions,
  Clock,
  CredentialBroker,
  GrantStore,
  MessageClaim,
  MessageIdentity,
  ProcessedMessageLedger,
  RoleGrants,
  RoleKeyFilter,
  RoleStatus,
  StatusStore,
} from '../../shared/ports.js';

const grantKeyOf = (k: GrantKey): string => `${k.ownerAccountId}/${k.roleName.toLowerCase()}/${k.trustedAccountId}`;
const roleKeyOf = (k: RoleKey): string => `${k.ownerAccountId}/${k.roleName.toLowerCase()}`;

/** True when a key scan with this filter lists the role. */
function keptBy(filter: RoleKeyFilter | undefined, role: RoleKey): boolean {
  if (filter?.ownerAccountId !== undefined && role.ownerAccountId !== filter.ownerAccountId) return false;
  return filter?.after === undefined || compareRoleKeys(role, filter.after) > 0;
}

/** Grants in memory, with revision conditions; lists roles sorted by owner and name, as the Tablestore store does. */
export class MemoryGrantStore implements GrantStore {
  readonly #grants = new Map<string, Grant>();
  /** Roles handed out by `listManagedRoles` (and so `listRoleGrants`) so far (to check streaming). */
  yielded = 0;

  constructor(grants: readonly Grant[] = []) {
    for (const g of grants) this.#grants.set(grantKeyOf(g), g);
  }

  async getGrant(key: GrantKey): Promise<Grant | undefined> {
    return this.#grants.get(grantKeyOf(key));
  }

  async putGrant(grant: Grant, expectedRevision?: number): Promise<Grant> {
    const current = this.#grants.get(grantKeyOf(grant));
    if (expectedRevision === undefined ? current !== undefined : current?.revision !== expectedRevision) {
      throw new ConcurrentModificationError(`grant ${grantKeyOf(grant)} changed`);
    }
    const stored = { ...grant, revision: (current?.revision ?? 0) + 1 };
    this.#grants.set(grantKeyOf(grant), stored);
    return stored;
  }

  async deleteGrant(key: GrantKey, expectedRevision?: number): Promise<void> {
    if (expectedRevision !== undefined && this.#grants.get(grantKeyOf(key))?.revision !== expectedRevision) {
      throw new ConcurrentModificationError(`grant ${grantKeyOf(key)} changed`);
    }
    this.#grants.delete(grantKeyOf(key));
  }

  async listGrantsForRole(role: RoleKey): Promise<Grant[]> {
    return this.#grantsOf(role);
  }

  #grantsOf(role: RoleKey): Grant[] {
    return [...this.#grants.values()].filter((g) => roleKeyOf(g) === roleKeyOf(role));
  }

  /**
   * Each role of {@link listManagedRoles} (as it is at the call, so a test may replace it) with its grants, read as
   * one scan reads them: not through {@link listGrantsForRole}, so a test counts the reads per role alone.
   */
  async *listRoleGrants(filter?: { ownerAccountId?: string }): AsyncIterable<RoleGrants> {
    for await (const role of this.listManagedRoles(filter)) yield { role, grants: this.#grantsOf(role) };
  }

  async *listManagedRoles(filter?: RoleKeyFilter): AsyncIterable<RoleKey> {
    const roles = new Map<string, RoleKey>();
    for (const g of this.#grants.values()) {
      if (!keptBy(filter, g)) continue;
      roles.set(roleKeyOf(g), { ownerAccountId: g.ownerAccountId, roleName: g.roleName });
    }
    for (const role of [...roles.values()].sort(compareRoleKeys)) {
      this.yielded += 1;
      yield role;
    }
  }
}

/** Status rows in memory with version conditions; `raceNext` simulates another writer. */
export class MemoryStatusStore implements StatusStore {
  readonly rows = new Map<string, RoleStatus>();
  puts = 0;
  conflicts = 0;
  #races = 0;

  /** Before each of the next `times` writes, another writer bumps the row's version. */
  raceNext(times = 1): void {
    this.#races += times;
  }

  async getStatus(role: RoleKey): Promise<RoleStatus | undefined> {
    return this.rows.get(roleKeyOf(role));
  }

  async putStatus(status: RoleStatus, expectedVersion: number): Promise<RoleStatus> {
    this.puts += 1;
    const key = roleKeyOf(status);
    if (this.#races > 0) {
      this.#races -= 1;
      const current = this.rows.get(key);
      this.rows.set(key, {
        ...(current ?? { ...status, lastResult: 'other-writer', failureCount: 0, flapCount: 0 }),
        version: (current?.version ?? 0) + 1,
      });
    }
    const version = this.rows.get(key)?.version ?? 0;
    if (version !== expectedVersion) {
      this.conflicts += 1;
      throw new ConcurrentModificationError(`status ${key} is at version ${version}, not ${expectedVersion}`);
    }
    const stored = { ...status, version: expectedVersion + 1 };
    this.rows.set(key, stored);
    return stored;
  }

  async deleteStatus(role: RoleKey, expectedVersion: number): Promise<void> {
    const key = roleKeyOf(role);
    const version = this.rows.get(key)?.version ?? 0;
    if (version !== expectedVersion) {
      this.conflicts += 1;
      throw new ConcurrentModificationError(`status ${key} is at version ${version}, not ${expectedVersion}`);
    }
    this.rows.delete(key);
  }

  async *listStatuses(filter?: { ownerAccountId?: string }): AsyncIterable<RoleStatus> {
    const rows = [...this.rows.values()].filter(
      (r) => filter?.ownerAccountId === undefined || r.ownerAccountId === filter.ownerAccountId,
    );
    for (const row of rows.sort(compareRoleKeys)) yield row;
  }

  async *listStatusKeys(filter?: RoleKeyFilter): AsyncIterable<RoleKey> {
    const rows = [...this.rows.values()].filter((r) => keptBy(filter, r));
    for (const { ownerAccountId, roleName } of rows.sort(compareRoleKeys)) yield { ownerAccountId, roleName };
  }
}

/** The audit log in memory; can refuse records; an optional `journal` receives `audit:<type>`. */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  #failures: ((event: AuditEvent) => boolean) | undefined;

  constructor(private readonly journal?: string[]) {}

  /** Refuse every record for which `when` is true (all of them by default). */
  failWhen(when: (event: AuditEvent) => boolean = () => true): void {
    this.#failures = when;
  }

  /** Events of one type. */
  ofType(type: string): AuditEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  async record(event: AuditEvent): Promise<void> {
    if (this.#failures?.(event)) throw new Error(`outbox unavailable (refused ${event.type})`);
    this.journal?.push(`audit:${event.type}`);
    this.events.push(event);
  }
}

/** Hands out fake credentials per account, counting calls; some accounts fail with a given error. */
export class MemoryBroker implements CredentialBroker {
  readonly calls = new Map<string, number>();
  readonly #failures = new Map<string, CloudApiError>();

  /** Make `accountId` fail with `error` (for example NoPermission). */
  fail(accountId: string, error: CloudApiError): void {
    this.#failures.set(accountId, error);
  }

  /** Calls for one account, or all accounts. */
  count(accountId?: string): number {
    if (accountId !== undefined) return this.calls.get(accountId) ?? 0;
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  async credentialsFor(accountId: string): Promise<AccountCredentials> {
    this.calls.set(accountId, (this.calls.get(accountId) ?? 0) + 1);
    const failure = this.#failures.get(accountId);
    if (failure) throw failure;
    return { accountId, accessKeyId: `STS.${accountId}`, accessKeySecret: 'secret', securityToken: 'token' };
  }
}

/** The processed-message ledger in memory, with the Tablestore ledger's claim semantics (leases on an injected clock). */
export class MemoryLedger implements ProcessedMessageLedger {
  readonly rows = new Map<
    string,
    { status: 'inProgress' | 'completed'; outcome?: string; leaseUntil: number; bodyHash: string }
  >();

  constructor(private readonly clock: Pick<Clock, 'now'> = { now: () => new Date() }) {}

  static keyOf(identity: MessageIdentity): string {
    return JSON.stringify([identity.keyId, identity.messageId]);
  }

  async claim(identity: MessageIdentity, options: ClaimOptions): Promise<MessageClaim> {
    const key = MemoryLedger.keyOf(identity);
    const row = this.rows.get(key);
    const now = this.clock.now().getTime();
    if (row) {
      if (row.bodyHash !== options.bodyHash) return { status: 'bodyMismatch' };
      if (row.status === 'completed') return { status: 'completed', outcome: row.outcome ?? '' };
      if (row.leaseUntil > now) return { status: 'inProgress', until: new Date(row.leaseUntil) };
    } else if (!options.createIfAbsent) {
      return { status: 'absent' };
    }
    this.rows.set(key, { status: 'inProgress', leaseUntil: now + options.leaseMs, bodyHash: options.bodyHash });
    return { status: 'claimed', resumed: row !== undefined };
  }

  async complete(identity: MessageIdentity, outcome: string): Promise<void> {
    const row = this.rows.get(MemoryLedger.keyOf(identity));
    if (row) this.rows.set(MemoryLedger.keyOf(identity), { ...row, status: 'completed', outcome, leaseUntil: 0 });
  }

  async release(identity: MessageIdentity): Promise<void> {
    const row = this.rows.get(MemoryLedger.keyOf(identity));
    if (row) row.leaseUntil = 0;
  }
}
