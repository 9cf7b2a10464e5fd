import type { TrustSettings } from '../../shared/config/trust-settings.js';
import { DEMO_TICKET_KEY, DEMO_TICKET_SYSTEM } from './sample-events.js';

/** The local cloud's address, as `startLocalCloud` returns it. */
export interface LocalCloudAddress {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
}

/** The automation account of local/accounts.example.json and the user whose keys the local functions use. */
export const LOCAL_AUTOMATION = {
  accountId: '5820374619283746',
  runner: { accessKeyId: 'LTAI5tLocalDtsTrustRunner', accessKeySecret: 'local-dts-trust-runner-secret-0001' },
} as const;

/**
 * The Tencent side of local/accounts.example.json as local runs configure it: the hub sub-user's keys, and the
 * Tencent accounts holding a management role (the source owner, and the task account whose sub-user runs tasks).
 */
export const LOCAL_TENCENT = {
  hubKeys: { secretId: 'AKIDLocalTencentHubUser0001', secretKey: 'local-tencent-hub-user-secret-0001' },
  managementRole: 'dts-trust-manager',
  managementExternalId: 'dts-trust-local',
  managedAccounts: ['100000000001', '100000000002'],
} as const;

/** The bus the local cloud must have for the audit events. */
export const LOCAL_EVENT_BUS = 'dts-trust';

/**
 * The trust settings of local runs: the demo key bound to the demo ticketing system, no allow-lists. `overrides`
 * replace top-level fields (a test's allow-list, partitions or other systems).
 */
export function localTrustSettings(overrides: Partial<TrustSettings> = {}): TrustSettings {
  return {
    ticketSystems: {
      [DEMO_TICKET_SYSTEM]: {
        keys: { [DEMO_TICKET_KEY.keyId]: DEMO_TICKET_KEY.secret },
        administrator: false,
        adoptRoleNames: [],
      },
    },
    accountPartitions: {},
    defaultAccountPartition: 'public',
    managementExternalIds: {},
    tencentManagementExternalIds: Object.fromEntries(
      LOCAL_TENCENT.managedAccounts.map((uin) => [uin, LOCAL_TENCENT.managementExternalId]),
    ),
    ...overrides,
  };
}

/**
 * The environment variables that point dts-trust at the local cloud: every endpoint on loopback over http (Tencent's
 * too, with the hub keys inline), the example automation account, and the local trust settings inline
 * (`DTS_TRUST_SETTINGS`). An `extra` value of `''` removes the variable (a deployment without Tencent).
 */
export function localCloudEnvironment(
  cloud: LocalCloudAddress,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    DTS_TRUST_REGION: 'cn-hangzhou',
    DTS_TRUST_PROTOCOL: 'http',
    DTS_TRUST_AUTOMATION_ACCOUNT_ID: LOCAL_AUTOMATION.accountId,
    DTS_TRUST_RAM_ENDPOINT: cloud.endpoint,
    DTS_TRUST_STS_ENDPOINT: cloud.endpoint,
    DTS_TRUST_DTS_ENDPOINT: cloud.endpoint,
    DTS_TRUST_EVENTBRIDGE_ENDPOINT: cloud.endpoint,
    DTS_TRUST_FC_ENDPOINT: cloud.endpoint,
    DTS_TRUST_KMS_ENDPOINT: cloud.endpoint,
    DTS_TRUST_TABLESTORE_ENDPOINT: cloud.url,
    DTS_TRUST_TABLESTORE_INSTANCE: 'dts-trust',
    DTS_TRUST_EVENT_BUS: LOCAL_EVENT_BUS,
    DTS_TRUST_SETTINGS: JSON.stringify(localTrustSettings()),
    DTS_TRUST_RETRY_BASE_MS: '20',
    DTS_TRUST_RETRY_MAX_MS: '200',
    DTS_TRUST_TENCENT_HUB_KEYS: JSON.stringify(LOCAL_TENCENT.hubKeys),
    DTS_TRUST_TENCENT_ENDPOINT: cloud.endpoint,
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

/** The variables that leave Tencent Cloud out of a local deployment (for {@link localCloudEnvironment}'s `extra`). */
export const WITHOUT_TENCENT: Readonly<Record<string, string>> = {
  DTS_TRUST_TENCENT_HUB_KEYS: '',
  DTS_TRUST_TENCENT_ENDPOINT: '',
};
