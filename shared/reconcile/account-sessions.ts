import { type AuditEvent, AuditEventType, newAuditEvent } from '../domain/audit.js';
import { accountArn } from '../domain/ownership.js';
import type {
  AccountCredentials,
  AuditLog,
  Clock,
  CredentialBroker,
  OwnedRoleListing,
  Random,
  RoleDirectory,
} from '../ports.js';
import { gatedDirectory, listedRoles, type RoleSnapshot, skippedWrites } from './directory-decorators.js';
import { managementRoleFinding, recordEach } from './findings.js';
import { type RoleError, RoleOutcome } from './outcome.js';
import { type RetryPolicy, withRetry } from './retry.js';
import { TokenBucket } from './token-bucket.js';

/** An owner account the run had to stop. */
export interface AccountFailure {
  readonly accountId: string;
  readonly code: string;
  readonly message: string;
}

/** RAM calls each owner account may make, shared by every run of one reconciler. */
export class AccountRateLimits {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    private readonly rate: { readonly ratePerSecond: number; readonly burst: number },
  ) {}

  /** The token bucket of `accountId` (created on first use). */
  bucketOf(accountId: string): TokenBucket {
    let bucket = this.#buckets.get(accountId);
    if (!bucket) {
      bucket = new TokenBucket(this.clock, this.rate);
      this.#buckets.set(accountId, bucket);
    }
    return bucket;
  }
}

/** What the owner accounts of one run need. */
export interface AccountSessionsDeps {
  readonly broker: CredentialBroker;
  readonly directory: RoleDirectory;
  readonly limits: AccountRateLimits;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly random: Random;
  readonly retry: RetryPolicy;
  readonly newId: () => string;
  readonly correlationId: string;
  /** False in a dry run: every RAM write is skipped (it succeeds without a call), reads go through. */
  readonly writes: boolean;
  /**
   * Where the owned roles of an account can be read together (Tencent: DescribeRoleList by the ownership tag);
   * used by a run over many roles (`listRoles`), once per covered account, instead of one GetRole per role.
   */
  readonly listing?: OwnedRoleListing | undefined;
  /** Observe the roles of covered accounts from one listing per account (a sweep); default false. */
  readonly listRoles?: boolean | undefined;
}

/** How many accounts' directories a run keeps built (accounts are reconciled a few at a time, in order). */
const DIRECTORIES_KEPT = 64;

/**
 * The owner accounts of one run: one AssumeRole per account (retried on throttling and outages), its RAM directory
 * behind the account's rate limit with every call counted, and the accounts the run stopped (the first failure of
 * an account records one `account.failed` event; its other roles then fail without a call).
 */
export class AccountSessions {
  readonly #credentials = new Map<string, Promise<AccountCredentials>>();
  readonly #directories = new Map<string, RoleDirectory>();
  readonly #stopped = new Map<string, AccountFailure>();
  readonly #calls = { ram: 0, assumeRole: 0 };
  readonly #listings = new Map<string, Promise<RoleSnapshot | undefined>>();

  constructor(private readonly deps: AccountSessionsDeps) {}

  /** False in a dry run: no write is made. */
  get writes(): boolean {
    return this.deps.writes;
  }

  /** The RAM and STS calls made so far. */
  get calls(): { readonly ram: number; readonly assumeRole: number } {
    return { ...this.#calls };
  }

  /** The accounts stopped so far, in the order they failed. */
  get failures(): readonly AccountFailure[] {
    return [...this.#stopped.values()];
  }

  /** Why `accountId` was stopped, when it was. */
  stopped(accountId: string): AccountFailure | undefined {
    return this.#stopped.get(accountId);
  }

  /** Credentials inside `accountId`, asked for once per run. */
  credentialsFor(accountId: string): Promise<AccountCredentials> {
    let pending = this.#credentials.get(accountId);
    if (!pending) {
      pending = withRetry(
        () => {
          this.#calls.assumeRole += 1;
          return this.deps.broker.credentialsFor(accountId);
        },
        this.deps.retry,
        this.deps,
      );
      this.#credentials.set(accountId, pending);
    }
    return pending;
  }

  /**
   * Enter these accounts now, each once (as {@link credentialsFor} would on first use), so that an account's first
   * role does not wait for STS after the scan that found it. A failure is met by the first role that asks for the
   * credentials, which stops the account as before.
   */
  enterAhead(accountIds: readonly string[]): void {
    for (const accountId of accountIds) this.credentialsFor(accountId).catch(() => undefined);
  }

  /**
   * The RAM directory of `accountId`: rate-limited, counted, and without writes in a dry run. Built once per account
   * (the last {@link DIRECTORIES_KEPT} accounts asked for are kept: a run has only a few accounts in flight).
   */
  directoryFor(accountId: string): RoleDirectory {
    let directory = this.#directories.get(accountId);
    if (directory === undefined) {
      const gated = gatedDirectory(this.deps.directory, this.deps.limits.bucketOf(accountId), () => {
        this.#calls.ram += 1;
      });
      directory = this.deps.writes ? gated : skippedWrites(gated);
      if (this.#directories.size >= DIRECTORIES_KEPT) {
        const oldest = this.#directories.keys().next();
        if (!oldest.done) this.#directories.delete(oldest.value);
      }
      this.#directories.set(accountId, directory);
    }
    return directory;
  }

  /**
   * The directory the run observes the roles of `accountId` through: in a run that lists roles, for an account the
   * listing covers, GetRole answers from one listing of the account's owned roles read on first use (behind the
   * account's rate limit, retried, counted as one call however many pages) and reads a role the listing lacks;
   * a listing that fails after its retries is given up for the run, and each role is read on its own. Otherwise
   * {@link directoryFor}'s.
   */
  observerFor(accountId: string): RoleDirectory {
    const direct = this.directoryFor(accountId);
    const listing = this.deps.listing;
    if (this.deps.listRoles !== true || listing === undefined || !listing.covers(accountId)) return direct;
    return listedRoles(direct, (account) => this.#snapshotOf(account, listing));
  }

  #snapshotOf(account: AccountCredentials, listing: OwnedRoleListing): Promise<RoleSnapshot | undefined> {
    let pending = this.#listings.get(account.accountId);
    if (!pending) {
      const bucket = this.deps.limits.bucketOf(account.accountId);
      pending = withRetry(
        async () => {
          await bucket.take();
          this.#calls.ram += 1;
          return listing.listOwnedRoles(account);
        },
        this.deps.retry,
        this.deps,
      ).then(
        (records) => new Map(records.map((record) => [record.roleName.toLowerCase(), record])),
        () => undefined,
      );
      this.#listings.set(account.accountId, pending);
    }
    return pending;
  }

  /**
   * Stop `accountId` for the rest of the run; the first stop records one `account.failed` event, and a
   * `management-role-broken` finding when the account's management role is what failed (both best effort).
   */
  async stop(accountId: string, error: RoleError): Promise<AuditEvent[]> {
    if (this.#stopped.has(accountId)) return [];
    this.#stopped.set(accountId, { accountId, code: error.code, message: error.message });
    const event = newAuditEvent({
      id: this.deps.newId(),
      type: AuditEventType.AccountFailed,
      subject: accountArn(accountId),
      time: this.deps.clock.now(),
      data: {
        correlationId: this.deps.correlationId,
        outcome: RoleOutcome.Failed,
        codes: [error.code],
        detail: { accountId, message: error.message },
      },
    });
    const broken = managementRoleFinding(
      { accountId, code: error.code, message: error.message },
      { newId: this.deps.newId, time: this.deps.clock.now(), correlationId: this.deps.correlationId },
    );
    return recordEach(this.deps.audit, broken ? [event, broken] : [event]);
  }
}
