import type TableStore from 'tablestore';
import { defaultChainKeys, type OwnKeys, type OwnKeysSource } from '../alicloud/credentials.js';
import { DtsInventoryClient } from '../alicloud/dts.js';
import { EventBridgeAuditSink } from '../alicloud/eventbridge.js';
import { RamRoleDirectory } from '../alicloud/ram.js';
import { RamUserDirectory } from '../alicloud/ram-users.js';
import { releaseHttpxReadTimers } from '../alicloud/read-timers.js';
import { StsCredentialBroker } from '../alicloud/sts.js';
import { TablestoreAuditHistory } from '../alicloud/tablestore/audit-history.js';
import { TablestoreAuditOutbox } from '../alicloud/tablestore/audit-outbox.js';
import { createTablestoreClient, updateTablestoreKeys } from '../alicloud/tablestore/client.js';
import { TablestoreFindingLedger } from '../alicloud/tablestore/finding-ledger.js';
import { TablestoreGrantStore } from '../alicloud/tablestore/grant-store.js';
import { TablestoreHeartbeats } from '../alicloud/tablestore/heartbeats.js';
import { TablestoreInventoryRuns } from '../alicloud/tablestore/inventory-runs.js';
import { TablestoreMessageLedger } from '../alicloud/tablestore/message-ledger.js';
import { TablestoreStatusStore } from '../alicloud/tablestore/status-store.js';
import { setupTables } from '../alicloud/tablestore/tables.js';
import { archivingSink } from '../audit/archiving-sink.js';
import type { Config } from '../config/config.js';
import {
  type TrustSettings,
  type TrustSettingsSource,
  trustSettingsSourceFor,
} from '../config/trust-settings-source.js';
import { ConfigError } from '../domain/errors.js';
import { createLogger } from '../logger.js';
import type { AuditSink, Clock, CredentialBroker, Logger, OwnedRoleListing, Random, RoleDirectory } from '../ports.js';
import { cloudRoutedBroker, cloudRoutedDirectory, cloudRoutedListing } from './cloud-routing.js';
import { type TencentServices, tencentServicesFor } from './tencent-services.js';

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The real random source. */
export const systemRandom: Random = { next: () => Math.random() };

/**
 * The adapters every function needs, wired from configuration. The FC invoker is not among them: only the drift
 * reconciler fans out, so only its bundle carries the invoker (`functionInvokerFor` in shared/alicloud/fc.ts).
 */
export interface Services {
  readonly config: Config;
  readonly clock: Clock;
  readonly random: Random;
  /**
   * Where the use cases that are not handed a logger of their own log (audit delivery alarms): JSON lines on stdout
   * in the functions, on stderr in the CLI, whose stdout carries only its output.
   */
  readonly logger: Logger;
  readonly ownKeys: OwnKeysSource;
  readonly tablestore: TableStore.Client;
  readonly grants: TablestoreGrantStore;
  readonly status: TablestoreStatusStore;
  readonly ledger: TablestoreMessageLedger;
  readonly outbox: TablestoreAuditOutbox;
  /** The bus, behind the archive: what it accepts is kept in {@link history} and folded into {@link findings}. */
  readonly sink: AuditSink;
  /** The bus itself (the EventBridge adapter), without the archive. */
  readonly bus: EventBridgeAuditSink;
  /** Delivered audit events, kept for auditors. */
  readonly history: TablestoreAuditHistory;
  /** The state of every finding (open or resolved). */
  readonly findings: TablestoreFindingLedger;
  /** When the timer run last succeeded (the liveness check). */
  readonly heartbeats: TablestoreHeartbeats;
  /** The DTS inventories taken, with the grants each found unused (the `role-unused-by-dts` finding). */
  readonly inventories: TablestoreInventoryRuns;
  /** DTS jobs of task accounts (DescribeDtsJobs, DescribeDtsJobDetail), for the inventory. */
  readonly dts: DtsInventoryClient;
  /** Alibaba Cloud: STS AssumeRole into each owner's management role. */
  readonly broker: StsCredentialBroker;
  /** Alibaba Cloud: RAM roles of an owner account. */
  readonly directory: RamRoleDirectory;
  /** Tencent Cloud's adapters; `undefined` when this deployment has no Tencent configuration. */
  readonly tencent: TencentServices | undefined;

  /** RAM users of an owner account (the intake's preflight: no user by the declared role name). */
  readonly users: RamUserDirectory;
  /** Where the trust settings come from (its `refreshForUnknownKey` re-reads a remote source once). */
  readonly settingsSource: TrustSettingsSource;
  /** The trust settings document (ticket systems and keys, allow-lists, partitions, external IDs), cached. */
  readonly settings: () => Promise<TrustSettings>;
  /** Create missing tables and wait until new ones are ready (idempotent); runs once per services object. */
  readonly ensureTables: () => Promise<void>;
  /**
   * Sign with the function's current keys (FC hands out new STS keys on every credential refresh). Only the
   * Tablestore client holds keys (the SDK takes them at construction); the other adapters ask `ownKeys` per call.
   */
  readonly useKeys: (keys: OwnKeys) => void;
}

/** Wire the adapters. `ownKeys` are the function's own keys (FC context credentials, or the default chain). */
export function createServices(
  config: Config,
  options: {
    ownKeys?: OwnKeysSource;
    clock?: Clock;
    random?: Random;
    tablestoreKeys?: { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined };
    /** Overrides the source {@link Config.trustSettings} names (tests). */
    settingsSource?: TrustSettingsSource;
    /** {@link Services.logger}; JSON lines on stdout when absent. */
    logger?: Logger;
  },
): Services {
  const clock = options.clock ?? systemClock;
  const ownKeys = options.ownKeys ?? defaultChainKeys();
  releaseHttpxReadTimers();
  if (!options.tablestoreKeys) {
    throw new ConfigError('Tablestore needs the function keys at start: pass tablestoreKeys (FC context credentials)');
  }
  let keys: OwnKeys = options.tablestoreKeys;
  const tablestore = createTablestoreClient(
    { endpoint: config.endpoints.tablestore, instance: config.tablestoreInstance },
    keys,
  );
  const random = options.random ?? systemRandom;
  let tablesReady: Promise<void> | undefined;
  const eventbridgeEndpoint = config.endpoints.eventbridge;
  if (!eventbridgeEndpoint) {
    throw new ConfigError(
      'DTS_TRUST_EVENTBRIDGE_ENDPOINT or DTS_TRUST_AUTOMATION_ACCOUNT_ID (FC_ACCOUNT_ID) must be set',
    );
  }
  const settingsSource = options.settingsSource ?? trustSettingsSourceFor(config, { ownKeys, clock });
  const settings = () => settingsSource.current();
  const history = new TablestoreAuditHistory(tablestore, config.tables.history);
  const findings = new TablestoreFindingLedger(tablestore, config.tables.findings);
  const bus = new EventBridgeAuditSink({
    endpoint: eventbridgeEndpoint,
    protocol: config.protocol,
    eventBus: config.eventBus,
    keys: ownKeys,
  });
  const broker = new StsCredentialBroker({
    endpoint: config.endpoints.sts,
    protocol: config.protocol,
    regionId: config.region,
    automationAccountId: config.automationAccountId,
    managementRole: config.managementRole,
    externalIdOf: async (accountId) => (await settings()).managementExternalIds[accountId],
    ownKeys,
    clock,
  });
  const directory = new RamRoleDirectory({
    endpoint: config.endpoints.ram,
    protocol: config.protocol,
    regionId: config.region,
    clock,
    random,
  });
  const tencent = tencentServicesFor(config, { ownKeys, clock, settings });
  return {
    config,
    clock,
    random,
    logger: options.logger ?? createLogger(),
    ownKeys,
    tablestore,
    grants: new TablestoreGrantStore(tablestore, config.tables.grants),
    status: new TablestoreStatusStore(tablestore, config.tables.status),
    ledger: new TablestoreMessageLedger(tablestore, config.tables.messages, clock),
    outbox: new TablestoreAuditOutbox(tablestore, config.tables.outbox, config.tables.deadLetters),
    sink: archivingSink(bus, { history, findings }, clock),
    bus,
    heartbeats: new TablestoreHeartbeats(tablestore, config.tables.heartbeats),
    inventories: new TablestoreInventoryRuns(tablestore, config.tables.inventories),
    dts: new DtsInventoryClient({ endpoint: config.endpoints.dts, protocol: config.protocol, regionId: config.region }),
    history,
    findings,
    broker,
    users: new RamUserDirectory({ endpoint: config.endpoints.ram, protocol: config.protocol, regionId: config.region }),
    directory,
    tencent,
    settingsSource,
    settings,
    ensureTables: () => {
      tablesReady ??= setupTables(tablestore, config.tables, { clock, random }).then(
        () => undefined,
        (error: unknown) => {
          tablesReady = undefined;
          throw error;
        },
      );
      return tablesReady;
    },
    useKeys(next) {
      if (
        next.accessKeyId === keys.accessKeyId &&
        next.accessKeySecret === keys.accessKeySecret &&
        next.securityToken === keys.securityToken
      ) {
        return;
      }
      keys = next;
      updateTablestoreKeys(tablestore, next);
    },
  };
}

/**
 * What the engine and the preflight enter accounts and read roles through: the broker and directory of each
 * account's cloud, chosen by its ID (16 digits Alibaba, other UINs Tencent; shared/composition/cloud-routing.ts).
 */
export function accountsOf(services: Pick<Services, 'broker' | 'directory' | 'tencent'>): {
  readonly broker: CredentialBroker;
  readonly directory: RoleDirectory;
  /** The owned roles of a Tencent account in one listing (200 a call); Alibaba accounts are not covered. */
  readonly listing: OwnedRoleListing;
} {
  return {
    broker: cloudRoutedBroker({ alibaba: services.broker, tencent: services.tencent?.broker }),
    directory: cloudRoutedDirectory({ alibaba: services.directory, tencent: services.tencent?.directory }),
    listing: cloudRoutedListing(services.tencent?.directory),
  };
}
