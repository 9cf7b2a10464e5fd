import { DTS_INVENTORY_ACTIONS } from '../alicloud/dts.js';
import { EVENTBRIDGE_SINK_ACTIONS } from '../alicloud/eventbridge.js';
import { EVENTBRIDGE_RULE_ACTIONS } from '../alicloud/eventbridge-rules.js';
import { FC_INVOKER_ACTIONS } from '../alicloud/fc.js';
import { KMS_SETTINGS_ACTIONS } from '../alicloud/kms.js';
import { RAM_DIRECTORY_ACTIONS, RAM_ROLE_READ_ACTIONS, ramPolicyResource } from '../alicloud/ram.js';
import { RAM_POLICY_SETUP_ACTIONS } from '../alicloud/ram-policies.js';
import { RAM_ROLE_LIST_ACTIONS } from '../alicloud/ram-role-names.js';
import { RAM_USER_READ_ACTIONS } from '../alicloud/ram-users.js';
import { STS_BROKER_ACTIONS } from '../alicloud/sts.js';
import { TABLESTORE_ACTIONS } from '../alicloud/tablestore/tables.js';
import { type Config, DEFAULT_TRUST_SETTINGS_SECRET } from '../config/config.js';
import { DTS_DEFAULT_ROLE_NAME } from '../domain/preflight.js';
import {
  RAM_CHANGE_ROUTE_POLICY_NAME,
  RAM_CHANGE_ROUTE_ROLE_NAME,
  RAM_CHANGE_RULE_NAME,
} from '../domain/ram-change-event.js';
import { type RouteRoleTrustPolicy, routeRoleTrustPolicy } from '../domain/route-roles.js';
import { defaultPolicyType } from '../reconcile/policy-attachments.js';

/** A RAM policy document (Version 1). */
export interface PolicyDocument {
  readonly Version: '1';
  readonly Statement: ReadonlyArray<{
    readonly Effect: 'Allow' | 'Deny';
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
    readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
  }>;
}

/** The KMS secret the functions read their trust settings from (the configured one, else the default name). */
export function trustSettingsSecretArn(config: Config): string {
  const name =
    config.trustSettings?.kind === 'secret' ? config.trustSettings.secretName : DEFAULT_TRUST_SETTINGS_SECRET;
  return `acs:kms:${config.region}:${config.automationAccountId ?? '*'}:secret/${name}`;
}

/**
 * The least-privilege policy of the functions' own role, built from the actions each adapter declares:
 * assume the management role anywhere, its Tablestore instance, its event bus, its shard function, and read
 * its trust settings secret.
 */
export function functionRolePolicy(config: Config): PolicyDocument {
  const account = config.automationAccountId ?? '*';
  return {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: [...STS_BROKER_ACTIONS],
        Resource: [`acs:ram::*:role/${config.managementRole.toLowerCase()}`],
      },
      {
        Effect: 'Allow',
        Action: [...TABLESTORE_ACTIONS],
        Resource: [
          `acs:ots:${config.region}:${account}:instance/${config.tablestoreInstance}`,
          `acs:ots:${config.region}:${account}:instance/${config.tablestoreInstance}/table/*`,
        ],
      },
      {
        Effect: 'Allow',
        Action: [...EVENTBRIDGE_SINK_ACTIONS],
        Resource: [`acs:eventbridge:${config.region}:${account}:eventbus/${config.eventBus}`],
      },
      {
        Effect: 'Allow',
        Action: [...FC_INVOKER_ACTIONS],
        Resource: [`acs:fc:${config.region}:${account}:functions/${config.sharding.functionName}`],
      },
      {
        Effect: 'Allow',
        Action: [...KMS_SETTINGS_ACTIONS],
        Resource: [trustSettingsSecretArn(config), ...tencentHubSecretArns(config)],
      },
    ],
  };
}

/** The KMS secret holding the Tencent hub sub-user's keys, when Tencent is configured with one (else none). */
export function tencentHubSecretArns(config: Config): string[] {
  const origin = config.tencent?.hubKeys;
  if (origin?.kind !== 'secret') return [];
  return [`acs:kms:${config.region}:${config.automationAccountId ?? '*'}:secret/${origin.secretName}`];
}

/** The policies a grant may attach unless configured (`DTS_TRUST_ALLOWED_POLICIES`). */
const DEFAULT_ATTACHABLE_POLICIES = ['AliyunDTSRolePolicy'] as const;

/** The resource of the DTS default role in any account (what the preflight reads; RAM matches names in any case). */
const DTS_DEFAULT_ROLE_RESOURCE = `acs:ram:*:*:role/${DTS_DEFAULT_ROLE_NAME.toLowerCase()}`;

/**
 * The least-privilege policy of the management role in each owner account: manage RAM roles, read RAM users by
 * name (the preflight's GetUser: no user carries the declared role name), read DTS jobs for the inventory, nothing
 * else. The preflight's other read, GetRole AliyunDTSDefaultRole, is covered by the role statement. RAM checks AttachPolicyToRole and DetachPolicyFromRole on the policy as well as on
 * the role, so attaching is allowed only for the policies grants may attach (`attachablePolicies`, System ones as
 * `acs:ram:*:system:policy/<name>`); detaching is allowed for any policy, because the product detaches whatever
 * nobody declared from the roles it owns.
 */
export function managementRolePolicy(
  attachablePolicies: readonly string[] = DEFAULT_ATTACHABLE_POLICIES,
): PolicyDocument {
  return {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: [...RAM_DIRECTORY_ACTIONS], Resource: ['acs:ram:*:*:role/*'] },
      { Effect: 'Allow', Action: [...RAM_USER_READ_ACTIONS], Resource: ['acs:ram:*:*:user/*'] },
      {
        Effect: 'Allow',
        Action: ['ram:AttachPolicyToRole'],
        Resource: attachablePolicies.map((name) =>
          ramPolicyResource({ policyName: name, policyType: defaultPolicyType(name) }),
        ),
      },
      {
        Effect: 'Allow',
        Action: ['ram:DetachPolicyFromRole'],
        Resource: ['acs:ram:*:system:policy/*', 'acs:ram:*:*:policy/*'],
      },
      { Effect: 'Allow', Action: [...DTS_INVENTORY_ACTIONS], Resource: ['*'] },
      // setup installs the RAM change route's rule on the default bus through this role (docs/deploy.md).
      {
        Effect: 'Allow',
        Action: [...EVENTBRIDGE_RULE_ACTIONS],
        Resource: [`acs:eventbridge:*:*:eventbus/default/rule/${RAM_CHANGE_RULE_NAME}`],
      },
    ],
  };
}

/**
 * The policy of the management role in a task-creating or trusted account that owns no database: read its DTS
 * jobs for the inventory, and read one role, AliyunDTSDefaultRole (the preflight: the account opened DTS); nothing
 * else in RAM.
 */
export function inventoryRolePolicy(): PolicyDocument {
  return {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: [...DTS_INVENTORY_ACTIONS], Resource: ['*'] },
      { Effect: 'Allow', Action: [...RAM_ROLE_READ_ACTIONS], Resource: [DTS_DEFAULT_ROLE_RESOURCE] },
    ],
  };
}

/** The trust policy of the management role: only the automation account may assume it, optionally with an external ID. */
export function managementRoleTrustPolicy(automationAccountId: string, externalId?: string): unknown {
  return {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${automationAccountId}:root`] },
        ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      },
    ],
  };
}

/** The automation account's default bus, where the owner accounts' RAM change events are routed. */
export function automationDefaultBusArn(region: string, automationAccountId: string): string {
  return `acs:eventbridge:${region}:${automationAccountId}:eventbus/default`;
}

/**
 * The trust policy of a route role in the automation account: EventBridge of each owner account (its service
 * principal `<owner>@eventbridge.aliyuncs.com`, which EventBridge's cross-account delivery presents), nothing else.
 * The owner accounts' root (which the console's first step adds) is left out: it would let any RAM identity of an
 * owner account put events onto the automation account's bus by hand. Owners are spread over several route roles
 * (shared/domain/route-roles.ts) so that each document stays within RAM's length limit.
 */
export function eventRouteTrustPolicy(ownerAccountIds: readonly string[]): RouteRoleTrustPolicy {
  return routeRoleTrustPolicy(ownerAccountIds);
}

/** The route role's own policy: put events onto the automation account's default bus, and nothing else. */
export function eventRoutePolicy(region: string, automationAccountId: string): PolicyDocument {
  return {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: [...EVENTBRIDGE_SINK_ACTIONS],
        Resource: [automationDefaultBusArn(region, automationAccountId)],
      },
    ],
  };
}

/**
 * RAM actions setup calls on the route roles in the automation account: read, create, add owners, attach (step 1),
 * remove owners, detach and delete a route role no longer needed (step 3).
 */
export const EVENT_ROUTE_ROLE_SETUP_ACTIONS = [
  'ram:GetRole',
  'ram:CreateRole',
  'ram:UpdateRole',
  'ram:ListPoliciesForRole',
  'ram:AttachPolicyToRole',
  'ram:DetachPolicyFromRole',
  'ram:DeleteRole',
] as const;

/**
 * What the caller of `setup` needs in the automation account for the RAM change route's receiving side, on top of
 * the tables and the bus (docs/deploy.md, step 5): list the roles (to find the route roles), the route roles
 * (`dts-trust-event-route` and `dts-trust-event-route-<n>`), their custom policy, and attaching and detaching that
 * policy (RAM checks both on the policy as well as on the role). Exactly those names, nothing wider.
 */
export function eventRouteSetupPolicy(automationAccountId: string): PolicyDocument {
  const policy = ramPolicyResource(
    { policyName: RAM_CHANGE_ROUTE_POLICY_NAME, policyType: 'Custom' },
    automationAccountId,
  );
  return {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: [...RAM_ROLE_LIST_ACTIONS], Resource: [`acs:ram:*:${automationAccountId}:role/*`] },
      {
        Effect: 'Allow',
        Action: [...EVENT_ROUTE_ROLE_SETUP_ACTIONS],
        Resource: [
          `acs:ram:*:${automationAccountId}:role/${RAM_CHANGE_ROUTE_ROLE_NAME}`,
          `acs:ram:*:${automationAccountId}:role/${RAM_CHANGE_ROUTE_ROLE_NAME}-*`,
        ],
      },
      { Effect: 'Allow', Action: [...RAM_POLICY_SETUP_ACTIONS], Resource: [policy] },
      { Effect: 'Allow', Action: ['ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'], Resource: [policy] },
    ],
  };
}
