import { z } from 'zod';
import { alibabaAccountIdSchema, ownerAccountIdSchema, tencentRootAccountIdSchema } from '../domain/account-id.js';
import { ConfigError, type ValidationProblem } from '../domain/errors.js';
import { isRamRoleName, RAM_ROLE_NAME_RULE } from '../domain/role-name.js';
import { AccountPartition } from '../domain/validation.js';
import { problemsFromZodError } from '../domain/zod-problems.js';

/**
 * The trust settings document: the settings that grow with the fleet (allow-lists, partitions, external IDs)
 * and the ticket signing keys, kept out of environment variables (FC's environment is limited to 4 KB, and keys
 * must not sit in plain env in the cloud). One JSON document, from `DTS_TRUST_SETTINGS` (local runs, tests) or
 * a KMS Secrets Manager secret named by `DTS_TRUST_SETTINGS_SECRET` (the cloud).
 */

/** Shortest ticket signing secret accepted (HMAC-SHA256 wants at least 32 bytes of key). */
export const MIN_TICKET_SECRET_LENGTH = 32;

/** How many live keys a ticketing system may have: one, or two during a rotation. */
export const MAX_KEYS_PER_SYSTEM = 2;

const identifier = (what: string, fix: string) =>
  z.string().refine((s) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s), {
    message: `${what} must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    params: { fix },
  });

const secret = z.string().refine((s) => s.length >= MIN_TICKET_SECRET_LENGTH, {
  message: `the secret is shorter than ${MIN_TICKET_SECRET_LENGTH} characters`,
  params: { fix: `generate a random secret of at least ${MIN_TICKET_SECRET_LENGTH} characters (openssl rand -hex 32)` },
});

const roleName = z.string().refine(isRamRoleName, {
  message: `a role name is ${RAM_ROLE_NAME_RULE}`,
  params: { fix: 'give the RAM role name exactly as it is in the owner account' },
});

const partition = z.enum([AccountPartition.Public, AccountPartition.Finance, AccountPartition.Gov]);

/** One ticketing system: its live signing keys and what it may do beyond its own grants. */
export const TicketSystemSettingsSchema = z
  .object({
    /** 1 or 2 live keys (two during a rotation): keyId -> secret. */
    keys: z
      .record(identifier('a keyId', 'name the key like "jira-2026-01"'), secret)
      .refine((keys) => Object.keys(keys).length >= 1, {
        message: 'a ticketing system needs a signing key',
        params: { fix: 'add one {"<keyId>": "<secret>"}' },
      })
      .refine((keys) => Object.keys(keys).length <= MAX_KEYS_PER_SYSTEM, {
        message: `a ticketing system has at most ${MAX_KEYS_PER_SYSTEM} live keys (two during a rotation)`,
        params: { fix: 'remove the key the system no longer signs with' },
      }),
    /** May act on other systems' grants (revoke, re-declare, change mode) and adopt any role. */
    administrator: z.boolean().default(false),
    /** Role names this system may adopt (`adopt: true`) although it is not an administrator. */
    adoptRoleNames: z.array(roleName).default([]),
  })
  .strict();

/** The trust settings document, validated. */
export const TrustSettingsSchema = z
  .object({
    /** Ticketing systems by name: the value tickets carry in `ticket.system`. */
    ticketSystems: z.record(
      identifier('a ticketing system name', 'use the value the system puts in ticket.system, e.g. "jira"'),
      TicketSystemSettingsSchema,
    ),
    /** Owner accounts grants may name; omitted = any. */
    allowedOwnerAccounts: z.array(ownerAccountIdSchema('an allowed owner account')).optional(),
    /** Trusted accounts grants may name; omitted = any. */
    allowedTrustedAccounts: z.array(ownerAccountIdSchema('an allowed trusted account')).optional(),
    /** Partitions of accounts that are not on `defaultAccountPartition` (the Finance/Gov pairing rule). */
    accountPartitions: z.record(alibabaAccountIdSchema('an account of accountPartitions'), partition).default({}),
    /**
     * The partition of every account `accountPartitions` does not list (default `public`), so a Finance or Gov
     * account paired with an unlisted one is refused.
     */
    defaultAccountPartition: partition.default(AccountPartition.Public),
    /** External ID per owner account for AssumeRole into its management role. */
    managementExternalIds: z
      .record(
        alibabaAccountIdSchema('an account of managementExternalIds'),
        z.string().refine((s) => /^[A-Za-z0-9=,.@:/-]{2,1224}$/.test(s), {
          message: 'an external ID is 2-1224 characters of letters, digits and =,.@:/-',
          params: { fix: 'use the external ID written in the management role trust policy of that account' },
        }),
      )
      .default({}),
    /**
     * Tencent Cloud: the external ID of the management role in each Tencent account dts-trust enters (every owner,
     * and every task account whose sub-users get the AssumeRole policy). An account not listed is not entered.
     */
    tencentManagementExternalIds: z
      .record(
        tencentRootAccountIdSchema('an account of tencentManagementExternalIds'),
        z.string().refine((s) => /^[\w+=,.@:/-]{2,128}$/.test(s), {
          message: 'a Tencent external ID is 2-128 characters of letters, digits and _+=,.@:/-',
          params: { fix: 'use the sts:external_id written in the management role trust policy of that account' },
        }),
      )
      .default({}),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const owners = new Map<string, string>();
    for (const [system, { keys }] of Object.entries(settings.ticketSystems)) {
      for (const keyId of Object.keys(keys)) {
        const other = owners.get(keyId);
        if (other !== undefined) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['ticketSystems', system, 'keys', keyId],
            message: `keyId "${keyId}" is also a key of ticketing system "${other}"`,
            params: { fix: 'give every key an id of its own: a keyId names exactly one ticketing system' },
          });
        } else owners.set(keyId, system);
      }
    }
  });

/** The trust settings document (see {@link TrustSettingsSchema}). */
export type TrustSettings = z.infer<typeof TrustSettingsSchema>;

/** One ticketing system's settings. */
export type TicketSystemSettings = z.infer<typeof TicketSystemSettingsSchema>;

/** The settings problems as one readable list: `field: message - fix`. */
function describeProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message} - ${p.fix}`).join('\n  ');
}

/**
 * Parse and validate the settings document. `origin` names where it came from (`DTS_TRUST_SETTINGS`, `secret
 * dts-trust/settings`) for the error. Throws one {@link ConfigError} listing every problem with its field path
 * and fix; never echoes a secret.
 */
export function parseTrustSettings(json: string, origin: string): TrustSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(
      `Invalid trust settings in ${origin}: not JSON - write one JSON object {"ticketSystems": {...}, ...} (docs/deploy.md)`,
      { cause: error },
    );
  }
  const parsed = TrustSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = problemsFromZodError(parsed.error);
    throw new ConfigError(`Invalid trust settings in ${origin}:\n  ${describeProblems(problems)}`, {
      cause: new Error(problems.map((p) => p.field).join(', ')),
    });
  }
  return parsed.data;
}

/** The live signing keys of every ticketing system, keyId -> secret (keyIds are unique across systems). */
export function ticketKeysOf(settings: TrustSettings): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const system of Object.values(settings.ticketSystems)) Object.assign(keys, system.keys);
  return keys;
}

/** The ticketing system a keyId belongs to, if any. */
export function ticketSystemOfKey(settings: TrustSettings, keyId: string): string | undefined {
  for (const [system, { keys }] of Object.entries(settings.ticketSystems)) {
    if (Object.hasOwn(keys, keyId)) return system;
  }
  return undefined;
}

/** Where the functions get the trust settings from. */
export interface TrustSettingsSource {
  /** The current settings (cached per container; a remote source re-reads them after its TTL). */
  current(): Promise<TrustSettings>;
  /**
   * The settings after a message named `keyId`, which the cached settings lack: a remote source re-reads once
   * (rate-limited), so a key added in a new secret version is picked up at once; a fixed source answers as
   * {@link current}.
   */
  refreshForUnknownKey(keyId: string): Promise<TrustSettings>;
}

/** A source that always answers the same, already validated document (`DTS_TRUST_SETTINGS`). */
export function fixedTrustSettings(settings: TrustSettings): TrustSettingsSource {
  const answer = Promise.resolve(settings);
  return { current: () => answer, refreshForUnknownKey: () => answer };
}
