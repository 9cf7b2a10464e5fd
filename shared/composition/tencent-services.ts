import type { OwnKeysSource } from '../alicloud/credentials.js';
import { KmsSecretReader } from '../alicloud/kms.js';
import type { Config } from '../config/config.js';
import { parseTencentHubKeys, type TencentConfig } from '../config/tencent-config.js';
import type { TrustSettings } from '../config/trust-settings.js';
import type { Clock } from '../ports.js';
import type { TrustedSidePort } from '../reconcile/trusted-side.js';
import { CamRoleDirectory } from '../tencentcloud/cam.js';
import { CamSubAccountPolicies } from '../tencentcloud/cam-policies.js';
import { TencentCredentialBroker, type TencentHubKeys, type TencentHubKeysSource } from '../tencentcloud/sts.js';

/** The Tencent adapters of one deployment, behind the same ports as the Alibaba ones. */
export interface TencentServices {
  /** STS AssumeRole of the hub sub-user into each Tencent account's management role (with its external ID). */
  readonly broker: TencentCredentialBroker;
  /** CAM roles of a Tencent owner account. */
  readonly directory: CamRoleDirectory;
  /** The sub-users' AssumeRole policies of the trusted accounts dts-trust manages. */
  readonly trustedSide: TrustedSidePort;
  /** True when the trust settings name a management role (external ID) for this Tencent account. */
  readonly manages: (accountId: string) => Promise<boolean>;
  /** The hub sub-user's keys (setup asks STS who they belong to: the principal each management role trusts). */
  readonly hubKeys: TencentHubKeysSource;
}

/**
 * Where the hub keys come from: the inline keys, or the KMS secret read with the function's own keys and kept for
 * `ttlSeconds` (a rotated key is picked up within that time). A failed read is never cached.
 */
export function tencentHubKeysSource(
  tencent: TencentConfig,
  config: Pick<Config, 'endpoints' | 'protocol' | 'region'>,
  deps: { readonly ownKeys: OwnKeysSource; readonly clock: Pick<Clock, 'now'> },
): TencentHubKeysSource {
  const origin = tencent.hubKeys;
  if (origin.kind === 'inline') {
    const keys = Promise.resolve(origin.keys);
    return () => keys;
  }
  const reader = new KmsSecretReader({
    endpoint: config.endpoints.kms,
    protocol: config.protocol,
    regionId: config.region,
    ownKeys: deps.ownKeys,
  });
  let cached: { keys: TencentHubKeys; readAt: number } | undefined;
  return async () => {
    const now = deps.clock.now().getTime();
    if (cached && now - cached.readAt < origin.ttlSeconds * 1000) return cached.keys;
    const value = await reader.getSecretValue(origin.secretName);
    const keys = parseTencentHubKeys(value.data, `secret ${origin.secretName} (version ${value.versionId})`);
    cached = { keys, readAt: now };
    return keys;
  };
}

/** The Tencent adapters from the configuration; `undefined` when Tencent is not configured. */
export function tencentServicesFor(
  config: Config,
  deps: {
    readonly ownKeys: OwnKeysSource;
    readonly clock: Clock;
    readonly settings: () => Promise<TrustSettings>;
  },
): TencentServices | undefined {
  const tencent = config.tencent;
  if (tencent === undefined) return undefined;
  const externalIdOf = async (accountId: string) => {
    const ids = (await deps.settings()).tencentManagementExternalIds;
    return Object.hasOwn(ids, accountId) ? ids[accountId] : undefined;
  };
  const manages = async (accountId: string) => (await externalIdOf(accountId)) !== undefined;
  const hubKeys = tencentHubKeysSource(tencent, config, deps);
  const policies = new CamSubAccountPolicies(tencent.endpoints, deps.clock);
  return {
    hubKeys,
    broker: new TencentCredentialBroker({
      endpoints: tencent.endpoints,
      clock: deps.clock,
      hubKeys,
      managementRole: tencent.managementRole,
      externalId: externalIdOf,
    }),
    directory: new CamRoleDirectory(tencent.endpoints, deps.clock),
    trustedSide: { directory: policies, listing: policies, manages },
    manages,
  };
}
