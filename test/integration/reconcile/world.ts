/**
 * A reconcile world for integration tests: the local cloud with the example accounts (plus a locked owner account
 * whose management role may only read RAM), the product's real adapters wired from the environment, helpers to
 * declare and revoke grants, read a role back through the RAM SDK as its owner sees it, ask the DTS oracle, and
 * count calls in the local cloud's request log.
 */
import * as RamSdk from '@alicloud/ram20150501';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { configureDtsJob, type OracleVerdict } from '../../../local/harness/dts-oracle.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { deliverAuditEvents } from '../../../shared/audit/deliver-audit-events.js';
import { reconcilerFor } from '../../../shared/composition/reconciler.js';
import { createServices, type Services } from '../../../shared/composition/services.js';
import { loadConfig } from '../../../shared/config/config.js';
import { type Grant, type GrantInput, GrantSchema, type RoleKey } from '../../../shared/domain/grant.js';
import { parseTrustPolicy } from '../../../shared/policy/index.js';
import type { Clock } from '../../../shared/ports.js';
import type { Reconciler, RunResult } from '../../../shared/reconcile/index.js';
import {
  EXAMPLE,
  exampleAccountsDocument,
  startTestCloud,
  type TestCloud,
  testRuntime,
} from '../../support/local-cloud.js';

/** An owner account whose management role may only read RAM: every write there answers NoPermission. */
export const LOCKED_OWNER = {
  id: '1555000011112222',
  root: { accessKeyId: 'LTAI5tLocalLockedOwnerRoot', accessKeySecret: 'local-locked-owner-root-secret-1' },
} as const;

/** The account that creates DTS tasks: the trusted account of every grant here. */
export const TASK_ACCOUNT = EXAMPLE.taskCreator.id;

const MANAGEMENT_TRUST = {
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${LOCAL_AUTOMATION.accountId}:root`] } },
  ],
};

/**
 * A RAM user of the task account allowed to call sts:AssumeRole: what an engineer of the trusted account (or an
 * attacker holding their keys) uses to assume a DTS role and act with its policies.
 */
export const TASK_OPERATOR = {
  name: 'task-operator',
  keys: { accessKeyId: 'LTAI5tLocalTaskOperator', accessKeySecret: 'local-task-operator-secret-00001' },
} as const;

/** The example accounts (the task account with {@link TASK_OPERATOR}) plus {@link LOCKED_OWNER}. */
export const worldAccounts = {
  accounts: [
    ...exampleAccountsDocument.accounts.map((account) =>
      account.id !== EXAMPLE.taskCreator.id
        ? account
        : {
            ...account,
            users: [
              ...(account.users ?? []),
              {
                name: TASK_OPERATOR.name,
                accessKeys: [{ id: TASK_OPERATOR.keys.accessKeyId, secret: TASK_OPERATOR.keys.accessKeySecret }],
                policies: [{ name: 'AliyunSTSAssumeRoleAccess', type: 'System' }],
              },
            ],
          },
    ),
    {
      id: LOCKED_OWNER.id,
      name: 'locked-owner',
      accessKeys: [{ id: LOCKED_OWNER.root.accessKeyId, secret: LOCKED_OWNER.root.accessKeySecret }],
      roles: [
        {
          name: EXAMPLE.managementRole,
          description: 'Management role that was given read access only',
          trustPolicy: MANAGEMENT_TRUST,
          policies: [{ name: 'AliyunRAMReadOnlyAccess', type: 'System' }],
        },
      ],
    },
  ],
};

/** A role as its owner reads it back through the RAM SDK. */
export interface LiveRole {
  readonly description: string;
  /** RAM principals (`acs:ram::<uid>:root`), sorted. */
  readonly ramPrincipals: readonly string[];
  /** Service principals as RAM returns them, sorted. */
  readonly servicePrincipals: readonly string[];
  /** Attached policy names, sorted. */
  readonly policies: readonly string[];
  readonly trustPolicy: string;
}

/** The world of one test file. */
export interface ReconcileWorld {
  readonly cloud: TestCloud;
  readonly env: Record<string, string>;
  /** Services built afresh (no cached STS credentials), optionally with another clock or more environment. */
  services(options?: { clock?: Clock; env?: Record<string, string> }): Services;
  /** A reconciler over fresh services. */
  reconciler(options?: { clock?: Clock; env?: Record<string, string> }): { services: Services; reconciler: Reconciler };
  /** Store a grant (as the intake would after validation) and return it. */
  declare(input: Partial<GrantInput> & Pick<GrantInput, 'ownerAccountId' | 'roleName'>): Promise<Grant>;
  /** Remove a grant row (as a revoke does). */
  revoke(grant: Grant): Promise<void>;
  /** Run the whole reconcile with fresh services and deliver the audit events. */
  reconcileAll(correlationId: string, options?: { clock?: Clock; env?: Record<string, string> }): Promise<RunResult>;
  /** The role as its owner sees it, or undefined when RAM has no such role. */
  liveRole(role: RoleKey): Promise<LiveRole | undefined>;
  /** Would DTS accept a migration task from the task account with this role as its source endpoint? */
  oracle(role: RoleKey): Promise<OracleVerdict>;
  /** Audit events delivered to the bus, of one type and subject role. */
  deliveredEvents(type: string, role?: RoleKey): Record<string, unknown>[];
  /** Ids of every audit event delivered to the bus. */
  deliveredIds(): Set<string>;
  /** Request-log entries of a service since the log was last cleared. */
  calls(service: string, action?: string): { action: string; accountId?: string; code?: string }[];
  stop(): Promise<void>;
}

const ownerRootKeys = (accountId: string) => {
  if (accountId === EXAMPLE.sourceOwner.id) return EXAMPLE.sourceOwner.root;
  if (accountId === EXAMPLE.destinationOwner.id) return EXAMPLE.destinationOwner.root;
  if (accountId === LOCKED_OWNER.id) return LOCKED_OWNER.root;
  throw new Error(`no root keys for ${accountId} in the reconcile world`);
};

let taskCounter = 0;

/** More of the world: extra accounts (with their root keys, for {@link ReconcileWorld.liveRole}). */
export interface WorldOptions {
  readonly accounts?: ReadonlyArray<{
    readonly id: string;
    readonly accessKeys: ReadonlyArray<{ id: string; secret: string }>;
  }>;
}

/** Start a world: the local cloud, tables created, environment pointing at it. */
export async function startReconcileWorld(
  extraEnv: Record<string, string> = {},
  options: WorldOptions = {},
): Promise<ReconcileWorld> {
  const extra = options.accounts ?? [];
  const cloud = await startTestCloud({
    accounts: { accounts: [...worldAccounts.accounts, ...extra] },
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
  });
  const rootKeys = (accountId: string) => {
    const key = extra.find((a) => a.id === accountId)?.accessKeys[0];
    return key ? { accessKeyId: key.id, accessKeySecret: key.secret } : ownerRootKeys(accountId);
  };
  const env = { ...localCloudEnvironment(cloud.cloud), DTS_TRUST_RAM_RATE_LIMIT: '100', ...extraEnv };
  const build = (options: { clock?: Clock; env?: Record<string, string> } = {}): Services =>
    createServices(loadConfig({ ...env, ...options.env }), {
      tablestoreKeys: LOCAL_AUTOMATION.runner,
      ownKeys: async () => LOCAL_AUTOMATION.runner,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const base = build();
  await base.ensureTables();

  const world: ReconcileWorld = {
    cloud,
    env,
    services: build,
    reconciler(options) {
      const services = build(options);
      return { services, reconciler: reconcilerFor(services) };
    },
    async declare(input) {
      const grant = GrantSchema.parse({
        trustedAccountId: TASK_ACCOUNT,
        ticket: { system: 'jira', id: 'DBA-100', requester: 'ana', approver: 'ben' },
        ...input,
      });
      const existing = await base.grants.getGrant(grant);
      return base.grants.putGrant({ ...grant, revision: existing?.revision ?? 0 }, existing?.revision);
    },
    revoke: (grant) => base.grants.deleteGrant(grant),
    async reconcileAll(correlationId, options) {
      const { services, reconciler } = world.reconciler(options);
      const report = await reconciler.reconcileAll({ correlationId });
      await deliverAuditEvents(services.outbox, services.sink);
      return report;
    },
    async liveRole(role) {
      const ram = cloud.ram(rootKeys(role.ownerAccountId));
      let got: Awaited<ReturnType<typeof ram.getRoleWithOptions>>;
      try {
        got = await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: role.roleName }), testRuntime());
      } catch (error) {
        if ((error as { code?: string }).code === 'EntityNotExist.Role') return undefined;
        throw error;
      }
      const listed = await ram.listPoliciesForRoleWithOptions(
        new RamSdk.ListPoliciesForRoleRequest({ roleName: role.roleName }),
        testRuntime(),
      );
      const trustPolicy = got.body?.role?.assumeRolePolicyDocument ?? '';
      const principals = (kind: 'RAM' | 'Service') =>
        parseTrustPolicy(trustPolicy)
          .entries.filter((e) => e.effect === 'Allow' && e.principalKind === kind)
          .map((e) => e.principal)
          .sort();
      return {
        description: got.body?.role?.description ?? '',
        ramPrincipals: principals('RAM'),
        servicePrincipals: principals('Service'),
        policies: (listed.body?.policies?.policy ?? []).map((p) => p.policyName ?? '').sort(),
        trustPolicy,
      };
    },
    oracle(role) {
      taskCounter += 1;
      return configureDtsJob(cloud.endpoint, EXAMPLE.taskCreator.root, {
        name: `reconcile-it-${taskCounter}`,
        source: { ownerAccountId: role.ownerAccountId, roleName: role.roleName },
      });
    },
    deliveredEvents(type, role) {
      return readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS })
        .map((e) => e.event)
        .filter(
          (e) =>
            e.type === type &&
            (role === undefined || e.subject === `acs:ram::${role.ownerAccountId}:role/${role.roleName}`),
        );
    },
    deliveredIds() {
      return new Set(readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).map((e) => String(e.event.id)));
    },
    calls(service, action) {
      return cloud.cloud.log
        .filter((e) => e.service === service && (action === undefined || e.action === action))
        .map((e) => ({
          action: e.action,
          ...(e.accountId ? { accountId: e.accountId } : {}),
          ...(e.code ? { code: e.code } : {}),
        }));
    },
    stop: () => cloud.stop(),
  };
  return world;
}
