import { z } from 'zod';
import { ConfigError } from '../domain/errors.js';
import { type TencentEndpoints, tencentEndpoints } from '../tencentcloud/endpoint.js';
import type { TencentHubKeys } from '../tencentcloud/sts.js';

/**
 * The Tencent Cloud part of the configuration: where the hub sub-user's API keys are kept (a KMS secret in the
 * cloud, inline for local runs), the management role each Tencent account holds, and the endpoints. Tencent is
 * configured exactly when the hub keys are; the external ID of each Tencent account's management role is in the
 * trust settings document (`tencentManagementExternalIds`), next to the Alibaba ones.
 */

/** An optional variable; empty counts as unset (s.yaml passes `${env('X', '')}` for a deployment without Tencent). */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** The environment variables of the Tencent part, each optional: without hub keys, Tencent is not configured. */
export const TencentEnvSchema = z.object({
  /** The KMS Secrets Manager secret whose value is the hub sub-user's keys, `{"secretId": ..., "secretKey": ...}`. */
  DTS_TRUST_TENCENT_HUB_KEYS_SECRET: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9_/+=.@-]{1,192}$/, 'must be a KMS secret name (letters, digits and _/+=.@-, at most 192)'),
  ),
  /** The hub sub-user's keys themselves, the same JSON (local runs and tests only). */
  DTS_TRUST_TENCENT_HUB_KEYS: optional(z.string()),
  /** The role the hub assumes in every Tencent account dts-trust manages (owners, and task accounts with sub-users). */
  DTS_TRUST_TENCENT_MANAGEMENT_ROLE: optional(
    z.string().regex(/^[A-Za-z0-9_+=,.@-]{1,128}$/, 'must be a CAM role name: 1-128 letters, digits or _+=,.@-'),
  ),
  /** One `host[:port]` for CAM and STS (the local cloud); default the public endpoints over HTTPS. */
  DTS_TRUST_TENCENT_ENDPOINT: optional(z.string()),
  /** The region STS is called in (CAM is global); default `ap-guangzhou`. */
  DTS_TRUST_TENCENT_REGION: optional(
    z.string().regex(/^[a-z]+-[a-z]+(-\d+)?$/, 'must be a Tencent Cloud region id such as ap-guangzhou'),
  ),
});

/** The hub sub-user's keys as the secret (or `DTS_TRUST_TENCENT_HUB_KEYS`) holds them. */
export const TencentHubKeysSchema = z
  .object({
    secretId: z
      .string()
      .regex(/^AKID[A-Za-z0-9]{8,64}$/, 'must be a Tencent Cloud SecretId (AKID followed by letters and digits)'),
    secretKey: z.string().min(16, 'must be the SecretKey of that SecretId (at least 16 characters)'),
  })
  .strict();

/** Where the hub sub-user's keys come from. */
export type TencentHubKeysOrigin =
  | { readonly kind: 'inline'; readonly keys: TencentHubKeys }
  | { readonly kind: 'secret'; readonly secretName: string; readonly ttlSeconds: number };

/** The validated Tencent part of the configuration. */
export interface TencentConfig {
  readonly hubKeys: TencentHubKeysOrigin;
  readonly managementRole: string;
  readonly endpoints: TencentEndpoints;
}

/** The management role name s.yaml and docs/deploy.md use in Tencent accounts. */
export const DEFAULT_TENCENT_MANAGEMENT_ROLE = 'dts-trust-manager';

/**
 * Parse the hub keys JSON (`origin` names where it came from). Throws a {@link ConfigError} naming each bad field;
 * never echoes a key.
 */
export function parseTencentHubKeys(json: string, origin: string): TencentHubKeys {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(
      `Invalid Tencent hub keys in ${origin}: not JSON - write {"secretId": "AKID...", "secretKey": "..."} (docs/deploy.md, "Tencent Cloud owners")`,
      { cause: error },
    );
  }
  const parsed = TencentHubKeysSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid Tencent hub keys in ${origin}:\n  ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
        .join('\n  ')}`,
      { cause: new Error(parsed.error.issues.map((i) => i.path.join('.')).join(', ')) },
    );
  }
  return parsed.data;
}

/**
 * The Tencent part from the parsed variables: `undefined` when no hub keys are given and nothing else Tencent is
 * set; a {@link ConfigError} (lines `VARIABLE: what is wrong - fix`) when the variables contradict each other.
 */
export function tencentConfigFrom(e: z.infer<typeof TencentEnvSchema>, ttlSeconds: number): TencentConfig | undefined {
  const lines: string[] = [];
  if (e.DTS_TRUST_TENCENT_HUB_KEYS !== undefined && e.DTS_TRUST_TENCENT_HUB_KEYS_SECRET !== undefined) {
    lines.push(
      'DTS_TRUST_TENCENT_HUB_KEYS and DTS_TRUST_TENCENT_HUB_KEYS_SECRET are both set - keep exactly one: the secret in the cloud, the inline keys for local runs',
    );
  }
  const configured = e.DTS_TRUST_TENCENT_HUB_KEYS !== undefined || e.DTS_TRUST_TENCENT_HUB_KEYS_SECRET !== undefined;
  if (!configured) {
    const stray = (
      ['DTS_TRUST_TENCENT_MANAGEMENT_ROLE', 'DTS_TRUST_TENCENT_ENDPOINT', 'DTS_TRUST_TENCENT_REGION'] as const
    ).filter((name) => e[name] !== undefined);
    if (stray.length === 0) return undefined;
    lines.push(
      `${stray.join(', ')}: set, but Tencent Cloud is not configured - set DTS_TRUST_TENCENT_HUB_KEYS_SECRET to the KMS secret holding the hub sub-user's keys, or unset ${stray.join(', ')}`,
    );
  }
  let endpoints: TencentEndpoints | undefined;
  try {
    endpoints = tencentEndpoints(e.DTS_TRUST_TENCENT_ENDPOINT, e.DTS_TRUST_TENCENT_REGION);
  } catch (error) {
    lines.push(error instanceof Error ? error.message : String(error));
  }
  if (lines.length > 0 || endpoints === undefined) {
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const hubKeys: TencentHubKeysOrigin =
    e.DTS_TRUST_TENCENT_HUB_KEYS !== undefined
      ? { kind: 'inline', keys: parseTencentHubKeys(e.DTS_TRUST_TENCENT_HUB_KEYS, 'DTS_TRUST_TENCENT_HUB_KEYS') }
      : { kind: 'secret', secretName: e.DTS_TRUST_TENCENT_HUB_KEYS_SECRET ?? '', ttlSeconds };
  return {
    hubKeys,
    managementRole: e.DTS_TRUST_TENCENT_MANAGEMENT_ROLE ?? DEFAULT_TENCENT_MANAGEMENT_ROLE,
    endpoints,
  };
}
