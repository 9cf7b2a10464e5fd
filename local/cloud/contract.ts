/**
 * The contract between the local cloud's core (server, accounts, credentials, permissions, faults, request log)
 * and the service modules that emulate one API each (RAM, STS, DTS, Tablestore, EventBridge, FC).
 * A service module is a plain object implementing {@link ServiceModule}; the core routes each request to the
 * first module whose `accepts` says yes, after the admin route.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** One HTTP request as the core hands it to a service module (body fully read). */
export interface CloudCall {
  readonly method: string;
  /** Full URL, `http://127.0.0.1:<port>/path?query`. */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What a service module answers. */
export interface CloudReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer | Uint8Array;
}

/** A policy attached to a role or user (System: by name from the built-in catalog; Custom: the account's own). */
export interface AttachedPolicyState {
  name: string;
  type: 'System' | 'Custom';
  attachDate: string;
}

/** A RAM role as the local cloud stores it. */
export interface RoleState {
  name: string;
  roleId: string;
  description: string;
  /** The trust policy text exactly as RAM would return it (quirks already applied on save). */
  trustPolicy: string;
  maxSessionDuration: number;
  createDate: string;
  updateDate: string;
  policies: AttachedPolicyState[];
  tags: Record<string, string>;
}

/** A RAM user (for tests of principals and of "a user name given as a role"). */
export interface UserState {
  name: string;
  userId: string;
  accessKeys: { id: string; secret: string }[];
  policies: AttachedPolicyState[];
}

/** One account of the local cloud. */
export interface AccountState {
  id: string;
  name: string;
  /** Root account access keys. */
  accessKeys: { id: string; secret: string }[];
  roles: Map<string, RoleState>;
  users: Map<string, UserState>;
  /** Custom policy documents by name. */
  customPolicies: Map<string, string>;
  /** Partition for the Finance/Gov pairing rule; `public` unless the accounts file says otherwise. */
  partition: 'public' | 'finance' | 'gov';
  /** False when the account never opened the DTS console (DTS answers AliyunUIDNotFound). */
  dtsActivated: boolean;
}

/** Who signed a request, resolved from its access key id. */
export interface Principal {
  accountId: string;
  kind: 'root' | 'user' | 'assumed-role';
  /** User name or role name; `root` for the root account. */
  name: string;
  /** `acs:ram::<uid>:root`, `acs:ram::<uid>:user/<name>`, `acs:ram::<uid>:assumed-role/<role>/<session>`. */
  arn: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for temporary credentials; must match the request's security token. */
  securityToken?: string;
  expiration?: Date;
  /** Session name, for assumed roles. */
  sessionName?: string;
}

/** Temporary credentials issued by STS AssumeRole. */
export interface TemporaryCredentialState {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiration: Date;
  accountId: string;
  roleName: string;
  sessionName: string;
}

/** One served request, for tests and benchmarks that count calls. */
export interface RequestLogEntry {
  /** ISO time the answer was ready (after any injected latency). */
  time: string;
  /** Milliseconds from the request's arrival (its body read) to its answer, injected latency included. */
  durationMs?: number;
  service: string;
  action: string;
  /** The account the call acted in (the signer's account), when known. */
  accountId?: string;
  accessKeyId?: string;
  /** The resource the call names, when it names one in its query (`RoleName`, or STS's `RoleArn`). */
  resource?: string;
  status: number;
  /** Error code when the call failed. */
  code?: string;
}

/** What a service module can use from the core. */
export interface CloudCore {
  readonly accounts: ReadonlyMap<string, AccountState>;
  /** Resolve an access key id to its principal (root keys, user keys, or live STS credentials); undefined if unknown. */
  resolveAccessKey(accessKeyId: string): Principal | undefined;
  /** Record temporary credentials so later calls signed with them resolve to the assumed role. */
  issueTemporaryCredentials(creds: TemporaryCredentialState): void;
  /** Does the principal's effective policy allow `action` (e.g. `ram:GetRole`) on `resource` (an ARN or `*`)? */
  isAllowed(principal: Principal, action: string, resource: string): boolean;
  /** Current time (the core may be given a clock). */
  now(): Date;
  /** Wait `ms` of the core's time: the clock's own `sleep` when it has one (a fake clock in tests), else a timer. */
  sleep(ms: number): Promise<void>;
  /** Service-specific state bags, created on first use (`tablestore`, `eventbridge`, `dts`, `fc`); persisted with --state when JSON-serialisable via the module's own `snapshot`/`restore`. */
  serviceState<T>(service: string, init: () => T): T;
  /** Options given for one service at start (`startLocalCloud({ services: { fc: {...} } })`); undefined if none. */
  serviceOptions<T>(service: string): T | undefined;
}

/** Per-call information a module gives the core so faults and the request log can apply. */
export interface CallIdentity {
  service: string;
  action: string;
  accountId?: string | undefined;
  accessKeyId?: string | undefined;
  /** The resource the call names (for the request log), when it names one. */
  resource?: string | undefined;
}

/** One emulated API. */
export interface ServiceModule {
  readonly name: string;
  /** True when this request is for this service. */
  accepts(call: CloudCall): boolean;
  /**
   * Cheaply identify the call (action, signer's account) before handling, so the core can log it and apply
   * faults (latency, throttling, 5xx). Must not verify signatures or change state.
   */
  identify(call: CloudCall, core: CloudCore): CallIdentity;
  /** Answer the call: verify the signature, authorize, act on state, shape the reply as the real service does. */
  handle(call: CloudCall, core: CloudCore): Promise<CloudReply>;
  /** Shape a fault injected by the core (throttling, 5xx, outage) the way this service reports errors. */
  faultReply(fault: { status: number; code: string; message: string }, call: CloudCall): CloudReply;
  /**
   * Optional admin routes of this service, reached at `/__admin/<module name>/<subpath>` (only the local cloud has
   * these: listing stored events, registering handlers, ...). Return undefined for an unknown subpath.
   */
  admin?(call: CloudCall, subpath: string, core: CloudCore): Promise<CloudReply | undefined>;
  /** Optional: release what the module runs outside the core (processes, timers) when the cloud stops. */
  stop?(core: CloudCore): Promise<void>;
  /** Optional persistence of the module's state for `--state <file>`. */
  snapshot?(core: CloudCore): unknown;
  restore?(core: CloudCore, data: unknown): void;
}
