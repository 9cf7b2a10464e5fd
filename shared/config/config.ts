import { z } from 'zod';
import { alibabaAccountIdSchema } from '../domain/account-id.js';
import { ConfigError } from '../domain/errors.js';
import { protectedRoleNames } from '../domain/protected-roles.js';
import { RAM_ROLE_NAME, RAM_ROLE_NAME_RULE } from '../domain/role-name.js';
import { ROUTE_ROLE_TRUST_BUDGET } from '../domain/route-roles.js';
import { TENCENT_DTS_POLICY, TencentServicePolicy } from '../domain/tencent/endpoints.js';
import { DEFAULT_MAX_GRANT_DAYS } from '../intake/guardrails.js';
import { type TencentConfig, TencentEnvSchema, tencentConfigFrom } from './tencent-config.js';
import { parseTrustSettings, type TrustSettings } from './trust-settings.js';

/** Where an endpoint override is given for the local cloud: `127.0.0.1:<port>` (no scheme). */
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be host or host:port without a scheme, e.g. 127.0.0.1:8080');

const accountId = alibabaAccountIdSchema();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A RAM role name as RAM accepts it. */
const roleName = z.string().regex(RAM_ROLE_NAME, `must be a RAM role name: ${RAM_ROLE_NAME_RULE}`);

/**
 * The roles dts-trust never adopts, changes or deletes (kept apart from the other settings). The function role is
 * the one s.yaml runs the functions as; `DTS_TRUST_PROTECTED_ROLES` adds names, comma-separated.
 */
export const ProtectedRolesEnvSchema = z.object({
  DTS_TRUST_FUNCTION_ROLE: roleName.default('dts-trust-function'),
  DTS_TRUST_PROTECTED_ROLES: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(roleName)),
});

/** Every environment variable dts-trust reads, with its default. */
export const ConfigEnvSchema = z.object({
  DTS_TRUST_REGION: z.string().min(1).default('cn-hangzhou'),
  /** The account the functions run in (FC sets FC_ACCOUNT_ID). */
  DTS_TRUST_AUTOMATION_ACCOUNT_ID: accountId.optional(),
  FC_ACCOUNT_ID: accountId.optional(),
  DTS_TRUST_PROTOCOL: z.enum(['https', 'http']).default('https'),
  DTS_TRUST_RAM_ENDPOINT: hostPort.default('ram.aliyuncs.com'),
  DTS_TRUST_STS_ENDPOINT: hostPort.optional(),
  DTS_TRUST_DTS_ENDPOINT: hostPort.default('dts.aliyuncs.com'),
  DTS_TRUST_EVENTBRIDGE_ENDPOINT: hostPort.optional(),
  DTS_TRUST_FC_ENDPOINT: hostPort.optional(),
  /**
   * The network the functions reach Tablestore and KMS through: `public` (the instance must allow internet
   * access) or `vpc` (the functions run in a VPC bound to the instance). Chooses the default endpoints below.
   */
  DTS_TRUST_NETWORK: z.enum(['public', 'vpc']).default('public'),
  /** Full URL; overrides the endpoint {@link DTS_TRUST_NETWORK} chooses (the local cloud's, for instance). */
  DTS_TRUST_TABLESTORE_ENDPOINT: z
    .string()
    .url('must be a URL such as https://dts-trust.cn-hangzhou.ots.aliyuncs.com')
    .optional(),
  DTS_TRUST_TABLESTORE_INSTANCE: z.string().min(1).default('dts-trust'),
  DTS_TRUST_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only')
    .default('dts_trust_'),
  DTS_TRUST_EVENT_BUS: z.string().min(1).default('dts-trust'),
  DTS_TRUST_MANAGEMENT_ROLE: z.string().min(1).max(64).default('dts-trust-manager'),
  DTS_TRUST_ACCOUNT_CONCURRENCY: positiveInt(8),
  DTS_TRUST_ROLE_CONCURRENCY: positiveInt(4),
  /** RAM requests per second per owner account (RAM throttles per account). */
  DTS_TRUST_RAM_RATE_LIMIT: positiveInt(20),
  DTS_TRUST_RETRY_MAX_ATTEMPTS: positiveInt(6),
  DTS_TRUST_RETRY_BASE_MS: positiveInt(200),
  DTS_TRUST_RETRY_MAX_MS: positiveInt(10_000),
  /** The trust settings document itself (JSON; local runs and tests). See trust-settings.ts. */
  DTS_TRUST_SETTINGS: z.string().optional(),
  /** The name of the KMS Secrets Manager secret whose value is the trust settings document (the cloud). */
  DTS_TRUST_SETTINGS_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_/+=.@-]{1,192}$/, 'must be a KMS secret name (letters, digits and _/+=.@-, at most 192)')
    .optional(),
  /** How long a container keeps the secret's value before reading it again. */
  DTS_TRUST_SETTINGS_TTL_SECONDS: positiveInt(300),
  /** KMS endpoint for the secret: `kms.<region>.aliyuncs.com`, `kms-vpc.<region>.aliyuncs.com` in a VPC. */
  DTS_TRUST_KMS_ENDPOINT: hostPort.optional(),
  DTS_TRUST_REPLAY_WINDOW_SECONDS: positiveInt(900),
  DTS_TRUST_ALLOWED_POLICIES: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? 'AliyunDTSRolePolicy')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** The policies a Tencent Cloud grant may attach, comma-separated; default Tencent's defaults. */
  DTS_TRUST_TENCENT_ALLOWED_POLICIES: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v.trim() === ''
        ? [...TENCENT_DEFAULT_POLICIES]
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    ),
  DTS_TRUST_ROLE_NAME_PATTERN: z
    .string()
    .default(RAM_ROLE_NAME.source)
    .refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression'),
  DTS_TRUST_MAX_GRANTS_PER_TICKET: positiveInt(10),
  /** Longest lifetime of a grant, in days from its ticket message; a grant without expiresAt gets exactly this. */
  DTS_TRUST_MAX_GRANT_DAYS: positiveInt(DEFAULT_MAX_GRANT_DAYS),
  /** Above this many managed roles, the drift reconciler fans out shards by owner account. */
  DTS_TRUST_SHARD_THRESHOLD: positiveInt(500),
  DTS_TRUST_SHARD_FUNCTION: z.string().min(1).default('dts-trust-reconcile-shard'),
  /** A role whose same drift is repaired more than this many times within the window is paused. */
  DTS_TRUST_FLAP_LIMIT: positiveInt(3),
  DTS_TRUST_FLAP_WINDOW_MINUTES: positiveInt(1440),
  /** The longest trust policy setup gives a route role, in characters (docs/deploy.md, "Route roles for large fleets"). */
  DTS_TRUST_ROUTE_ROLE_TRUST_CHARS: z.coerce
    .number()
    .int()
    .min(200, 'must be at least 200 (one owner takes 144 characters)')
    .max(6144, 'must be at most 6144 (the longest policy RAM documents)')
    .default(ROUTE_ROLE_TRUST_BUDGET),
  /** How often the timer runs (s.yaml's cron: every 15 minutes); the liveness check counts in these intervals. */
  DTS_TRUST_TIMER_INTERVAL_MINUTES: positiveInt(15),
  /** Timer intervals that may pass without a successful run before `reconciler-not-running` is raised. */
  DTS_TRUST_LIVENESS_INTERVALS: positiveInt(3),
  /** Inventories in a row a declared role must be unused in before `role-unused-by-dts` is raised. */
  DTS_TRUST_UNUSED_INVENTORIES: positiveInt(3),
  /** Regions whose DTS jobs the inventory lists (comma-separated); default DTS_TRUST_REGION. */
  DTS_TRUST_DTS_REGIONS: z
    .string()
    .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'must be region ids separated by commas, e.g. cn-hangzhou,cn-shanghai')
    .optional(),
});

/** The validated settings of a dts-trust function or tool. */
export interface Config {
  readonly region: string;
  readonly automationAccountId: string | undefined;
  readonly protocol: 'https' | 'http';
  /** The network Tablestore and KMS are reached through (`DTS_TRUST_NETWORK`). */
  readonly network: 'public' | 'vpc';
  readonly endpoints: {
    readonly ram: string;
    readonly sts: string;
    readonly dts: string;
    readonly eventbridge: string | undefined;
    readonly fc: string | undefined;
    readonly tablestore: string;
    readonly kms: string;
  };
  readonly tablestoreInstance: string;
  readonly tables: {
    readonly grants: string;
    readonly status: string;
    readonly messages: string;
    readonly outbox: string;
    readonly deadLetters: string;
    readonly history: string;
    readonly findings: string;
    readonly heartbeats: string;
    readonly inventories: string;
  };
  readonly eventBus: string;
  readonly managementRole: string;
  readonly concurrency: { readonly accounts: number; readonly rolesPerAccount: number };
  readonly ramRateLimitPerSecond: number;
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  /** Where the trust settings document comes from; `undefined` when neither variable is set. */
  readonly trustSettings: TrustSettingsOrigin | undefined;
  readonly replayWindowSeconds: number;
  readonly guardrails: {
    /** Policies an Alibaba Cloud grant may attach (`DTS_TRUST_ALLOWED_POLICIES`). */
    readonly allowedPolicies: readonly string[];
    /** Policies a Tencent Cloud grant may attach (`DTS_TRUST_TENCENT_ALLOWED_POLICIES`, default Tencent's defaults). */
    readonly allowedTencentPolicies: readonly string[];
    readonly roleNamePattern: RegExp;
    readonly maxGrantsPerTicket: number;
    readonly maxGrantDays: number;
    /** Roles no ticket may declare: the same list as {@link Config.protectedRoles}. */
    readonly protectedRoles: readonly string[];
  };
  readonly sharding: { readonly threshold: number; readonly functionName: string };
  readonly flap: { readonly limit: number; readonly windowMinutes: number };
  /** The longest trust policy setup gives a route role (`DTS_TRUST_ROUTE_ROLE_TRUST_CHARS`, characters). */
  readonly routeRoleTrustChars: number;
  /** The timer's interval and how many may pass without a successful run (docs/deploy.md, "When the timer stops"). */
  readonly liveness: { readonly intervalMs: number; readonly allowedIntervals: number };
  /** Regions whose DTS jobs the inventory lists (`DTS_TRUST_DTS_REGIONS`, default the region). */
  readonly dtsRegions: readonly string[];
  /** The last inventories a declared role must be unused in for `role-unused-by-dts` (`DTS_TRUST_UNUSED_INVENTORIES`). */
  readonly unusedInventories: number;
  /** The role the functions run as (protected). */
  readonly functionRole: string;
  /**
   * Tencent Cloud: the hub sub-user's keys, the management role and the endpoints; `undefined` when Tencent is not
   * configured (the intake then refuses Tencent tickets, and no Tencent account is entered).
   */
  readonly tencent: TencentConfig | undefined;
  /** Every protected role name, lower-cased: management role, function role, `DTS_TRUST_PROTECTED_ROLES`. */
  readonly protectedRoles: readonly string[];
}

/** The policies Tencent roles get by default (QcloudDTSReadOnlyAccess and each engine's service policy). */
export const TENCENT_DEFAULT_POLICIES: readonly string[] = [
  TENCENT_DTS_POLICY,
  ...new Set(Object.values(TencentServicePolicy).filter((p): p is string => p !== undefined)),
];

/** The secret name s.yaml and docs/deploy.md use for the trust settings document. */
export const DEFAULT_TRUST_SETTINGS_SECRET = 'dts-trust/settings';

/** Where the trust settings document comes from: inline in the environment, or a KMS secret. */
export type TrustSettingsOrigin =
  | { readonly kind: 'inline'; readonly settings: TrustSettings }
  | { readonly kind: 'secret'; readonly secretName: string; readonly ttlSeconds: number };

/** Variables of earlier releases whose content now lives in the trust settings document, with where it goes. */
export const MOVED_TO_TRUST_SETTINGS = {
  DTS_TRUST_TICKET_KEYS: 'ticketSystems.<system>.keys',
  DTS_TRUST_ALLOWED_OWNER_ACCOUNTS: 'allowedOwnerAccounts',
  DTS_TRUST_ALLOWED_TRUSTED_ACCOUNTS: 'allowedTrustedAccounts',
  DTS_TRUST_MANAGEMENT_EXTERNAL_IDS: 'managementExternalIds',
} as const;

function fail(lines: readonly string[], cause?: unknown): never {
  throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`, cause ? { cause } : undefined);
}

/**
 * Read and validate every setting from the environment. Throws one {@link ConfigError} naming each bad
 * variable and what it must look like. The trust settings document is validated here when it is inline
 * (`DTS_TRUST_SETTINGS`); a KMS secret is read by the services.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const moved = Object.entries(MOVED_TO_TRUST_SETTINGS)
    .filter(([name]) => env[name] !== undefined)
    .map(
      ([name, field]) =>
        `${name}: is no longer read - move its content to "${field}" of the trust settings document (DTS_TRUST_SETTINGS or the secret named by DTS_TRUST_SETTINGS_SECRET, docs/deploy.md), then unset ${name}`,
    );
  if (moved.length > 0) fail(moved);
  const parsed = ConfigEnvSchema.merge(ProtectedRolesEnvSchema).merge(TencentEnvSchema).safeParse(env);
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
      parsed.error,
    );
  }
  const e = parsed.data;
  if (e.DTS_TRUST_SETTINGS !== undefined && e.DTS_TRUST_SETTINGS_SECRET !== undefined) {
    fail([
      'DTS_TRUST_SETTINGS and DTS_TRUST_SETTINGS_SECRET are both set - keep exactly one: the secret in the cloud, the inline document for local runs',
    ]);
  }
  const trustSettings: TrustSettingsOrigin | undefined =
    e.DTS_TRUST_SETTINGS !== undefined
      ? { kind: 'inline', settings: parseTrustSettings(e.DTS_TRUST_SETTINGS, 'DTS_TRUST_SETTINGS') }
      : e.DTS_TRUST_SETTINGS_SECRET !== undefined
        ? { kind: 'secret', secretName: e.DTS_TRUST_SETTINGS_SECRET, ttlSeconds: e.DTS_TRUST_SETTINGS_TTL_SECONDS }
        : undefined;
  const region = e.DTS_TRUST_REGION;
  const automationAccountId = e.DTS_TRUST_AUTOMATION_ACCOUNT_ID ?? e.FC_ACCOUNT_ID;
  const prefix = e.DTS_TRUST_TABLE_PREFIX;
  const tencent = tencentConfigFrom(e, e.DTS_TRUST_SETTINGS_TTL_SECONDS);
  return {
    region,
    automationAccountId,
    protocol: e.DTS_TRUST_PROTOCOL,
    network: e.DTS_TRUST_NETWORK,
    endpoints: {
      ram: e.DTS_TRUST_RAM_ENDPOINT,
      sts: e.DTS_TRUST_STS_ENDPOINT ?? `sts.${region}.aliyuncs.com`,
      dts: e.DTS_TRUST_DTS_ENDPOINT,
      eventbridge:
        e.DTS_TRUST_EVENTBRIDGE_ENDPOINT ??
        (automationAccountId ? `${automationAccountId}.eventbridge.${region}.aliyuncs.com` : undefined),
      fc:
        e.DTS_TRUST_FC_ENDPOINT ??
        (automationAccountId ? `${automationAccountId}.${region}.fc.aliyuncs.com` : undefined),
      tablestore:
        e.DTS_TRUST_TABLESTORE_ENDPOINT ??
        (e.DTS_TRUST_NETWORK === 'vpc'
          ? `https://${e.DTS_TRUST_TABLESTORE_INSTANCE}.${region}.vpc.tablestore.aliyuncs.com`
          : `https://${e.DTS_TRUST_TABLESTORE_INSTANCE}.${region}.ots.aliyuncs.com`),
      kms:
        e.DTS_TRUST_KMS_ENDPOINT ??
        (e.DTS_TRUST_NETWORK === 'vpc' ? `kms-vpc.${region}.aliyuncs.com` : `kms.${region}.aliyuncs.com`),
    },
    tablestoreInstance: e.DTS_TRUST_TABLESTORE_INSTANCE,
    tables: {
      grants: `${prefix}grants`,
      status: `${prefix}role_status`,
      messages: `${prefix}processed_messages`,
      outbox: `${prefix}audit_outbox`,
      deadLetters: `${prefix}audit_dead_letters`,
      history: `${prefix}audit_history`,
      findings: `${prefix}findings`,
      heartbeats: `${prefix}heartbeats`,
      inventories: `${prefix}dts_inventories`,
    },
    eventBus: e.DTS_TRUST_EVENT_BUS,
    managementRole: e.DTS_TRUST_MANAGEMENT_ROLE,
    concurrency: { accounts: e.DTS_TRUST_ACCOUNT_CONCURRENCY, rolesPerAccount: e.DTS_TRUST_ROLE_CONCURRENCY },
    ramRateLimitPerSecond: e.DTS_TRUST_RAM_RATE_LIMIT,
    retry: {
      maxAttempts: e.DTS_TRUST_RETRY_MAX_ATTEMPTS,
      baseDelayMs: e.DTS_TRUST_RETRY_BASE_MS,
      maxDelayMs: e.DTS_TRUST_RETRY_MAX_MS,
    },
    trustSettings,
    replayWindowSeconds: e.DTS_TRUST_REPLAY_WINDOW_SECONDS,
    guardrails: {
      allowedPolicies: e.DTS_TRUST_ALLOWED_POLICIES,
      allowedTencentPolicies: e.DTS_TRUST_TENCENT_ALLOWED_POLICIES,
      roleNamePattern: new RegExp(e.DTS_TRUST_ROLE_NAME_PATTERN),
      maxGrantsPerTicket: e.DTS_TRUST_MAX_GRANTS_PER_TICKET,
      maxGrantDays: e.DTS_TRUST_MAX_GRANT_DAYS,
      protectedRoles: protectedRoleNames({
        managementRole: e.DTS_TRUST_MANAGEMENT_ROLE,
        functionRole: e.DTS_TRUST_FUNCTION_ROLE,
        extra: e.DTS_TRUST_PROTECTED_ROLES,
      }),
    },
    sharding: { threshold: e.DTS_TRUST_SHARD_THRESHOLD, functionName: e.DTS_TRUST_SHARD_FUNCTION },
    flap: { limit: e.DTS_TRUST_FLAP_LIMIT, windowMinutes: e.DTS_TRUST_FLAP_WINDOW_MINUTES },
    routeRoleTrustChars: e.DTS_TRUST_ROUTE_ROLE_TRUST_CHARS,
    dtsRegions: e.DTS_TRUST_DTS_REGIONS ? [...new Set(e.DTS_TRUST_DTS_REGIONS.split(','))] : [region],
    unusedInventories: e.DTS_TRUST_UNUSED_INVENTORIES,
    liveness: {
      intervalMs: e.DTS_TRUST_TIMER_INTERVAL_MINUTES * 60_000,
      allowedIntervals: e.DTS_TRUST_LIVENESS_INTERVALS,
    },
    functionRole: e.DTS_TRUST_FUNCTION_ROLE,
    tencent,
    protectedRoles: protectedRoleNames({
      managementRole: e.DTS_TRUST_MANAGEMENT_ROLE,
      functionRole: e.DTS_TRUST_FUNCTION_ROLE,
      extra: e.DTS_TRUST_PROTECTED_ROLES,
    }),
  };
}
