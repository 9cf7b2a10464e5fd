/**
 * `npm run cli -- setup`: what a first deploy creates by API (shared/usecases/setup.ts). The management role of
 * each owner account, and of each task-creating or trusted account given with `--task-account`, is printed (with
 * the `aliyun` CLI commands that create it), or created through that account's own keys with
 * `--create-management-roles --credentials <file>`; then, through each owner's management role, the rule
 * that routes its RAM role changes to the automation account (drift-event). A Tencent Cloud account (a UIN) gets
 * its CAM management role instead (shared/usecases/tencent-setup.ts; `tccli` commands), from Tencent keys in the
 * same file.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Services } from '../shared/composition/services.js';
import { cloudOfAccountId, ownerAccountIdSchema } from '../shared/domain/account-id.js';
import { ConfigError } from '../shared/domain/errors.js';
import { Cloud } from '../shared/domain/grant.js';
import { RAM_CHANGE_RULE_NAME } from '../shared/domain/ram-change-event.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import type { TencentKeys } from '../shared/tencentcloud/sts-identity.js';
import { type RouteRoleOutcome, routeRoleNeedsAttention } from '../shared/usecases/route-roles.js';
import {
  type ManagementRoleOutcome,
  type ManagementRoleSpec,
  needsAttention,
  setUpDeployment,
} from '../shared/usecases/setup.js';
import {
  type TencentManagementRoleOutcome,
  type TencentManagementRoleSpec,
  tencentNeedsAttention,
} from '../shared/usecases/tencent-setup.js';
import type { Output } from './commands.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { setupJson } from './json-documents.js';
import { printJson } from './render.js';

const AccountId = ownerAccountIdSchema();

/** The options of `setup`, validated. */
export const SetupOptionsSchema = z
  .object({
    owner: z.array(AccountId).default([]),
    taskAccount: z.array(AccountId).default([]),
    createManagementRoles: z.boolean().default(false),
    credentials: z.string().min(1).optional(),
    json: z.boolean().default(false),
  })
  .strict()
  .refine((o) => !o.createManagementRoles || o.credentials !== undefined, {
    message: '--create-management-roles needs --credentials <file> with the keys of each account',
    path: ['credentials'],
  });
/** The options of `setup`. */
export type SetupOptions = z.infer<typeof SetupOptionsSchema>;

/** An Alibaba Cloud account's keys in the `--credentials` file (a 16-digit account ID). */
const AlibabaKeysSchema = z
  .object({
    accessKeyId: z.string().min(1),
    accessKeySecret: z.string().min(1),
    securityToken: z.string().min(1).optional(),
  })
  .strict();

/** A Tencent Cloud account's keys in the `--credentials` file (a root account UIN): its root's or a CAM admin's. */
const TencentKeysSchema = z
  .object({
    secretId: z
      .string()
      .regex(/^AKID[A-Za-z0-9]{8,64}$/, 'must be a Tencent Cloud SecretId (AKID followed by letters and digits)'),
    secretKey: z.string().min(16, 'must be the SecretKey of that SecretId (at least 16 characters)'),
    token: z.string().min(1).optional(),
  })
  .strict();

/**
 * The `--credentials` file: keys per account, used only to create (and, for Tencent, repair) that account's
 * management role in this run and never stored; each entry is read by its account's cloud.
 */
export const SetupCredentialsSchema = z
  .object({ accounts: z.record(AccountId, z.unknown()) })
  .strict()
  .transform((file, ctx) => {
    const alibaba: Record<string, z.infer<typeof AlibabaKeysSchema>> = {};
    const tencent: Record<string, TencentKeys> = {};
    for (const [accountId, keys] of Object.entries(file.accounts)) {
      const tencentAccount = cloudOfAccountId(accountId) === Cloud.Tencent;
      const parsed = (tencentAccount ? TencentKeysSchema : AlibabaKeysSchema).safeParse(keys);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ ...issue, path: ['accounts', accountId, ...issue.path] });
        continue;
      }
      if (tencentAccount) tencent[accountId] = parsed.data as z.infer<typeof TencentKeysSchema>;
      else alibaba[accountId] = parsed.data as z.infer<typeof AlibabaKeysSchema>;
    }
    return { alibaba, tencent };
  });

const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function printSpec(out: Output, spec: ManagementRoleSpec): void {
  out.line(`account ${spec.accountId} (${spec.kind === 'owner' ? 'owner' : 'task-creating or trusted'}):`);
  out.line(`  management role ${spec.roleName}, trust policy: ${spec.trustPolicy}`);
  out.line(`  policy ${spec.policyName}: ${spec.policy}`);
  out.line("  create it with that account's keys:");
  out.line(
    `    aliyun ram CreatePolicy --PolicyName ${spec.policyName} --PolicyDocument ${quote(spec.policy)} --Description ${quote('dts-trust management role policy')}`,
  );
  out.line(
    `    aliyun ram CreateRole --RoleName ${spec.roleName} --AssumeRolePolicyDocument ${quote(spec.trustPolicy)}`,
  );
  out.line(
    `    aliyun ram AttachPolicyToRole --PolicyType Custom --PolicyName ${spec.policyName} --RoleName ${spec.roleName}`,
  );
}

async function readCredentials(path: string): Promise<z.infer<typeof SetupCredentialsSchema>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`--credentials ${path}: cannot read a JSON file (${(error as Error).message})`, {
      cause: error,
    });
  }
  const parsed = SetupCredentialsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = problemsFromZodError(parsed.error).map((p) => `${p.field}: ${p.message} - ${p.fix}`);
    throw new ConfigError(
      `--credentials ${path}: ${lines.join('; ')} (expected {"accounts": {"<uid>": {"accessKeyId": "...", "accessKeySecret": "..."}, "<tencent uin>": {"secretId": "AKID...", "secretKey": "..."}}})`,
    );
  }
  return parsed.data;
}

/**
 * Run the setup (shared/usecases/setup.ts) and print what it did; exit code 1 when some account or route needs a
 * person, else 3 while audit events of what it created stay undelivered.
 */
export async function bootstrapCommand(services: Services, out: Output, options: SetupOptions): Promise<number> {
  const credentials = options.credentials ? await readCredentials(options.credentials) : undefined;
  const result = await setUpDeployment(services, {
    owners: options.owner,
    taskAccounts: options.taskAccount,
    createManagementRoles: options.createManagementRoles,
    credentials: credentials?.alibaba,
    tencentCredentials: credentials?.tencent,
  });
  const routeNeedsAttention =
    result.ramChangeRoutes.some((r) => r.outcome === 'failed') ||
    result.ramChangeRouteRoles.some(routeRoleNeedsAttention);
  const code = exitCodeOf({
    failed:
      result.managementRoles.filter(needsAttention).length +
      result.tencentManagementRoles.filter(tencentNeedsAttention).length +
      (routeNeedsAttention ? 1 : 0),
    undelivered: result.audit === undefined ? 0 : result.audit.pending + result.audit.setAside,
  });
  if (options.json) {
    printJson(
      out,
      setupJson(result, {
        eventBus: services.config.eventBus,
        ruleName: RAM_CHANGE_RULE_NAME,
        attention: needsAttention,
        tencentAttention: tencentNeedsAttention,
      }),
    );
    return code;
  }
  out.line(`tables ready: ${result.tables.join(', ')}`);
  out.line(`event bus ${services.config.eventBus}: ${result.bus}`);
  if (result.settingsProblem !== undefined) {
    out.line(`trust settings not available (${result.settingsProblem}): trust policies without external IDs`);
  }
  if (result.managementRoles.length === 0 && result.tencentManagementRoles.length === 0) {
    out.line('no owner accounts yet: pass --owner <uid> (or list them in allowedOwnerAccounts of the trust settings)');
    return ExitCode.Ok;
  }
  for (const outcome of result.managementRoles) printOutcome(out, outcome);
  for (const outcome of result.tencentManagementRoles) printTencentOutcome(out, outcome);
  for (const role of result.ramChangeRouteRoles) printRouteRole(out, role);
  for (const install of result.ramChangeRoutes) {
    const why = install.message ? ` (${install.message})` : '';
    const what = install.changes ? ` (${install.changes.join(', ')})` : '';
    const via = install.routeRole ? ` (route role ${install.routeRole})` : '';
    out.line(`account ${install.accountId}: rule ${RAM_CHANGE_RULE_NAME} ${install.outcome}${what}${via}${why}`);
  }
  if (result.audit) out.line(`audit events delivered: ${result.audit.delivered}, pending: ${result.audit.pending}`);
  return code;
}

/** Print one route role of the automation account: its documents and commands, or what setup did to it. */
function printRouteRole(out: Output, outcome: RouteRoleOutcome): void {
  const { spec } = outcome;
  const name = `automation account ${spec.accountId}: route role ${spec.roleName}`;
  const describe = () => {
    out.line(`  trust policy: ${spec.trustPolicy}`);
    out.line(`  policy ${spec.policyName}: ${spec.policy}`);
    out.line("  create it with the automation account's keys:");
    out.line(
      `    aliyun ram CreatePolicy --PolicyName ${spec.policyName} --PolicyDocument ${quote(spec.policy)} --Description ${quote('dts-trust RAM change route')}`,
    );
    out.line(
      `    aliyun ram CreateRole --RoleName ${spec.roleName} --AssumeRolePolicyDocument ${quote(spec.trustPolicy)} --Description ${quote(spec.description)}`,
    );
    out.line(
      `    aliyun ram AttachPolicyToRole --PolicyType Custom --PolicyName ${spec.policyName} --RoleName ${spec.roleName}`,
    );
  };
  const owners = `${spec.owners.length} owner account${spec.owners.length === 1 ? '' : 's'}`;
  switch (outcome.status) {
    case 'described':
      out.line(`${name} (receives the RAM change events of ${owners}):`);
      describe();
      return;
    case 'failed':
      out.line(`${name}: ${outcome.message}`);
      return;
    case 'frozen':
      out.line(`${name}: left unchanged, not dts-trust's to change: ${outcome.found}`);
      return;
    case 'applied': {
      const end =
        outcome.end === 'unchanged'
          ? ''
          : `, ${outcome.end === 'removed' ? 'removed' : 'narrowed'} (owners ${outcome.removedOwners.join(', ')} left it)`;
      out.line(
        `${name}: policy ${spec.policyName} ${outcome.policy}, role ${outcome.role}, attachment ${outcome.attachment}${end}`,
      );
      if (routeRoleNeedsAttention(outcome)) {
        out.line('  left unchanged; make it say what setup prints without --create-management-roles:');
        describe();
      }
    }
  }
}

function printOutcome(out: Output, outcome: ManagementRoleOutcome): void {
  const { spec } = outcome;
  switch (outcome.status) {
    case 'described':
      printSpec(out, spec);
      return;
    case 'noKeys':
      out.line(`account ${spec.accountId}: no keys in --credentials; create it by hand:`);
      printSpec(out, spec);
      return;
    case 'wrongAccount':
      out.line(
        `account ${spec.accountId}: the keys in --credentials belong to account ${outcome.signer}; nothing created`,
      );
      return;
    case 'failed':
      out.line(`account ${spec.accountId}: ${outcome.message}`);
      return;
    case 'applied':
      out.line(
        `account ${spec.accountId}: policy ${spec.policyName} ${outcome.policy}, role ${spec.roleName} ${outcome.role}, attachment ${outcome.attachment}`,
      );
      if (needsAttention(outcome)) {
        out.line(`  left unchanged; make it say what setup prints without --create-management-roles:`);
        printSpec(out, spec);
      }
  }
}

/** What a Tencent account's management role is for, as setup prints it. */
function dutiesText(duties: readonly string[]): string {
  return duties.map((d) => (d === 'roles' ? 'owner' : 'trusted, sub-user policies')).join('; ');
}

function printTencentSpec(out: Output, spec: TencentManagementRoleSpec): void {
  out.line(`Tencent account ${spec.accountId} (${dutiesText(spec.duties)}):`);
  out.line(`  management role ${spec.roleName}, trust policy: ${spec.trustPolicy}`);
  out.line(`  policy ${spec.policyName}: ${spec.policy}`);
  out.line("  create it with that account's keys (tccli, Tencent Cloud's CLI):");
  out.line(
    `    tccli cam CreatePolicy --PolicyName ${spec.policyName} --PolicyDocument ${quote(spec.policy)} --Description ${quote(spec.policyDescription)}`,
  );
  out.line(
    `    tccli cam CreateRole --RoleName ${spec.roleName} --PolicyDocument ${quote(spec.trustPolicy)} --Description ${quote(spec.description)} --ConsoleLogin 0`,
  );
  out.line(`    tccli cam AttachRolePolicy --PolicyName ${spec.policyName} --AttachRoleName ${spec.roleName}`);
}

function printTencentOutcome(out: Output, outcome: TencentManagementRoleOutcome): void {
  const name = `Tencent account ${outcome.accountId}`;
  switch (outcome.status) {
    case 'described':
      printTencentSpec(out, outcome.spec);
      return;
    case 'noKeys':
      out.line(`${name}: no keys in --credentials; create it by hand:`);
      printTencentSpec(out, outcome.spec);
      return;
    case 'wrongAccount':
      out.line(`${name}: the keys in --credentials belong to account ${outcome.signer}; nothing created`);
      return;
    case 'failed':
      out.line(`${name}: ${outcome.message}`);
      return;
    case 'applied': {
      const { spec } = outcome;
      out.line(
        `${name}: policy ${spec.policyName} ${outcome.policy}, role ${spec.roleName} ${outcome.role}, attachment ${outcome.attachment}`,
      );
      if (outcome.otherPolicies.length > 0) {
        out.line(
          `  also attached: ${outcome.otherPolicies.join(', ')}: wider than dts-trust needs; detach them (tccli cam DetachRolePolicy --PolicyName <name> --DetachRoleName ${spec.roleName})`,
        );
      }
    }
  }
}
