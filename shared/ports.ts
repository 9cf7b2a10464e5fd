/**
 * The small interfaces the engine needs from the outside world. The pure core is written against these;
 * `shared/alicloud` implements them over the real SDKs, tests implement them in memory.
 */
import type { AuditEvent } from './domain/audit.js';
import type { DtsJobRef } from './domain/dts-usage.js';
import type { FindingRecord, FindingState } from './domain/finding-record.js';
import type { Grant, GrantKey, RoleKey } from './domain/grant.js';

/** Credentials that act inside one account (the account's own, or STS credentials of its management role). */
export interface AccountCredentials {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
  /** When temporary credentials stop working; absent for long-term keys. */
  readonly expiration?: Date;
}

/** Hands out credentials for an owner account (STS AssumeRole into its management role, cached). */
export interface CredentialBroker {
  /** Credentials for `accountId`; throws a `CloudApiError` of kind `noPermission` when the account cannot be entered. */
  credentialsFor(accountId: string): Promise<AccountCredentials>;
}

/** A RAM role as GetRole returns it. */
export interface ObservedRoleRecord {
  readonly roleName: string;
  readonly arn: string;
  readonly description: string;
  /** The trust policy exactly as the service returned it. */
  readonly trustPolicy: string;
  /**
   * `listing` when a listing of the account's owned roles read earlier in the run answered for the role, not a read
   * of the role itself: it may be older than the moment it is used, so nothing is ever written from it (a change is
   * planned again from a fresh read). Absent for a read of the role.
   */
  readonly source?: 'listing';
}

/** A policy attached to a role. */
export interface AttachedPolicy {
  readonly policyName: string;
  readonly policyType: 'System' | 'Custom';
}

/** What a new role is created with. */
export interface NewRole {
  readonly roleName: string;
  readonly trustPolicy: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** RAM roles of one account, reached with that account's credentials. Errors are `CloudApiError`s. */
export interface RoleDirectory {
  /** GetRole; `undefined` when the role does not exist. */
  getRole(account: AccountCredentials, roleName: string): Promise<ObservedRoleRecord | undefined>;
  /** ListPoliciesForRole; empty when the role does not exist. */
  listAttachedPolicies(account: AccountCredentials, roleName: string): Promise<AttachedPolicy[]>;
  createRole(account: AccountCredentials, role: NewRole): Promise<ObservedRoleRecord>;
  updateTrustPolicy(account: AccountCredentials, roleName: string, trustPolicy: string): Promise<void>;
  /** UpdateRole with a new Description only (claims the ownership marker of an adopted role). */
  updateDescription(account: AccountCredentials, roleName: string, description: string): Promise<void>;
  attachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void>;
  detachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void>;
  deleteRole(account: AccountCredentials, roleName: string): Promise<void>;
}

/**
 * The owned roles of one account read together, where the cloud offers it: CAM's DescribeRoleList filtered by the
 * ownership tag answers up to 200 roles a call with their trust policies and descriptions (RAM's ListRoles returns
 * no trust policy, so Alibaba roles are read one by one). Errors are `CloudApiError`s.
 */
export interface OwnedRoleListing {
  /** True when the roles of `accountId` can be listed this way (its cloud has such a listing). */
  covers(accountId: string): boolean;
  /** Every role of the account carrying the ownership tag, each as GetRole would answer it, every page read. */
  listOwnedRoles(account: AccountCredentials): Promise<readonly ObservedRoleRecord[]>;
}

/** RAM users of one account, reached with that account's credentials (the preflight's one read). */
export interface UserDirectory {
  /** GetUser: true when a RAM user by this name exists. Errors are `CloudApiError`s. */
  userExists(account: AccountCredentials, userName: string): Promise<boolean>;
}

/** Kinds of CAM entity a custom policy can be attached to besides a sub-user (ListEntitiesForPolicy RelatedType 2, 3). */
export const PolicyEntityKind = { Group: 'group', Role: 'role' } as const;
/** One of {@link PolicyEntityKind}. */
export type PolicyEntityKind = (typeof PolicyEntityKind)[keyof typeof PolicyEntityKind];

/** A user group or role a custom CAM policy is attached to (dts-trust attaches its policies to sub-users only). */
export interface PolicyEntity {
  readonly kind: PolicyEntityKind;
  /** The group's or role's id as CAM returns it (the one DetachGroupPolicy / DetachRolePolicy take). */
  readonly id: string;
  readonly name: string;
}

/** A Tencent custom policy in a trusted account that lets named sub-users assume one role (CAM, version 2.0). */
export interface SubAccountPolicyRecord {
  readonly policyId: string;
  readonly policyName: string;
  /** The description as CAM returns it (dts-trust's ownership marker on a policy it created; a claim, not a proof). */
  readonly description: string;
  /** The document as CAM returns it. */
  readonly document: string;
  /** UINs of the sub-users it is attached to, sorted. */
  readonly userUins: readonly string[];
  /** The user groups and roles it is attached to, sorted by kind then id (ListEntitiesForPolicy, every entity type). */
  readonly otherEntities: readonly PolicyEntity[];
}

/** The sub-users' AssumeRole policies of one Tencent root account. Errors are `CloudApiError`s. */
export interface SubAccountPolicyDirectory {
  /**
   * The custom policy of that exact name, with its description, document and every entity it is attached to
   * (sub-users, groups, roles); `undefined` when there is none.
   */
  findPolicy(account: AccountCredentials, policyName: string): Promise<SubAccountPolicyRecord | undefined>;
  /** Create the policy; returns its id. */
  createPolicy(account: AccountCredentials, policyName: string, document: string, description: string): Promise<string>;
  updatePolicy(account: AccountCredentials, policyId: string, document: string): Promise<void>;
  attachUser(account: AccountCredentials, policyId: string, uin: string): Promise<void>;
  detachUser(account: AccountCredentials, policyId: string, uin: string): Promise<void>;
  /** Detach the policy from a user group (DetachGroupPolicy) or a role (DetachRolePolicy). */
  detachEntity(account: AccountCredentials, policyId: string, entity: PolicyEntity): Promise<void>;
  deletePolicy(account: AccountCredentials, policyId: string): Promise<void>;
}

/** A sub-account policy as a listing names it, without its document or users. */
export interface ListedSubAccountPolicy {
  readonly policyId: string;
  readonly policyName: string;
}

/**
 * The sub-users' AssumeRole policies of one Tencent root account read together: one listing of dts-trust's policies
 * per trusted account and run instead of a search per role. Errors are `CloudApiError`s.
 */
export interface SubAccountPolicyListing {
  /**
   * Every custom policy whose name starts with `prefix` (ListPolicies by keyword, 200 a call); throws when CAM
   * cannot page through them all (it serves at most 200 pages).
   */
  listPolicies(account: AccountCredentials, prefix: string): Promise<readonly ListedSubAccountPolicy[]>;
  /** The document and users of a listed policy (GetPolicy, ListEntitiesForPolicy); `undefined` once it is gone. */
  readPolicy(account: AccountCredentials, listed: ListedSubAccountPolicy): Promise<SubAccountPolicyRecord | undefined>;
}

/** Which roles a scan of their keys lists. */
export interface RoleKeyFilter {
  /** Only this owner account's roles. */
  readonly ownerAccountId?: string;
  /** Only the roles after this one, in the stores' order (owner account, then role name in code-unit order). */
  readonly after?: RoleKey;
}

/** Declared grants. Writes are conditional on `revision` so racing writers cannot lose an update. */
export interface GrantStore {
  getGrant(key: GrantKey): Promise<Grant | undefined>;
  /** Insert (expectedRevision undefined: must not exist) or replace (must be at expectedRevision); returns the stored grant with its new revision. */
  putGrant(grant: Grant, expectedRevision?: number): Promise<Grant>;
  /**
   * Remove a grant; a missing grant is not an error. With `expectedRevision`, only the grant at that revision is
   * removed (a `ConcurrentModificationError` when it changed or is gone).
   */
  deleteGrant(key: GrantKey, expectedRevision?: number): Promise<void>;
  /** Every grant of one role (a role holds few grants). */
  listGrantsForRole(role: RoleKey): Promise<Grant[]>;
  /**
   * Every managed role, page by page, never all in memory, sorted by owner account then role name (code-unit order);
   * optionally one owner account only, or only the roles after one. Reads the keys alone.
   */
  listManagedRoles(filter?: RoleKeyFilter): AsyncIterable<RoleKey>;
  /**
   * Every managed role with its grant rows (active and expired), in the order of {@link listManagedRoles}, from one
   * scan of the store page by page (no read per role); optionally one owner account only.
   */
  listRoleGrants(filter?: { ownerAccountId?: string }): AsyncIterable<RoleGrants>;
}

/** A managed role and its grant rows, as one scan of the grant store read them. */
export interface RoleGrants {
  readonly role: RoleKey;
  readonly grants: readonly Grant[];
}

/** The last reconcile of a role, kept for backoff, flap detection and reports. */
export interface RoleStatus extends RoleKey {
  /** Hash of the last observed state. */
  readonly observedHash?: string | undefined;
  /** Outcome of the last reconcile (`inSync`, `repaired`, `created`, `conflict`, `failed`, ...). */
  readonly lastResult: string;
  readonly lastReconciledAt: string;
  readonly failureCount: number;
  /** Do not try again before this instant (after failures). */
  readonly nextAttemptAt?: string | undefined;
  /** Signature of the last repaired drift, and how often it was repaired within the window. */
  readonly flapSignature?: string | undefined;
  readonly flapCount: number;
  readonly flapWindowStart?: string | undefined;
  /** Set when the product paused the role (for example after flapping); the reason. */
  readonly pausedReason?: string | undefined;
  /**
   * Tencent: by trusted account UIN, the id of the sub-account policy dts-trust created there (or found with its
   * marker before ids were recorded). Present once this release reconciled the role's trusted side: a policy of
   * the reserved name with another id, or in an account without an entry, is then not dts-trust's, whatever its
   * description claims. Absent on rows of earlier releases (the marker decides, and the id is recorded).
   */
  readonly subAccountPolicyIds?: Readonly<Record<string, string>> | undefined;
  /** Optimistic-concurrency version; 0 before the first write. */
  readonly version: number;
}

/** Role status rows. */
export interface StatusStore {
  getStatus(role: RoleKey): Promise<RoleStatus | undefined>;
  /** Write conditional on `expectedVersion` (0: must not exist); returns the row with its new version. */
  putStatus(status: RoleStatus, expectedVersion: number): Promise<RoleStatus>;
  /** Remove the row of a role the product no longer manages, conditional on `expectedVersion`. */
  deleteStatus(role: RoleKey, expectedVersion: number): Promise<void>;
  /**
   * Every status row (optionally of one owner account), page by page, sorted by owner account then role name in
   * code-unit order, as {@link GrantStore.listManagedRoles} sorts roles: the run merges both streams.
   */
  listStatuses(filter?: { ownerAccountId?: string }): AsyncIterable<RoleStatus>;
  /** The roles of {@link listStatuses}, their keys alone (a scan that only counts roles). */
  listStatusKeys(filter?: RoleKeyFilter): AsyncIterable<RoleKey>;
}

/** Durable record of audit events before they are delivered (the outbox). */
export interface AuditLog {
  /** Persist the event; must succeed before the change it describes is made. */
  record(event: AuditEvent): Promise<void>;
}

/** An event the bus answered with an error code of its own (its entry in the PutEvents answer). */
export interface RejectedEntry {
  readonly id: string;
  readonly code: string;
  readonly message: string;
  /** The bus will never accept the event as it is (size, format): retrying cannot help. */
  readonly permanent: boolean;
}

/** PutEvents failed as a whole (no permission, missing bus, throttling, outage, an answer that cannot be read). */
export interface CallFailure {
  readonly code: string;
  readonly message: string;
  /** Ids of the events not delivered because of it (the failed call's and those not tried after it). */
  readonly notDelivered: readonly string[];
}

/** What one publish did; every event given is in exactly one of the three. */
export interface PublishResult {
  readonly delivered: readonly string[];
  readonly rejected: readonly RejectedEntry[];
  readonly callFailure?: CallFailure;
}

/** Delivers audit events to the bus. */
export interface AuditSink {
  /** Where events go (the bus name), for alarms. */
  readonly destination: string;
  /**
   * Publish; results are matched to events by id. Never throws for the bus's answers: a per-event rejection is
   * in `rejected`, a failure of the call in `callFailure` (publishing stops at the first one).
   */
  publish(events: readonly AuditEvent[]): Promise<PublishResult>;
}

/** Time, injectable so tests control it. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** Random numbers for jitter and ids, injectable so tests are repeatable. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

/** A structured logger: one JSON object per line, with fields shared by every line of one invocation. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

/** Which message a ledger row is about: the signing key's id and the message's own id (never joined into one string). */
export interface MessageIdentity {
  readonly keyId: string;
  readonly messageId: string;
}

/** The state of one processed intake message (Powertools-style idempotency record). */
export type MessageClaim =
  /** This delivery holds the lease; `resumed` when an earlier delivery of the same body began and did not finish. */
  | { readonly status: 'claimed'; readonly resumed: boolean }
  | { readonly status: 'completed'; readonly outcome: string }
  | { readonly status: 'inProgress'; readonly until: Date }
  /** No row, and `createIfAbsent` was false: the message was never accepted. */
  | { readonly status: 'absent' }
  /** A row exists for this identity with another body hash: the id was reused for different content. */
  | { readonly status: 'bodyMismatch' };

/** What a claim records and checks. */
export interface ClaimOptions {
  readonly leaseMs: number;
  /** Hex SHA-256 of the canonical body; stored with the claim and compared on every later claim. */
  readonly bodyHash: string;
  /** Create a row when there is none (false for a message outside the replay window). */
  readonly createIfAbsent: boolean;
}

/** Intake messages accepted so far, so a redelivery completes or changes nothing. */
export interface ProcessedMessageLedger {
  /**
   * Claim a message: `claimed` when absent (and `createIfAbsent`) or when an earlier claim's lease ran out or was
   * released; `completed` with the recorded outcome when it was handled before; `inProgress` while another
   * worker holds the lease; `bodyMismatch` when the stored body hash differs; `absent` otherwise.
   */
  claim(identity: MessageIdentity, options: ClaimOptions): Promise<MessageClaim>;
  /** Record the final outcome (kept for the ledger's TTL). */
  complete(identity: MessageIdentity, outcome: string): Promise<void>;
  /**
   * Give up a claim after a failure so a redelivery can take it over at once; the row stays, so a redelivery
   * after the replay window still completes the message.
   */
  release(identity: MessageIdentity): Promise<void>;
}

/** One outbox row: the event (absent when the row cannot be read as one) and its delivery bookkeeping. */
export interface OutboxEntry {
  readonly eventId: string;
  /** When the event was recorded (ms since the epoch). */
  readonly recordedAt: number;
  /** Failed delivery attempts so far (per-entry rejections; call-level failures do not count). */
  readonly attempts: number;
  /** The code of the last failed attempt. */
  readonly lastCode?: string | undefined;
  /** The event, held to the audit bounds; absent for a corrupt row. */
  readonly event?: AuditEvent;
  /** Why the row is not an event (corrupt rows only). */
  readonly corrupt?: string;
}

/** Why an event was set aside. */
export interface SetAsideReason {
  readonly code: string;
  readonly message: string;
}

/** An event set aside: the bus refused it for good (or too often), or its row could not be read. */
export interface SetAsideRecord {
  readonly eventId: string;
  readonly code: string;
  readonly message: string;
  readonly attempts: number;
  /** ISO times. */
  readonly recordedAt: string;
  readonly setAsideAt: string;
  readonly type?: string;
  readonly subject?: string;
  /** The stored row's `event` text, exactly as it was in the outbox. */
  readonly raw: string;
}

/** The audit outbox: events recorded before their change, removed once the bus has them. */
export interface AuditOutbox extends AuditLog {
  /** Up to `limit` undelivered events (a test and operator convenience; delivery walks {@link entries}). */
  pending(limit: number): Promise<AuditEvent[]>;
  /** Every row, page by page, each row once (primary-key order, not time order). */
  entries(pageSize: number): AsyncIterable<readonly OutboxEntry[]>;
  /** Forget delivered events. */
  remove(eventIds: readonly string[]): Promise<void>;
  /** Count failed attempts (per-entry rejections) on rows that are still there. */
  recordFailedAttempts(
    failures: readonly { eventId: string; code: string; attempts: number }[],
    at: Date,
  ): Promise<void>;
  /** Move a row to the dead-letter records (written there first, then removed from the outbox). */
  setAside(entry: OutboxEntry, reason: SetAsideReason, at: Date): Promise<void>;
}

/** The events set aside, for operators. */
export interface SetAsideEvents {
  /** Every set-aside record. */
  setAsideRecords(): AsyncIterable<SetAsideRecord>;
  /**
   * Put a set-aside event back into the outbox, recorded at `at` with its attempts started again, and drop its
   * record; false when there is no such record.
   */
  replay(eventId: string, at: Date): Promise<boolean>;
}

/** An audit event the bus accepted, as the history keeps it. */
export interface HistoryEntry {
  readonly event: AuditEvent;
  /** When the bus accepted it (ISO). */
  readonly deliveredAt: string;
}

/** Delivered audit events, kept long after the outbox forgot them (for auditors and the evidence report). */
export interface AuditHistory {
  /** Keep delivered events; keeping the same event again changes nothing. */
  keep(events: readonly AuditEvent[], deliveredAt: Date): Promise<void>;
  /** Every event about one subject (a role's ARN), oldest first. */
  trail(subject: string): AsyncIterable<HistoryEntry>;
  /** Every kept event, page by page (by subject, then time), optionally only those at or after `since`. */
  entries(filter?: { since?: Date }): AsyncIterable<HistoryEntry>;
}

/** The state of every finding, folded from the delivered finding and resolution events. */
export interface FindingLedger {
  /** Fold delivered events into the findings they are about (others are ignored); idempotent per event. */
  apply(events: readonly AuditEvent[]): Promise<void>;
  /** One finding's state. */
  get(findingId: string): Promise<FindingRecord | undefined>;
  /** Every finding, or only those in `state`. */
  list(filter?: { state?: FindingState }): AsyncIterable<FindingRecord>;
}

/** The last successful run of a component (the timer run). */
export interface Heartbeat {
  readonly component: string;
  readonly succeededAt: Date;
  readonly correlationId: string;
}

/** When each component last ran successfully, so the next run (and the CLI) can tell when runs stopped. */
export interface Heartbeats {
  last(component: string): Promise<Heartbeat | undefined>;
  /** Record a successful run. */
  beat(component: string, at: Date, correlationId: string): Promise<void>;
}

/** The DTS jobs of task accounts (DescribeDtsJobs per configured region, then DescribeDtsJobDetail). */
export interface DtsJobDirectory {
  /**
   * The jobs `taskAccountId` created, in the configured regions, read through its management role; throws when the
   * account cannot be entered or listed.
   */
  jobsOf(taskAccountId: string): Promise<readonly DtsJobRef[]>;
}

/** One DTS inventory as recorded: when, and the declared grants it found unused. */
export interface InventoryRun {
  readonly takenAt: Date;
  readonly correlationId: string;
  /**
   * Ids of the active grants no live DTS job of their trusted account used, among the accounts it could list (a
   * grant whose account could not be listed is not judged).
   */
  readonly unusedGrantIds: readonly string[];
}

/** Where the DTS inventories are recorded. */
export interface InventoryRuns {
  /** Record one inventory. */
  record(run: InventoryRun): Promise<void>;
  /** The latest `count` inventories, newest first. */
  latest(count: number): Promise<InventoryRun[]>;
}
