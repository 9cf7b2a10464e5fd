// Prints the least-privilege policies of the function role and the management role, the management role's
// trust policy, the RAM change route role's documents and what setup needs for it, and the Tencent Cloud management
// role's documents (docs/deploy.md, "Tencent Cloud owners"), from what the adapters declare. Usage: npm run policies -- [--automation-account <uid>]
import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config/config.js';
import {
  eventRoutePolicy,
  eventRouteSetupPolicy,
  eventRouteTrustPolicy,
  functionRolePolicy,
  managementRolePolicy,
  managementRoleTrustPolicy,
} from '../shared/deploy/permissions.js';
import {
  camManagementRolePolicy,
  camManagementRoleTrustPolicy,
  TencentDuty,
} from '../shared/deploy/tencent-permissions.js';
import { alibabaAccountIdSchema } from '../shared/domain/account-id.js';

const { values } = parseArgs({ options: { 'automation-account': { type: 'string' } } });
const account = alibabaAccountIdSchema(
  '--automation-account',
  'give the ID of the account the functions run in',
).safeParse(values['automation-account'] ?? process.env.DTS_TRUST_AUTOMATION_ACCOUNT_ID ?? '1234567890123456');
if (!account.success) {
  console.error(account.error.issues[0]?.message);
  process.exit(2);
}
const config = loadConfig({ ...process.env, DTS_TRUST_AUTOMATION_ACCOUNT_ID: account.data });
const show = (title: string, doc: unknown) =>
  console.log(`## ${title}\n\n\`\`\`json\n${JSON.stringify(doc, null, 2)}\n\`\`\`\n`);
show('Function role policy (automation account)', functionRolePolicy(config));
show('Management role policy (each owner account)', managementRolePolicy(config.guardrails.allowedPolicies));
show('Management role trust policy (each owner account)', managementRoleTrustPolicy(account.data));
show('RAM change route role policy (automation account)', eventRoutePolicy(config.region, account.data));
show(
  'RAM change route role trust policy (automation account; one entry per owner, at most 43 owners a route role)',
  eventRouteTrustPolicy(['<owner-uid>']),
);
show("What setup's caller needs for the route roles (automation account)", eventRouteSetupPolicy(account.data));
show(
  'Tencent management role policy (each Tencent owner account; a trusted account with sub-users gets the subAccountPolicies statement)',
  camManagementRolePolicy('<uin>', [TencentDuty.Roles, TencentDuty.SubAccountPolicies]),
);
show(
  'Tencent management role trust policy (each Tencent account; the hub sub-user, its external ID)',
  camManagementRoleTrustPolicy({ rootUin: '<hub-root-uin>', userUin: '<hub-sub-user-uin>' }, '<external-id>'),
);
