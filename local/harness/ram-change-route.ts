/**
 * The route of RAM change events in a local deployment, as docs/deploy.md sets it up in the cloud: in the
 * automation account the route roles (setup's documents and split: each owner has its own route role, some dozens
 * of owners to a role) that each owner account's EventBridge assumes, in each owner account a rule on the default bus that sends ActionTrail's RAM role writes to the automation account's
 * default bus through that role, and there the drift-event function's `ram-changes` trigger read from s.yaml. The
 * demo, the e2e tests and the bench use these.
 */
import { eventRoutePolicy, eventRouteTrustPolicy } from '../../shared/deploy/permissions.js';
import { RAM_CHANGE_ROUTE_POLICY_NAME } from '../../shared/domain/ram-change-event.js';
import { planRouteRoles, ROUTE_ROLE_DESCRIPTION } from '../../shared/domain/route-roles.js';
import type { CloudCore } from '../cloud/contract.js';
import { newRoleId, ramDate } from '../cloud/roles.js';
import { addEventRoute } from '../cloud/services/eventbridge/routes.js';
import { type BusTriggerOptions, EventBusTrigger } from '../cloud/triggers/event-bus-trigger.js';
import { FunctionName } from './deployment.js';
import { HarnessError } from './errors.js';
import { LOCAL_AUTOMATION } from './local-environment.js';
import { type SYamlTrigger, sYamlTrigger } from './s-yaml-triggers.js';

/** The name of the rule installed in each owner account. */
export const RAM_CHANGE_RULE = 'dts-trust-ram-changes';

/** The drift-event function's `ram-changes` trigger as s.yaml declares it. */
export function ramChangeTriggerFromSYaml(path?: URL): SYamlTrigger {
  return sYamlTrigger('drift-event', 'ram-changes', path ? { path } : {});
}

/**
 * Route the RAM change events of `ownerAccountIds` to the automation account (the rule of each owner account, with
 * the trigger's pattern) and start the drift-event trigger; returns the trigger. Call after the functions are
 * deployed. `options.clock` makes the batch window and retries run on a fake clock.
 */
export function deployRamChangeRoute(
  cloud: { readonly core: CloudCore; readonly endpoint: string },
  ownerAccountIds: readonly string[],
  options: BusTriggerOptions = {},
): EventBusTrigger {
  const declared = ramChangeTriggerFromSYaml();
  const trigger = new EventBusTrigger(
    cloud,
    {
      functionName: FunctionName.DriftEvent,
      triggerName: declared.triggerName,
      accountId: LOCAL_AUTOMATION.accountId,
      qualifier: declared.qualifier,
      triggerConfig: declared.triggerConfig,
    },
    options,
  );
  const pattern = JSON.parse(trigger.config.eventRuleFilterPattern) as Record<string, unknown>;
  const plan = planRouteRoles({ found: [], owners: ownerAccountIds, complete: true });
  for (const role of plan.roles) putRouteRole(cloud.core, role.roleName, role.final);
  for (const fromAccountId of ownerAccountIds) {
    const index = plan.assignment.get(fromAccountId);
    const role = plan.roles.find((r) => r.index === index);
    if (!role) continue;
    addEventRoute(cloud.core, {
      fromAccountId,
      ruleName: RAM_CHANGE_RULE,
      pattern,
      toAccountId: LOCAL_AUTOMATION.accountId,
      roleName: role.roleName,
    });
  }
  return trigger;
}

/** A route role of the automation account, with the documents setup writes, for `ownerAccountIds`. */
function putRouteRole(core: CloudCore, roleName: string, ownerAccountIds: readonly string[]): void {
  const automation = core.accounts.get(LOCAL_AUTOMATION.accountId);
  if (!automation)
    throw new HarnessError('DemoSetup', `the local cloud has no automation account ${LOCAL_AUTOMATION.accountId}`);
  const date = ramDate(core.now());
  automation.customPolicies.set(
    RAM_CHANGE_ROUTE_POLICY_NAME,
    JSON.stringify(eventRoutePolicy('cn-hangzhou', LOCAL_AUTOMATION.accountId)),
  );
  automation.roles.set(roleName, {
    name: roleName,
    roleId: newRoleId(),
    description: ROUTE_ROLE_DESCRIPTION,
    trustPolicy: JSON.stringify(eventRouteTrustPolicy(ownerAccountIds)),
    maxSessionDuration: 3600,
    createDate: date,
    updateDate: date,
    policies: [{ name: RAM_CHANGE_ROUTE_POLICY_NAME, type: 'Custom', attachDate: date }],
    tags: {},
  });
}
