/**
 * `npm run cli -- setup`: what a first deploy creates by API, in order. In the automation account (the caller's
 * keys): the Tablestore tables (waiting until they serve rows) and the audit event bus. For each owner account, and
 * each task-creating or trusted account given with `--task-account`, the management role with its trust policy and
 * least-privilege policy: printed (with the `aliyun` CLI commands that create them), or created through that
 * account's own keys with `--create-management-roles --credentials <file>`. Creation is idempotent and never
 * rewrites what is already there: a role or policy that exists with another document is reported, not changed.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ensureEventBus } from '../shared/alicloud/eventbridge-bus.js';
import { RamCustomPolicies } from '../shared/alicloud/ram-policies.js';
import { callerAccountId } from '../shared/alicloud/sts-identity.js';
import { deliverAuditEvents } from '../shared/audit/deliver-audit-events.js';
import type { Services } from '../shared/composition/services.js';
import type { TrustSettings } from '../shared/config/trust-settings.js';
import {
  inventoryRolePolicy,
  managementRolePolicy,
  managementRoleTrustPolicy,
  type PolicyDocument,
} from '../shared/deploy/permissions.js';
import { alibabaAccountIdSchema } from '../shared/domain/account-id.js';
import { AuditEventType, newAuditEvent } from '../shared/domain/audit.js';
import { ConfigError, DtsTrustError } from '../shared/domain/errors.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import type { AccountCredentials } from '../shared/ports.js';
import type { Output } from './commands.js';

const AccountId = alibabaAccountIdSchema();

/** The options of `setup`, validated. */
export const SetupOptionsSchema = z
  .object({
    owner: z.array(AccountId).default([]),
    taskAccount: z.array(AccountId).default([]),
    createManagementRoles: z.boolean().default(false),
    credentials: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => !o.createManagementRoles || o.credentials !== undefined, {
    message: '--create-management-roles needs --credentials <file> with the keys of each account',
    path: ['credentials'],
  });
/** The options of `setup`. */
export type SetupOptions = z.infer<typeof SetupOptionsSchema>;

/** The `--credentials` file: keys per account, used only to create that account's management role. */
export const SetupCredentialsSchema = z
  .object({
    accounts: z.record(
      AccountId,
      z
        .object({
          accessKeyId: z.string().min(1),
          accessKeySecret: z.string().min(1),
          securityToken: z.string().min(1).optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** What one account needs: the management role, its trust policy and its custom policy. */
export interface ManagementRoleSpec {
  readonly accountId: string;
  /** `owner`: manages DTS roles; `task`: only reads DTS jobs (task-creating or trusted account). */
  readonly kind: 'owner' | 'task';
  readonly roleName: string;
  readonly trustPolicy: string;
  readonly policyName: string;
  readonly policy: string;
}

/** How one part of a management role ended. */
type PartOutcome = 'created' | 'attached' | 'exists' | 'differs';

/** The same RAM document whatever the spelling: keys sorted, one-element lists and strings alike. */
function canonical(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && /^(Action|Resource|RAM|Service|Federated)$/.test(key)) return [value];
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    return items.every((i) => typeof i === 'string') ? [...items].sort() : items;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k], k)]),
    );
  }
  return value;
}

/** True when two RAM policy documents say the same. */
export function samePolicyDocument(a: string, b: string): boolean {
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return false;
  }
}

/** The management role every listed account needs, from the configuration and the trust settings. */
export function managementRoleSpecs(
  services: Services,
  automationAccountId: string,
  settings: TrustSettings | undefined,
  accounts: { owners: readonly string[]; tasks: readonly string[] },
): ManagementRoleSpec[] {
  const { config } = services;
  const spec = (accountId: string, kind: 'owner' | 'task', policy: PolicyDocument): ManagementRoleSpec => ({
    accountId,
    kind,
    roleName: config.managementRole,
    trustPolicy: JSON.stringify(
      managementRoleTrustPolicy(automationAccountId, settings?.managementExternalIds[accountId]),
    ),
    policyName: `${config.managementRole}-policy`,
    policy: JSON.stringify(policy),
  });
  const owners = [...new Set(accounts.owners)].sort();
  const tasks = [...new Set(accounts.tasks)].filter((a) => !owners.includes(a)).sort();
  return [
    ...owners.map((a) => spec(a, 'owner', managementRolePolicy(config.guardrails.allowedPolicies))),
    ...tasks.map((a) => spec(a, 'task', inventoryRolePolicy())),
  ];
}

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

/** Create the management role of one account with its own keys; each RAM change is recorded in the outbox first. */
async function createManagementRole(
  services: Services,
  keys: AccountCredentials,
  spec: ManagementRoleSpec,
  correlationId: string,
): Promise<{ policy: PartOutcome; role: PartOutcome; attachment: PartOutcome }> {
  const { config } = services;
  const where = { endpoint: config.endpoints.ram, protocol: config.protocol, regionId: config.region };
  const policies = new RamCustomPolicies(where);
  const arn = `acs:ram::${spec.accountId}:role/${spec.roleName.toLowerCase()}`;
  const record = async (outcome: string, detail: Record<string, unknown>) =>
    services.outbox.record(
      newAuditEvent({
        id: randomUUID(),
        type: AuditEventType.SetupChange,
        subject: arn,
        time: services.clock.now(),
        data: { correlationId, outcome, detail: { accountId: spec.accountId, ...detail } },
      }),
    );

  let policy: PartOutcome;
  const existingPolicy = await policies.getDocument(keys, spec.policyName);
  if (existingPolicy === undefined) {
    await record('planned', { action: 'CreatePolicy', policyName: spec.policyName, document: spec.policy });
    await policies.create(
      keys,
      spec.policyName,
      spec.policy,
      'dts-trust management role policy (npm run cli -- setup)',
    );
    policy = 'created';
  } else policy = samePolicyDocument(existingPolicy, spec.policy) ? 'exists' : 'differs';

  let role: PartOutcome;
  const existingRole = await services.directory.getRole(keys, spec.roleName);
  if (existingRole === undefined) {
    await record('planned', { action: 'CreateRole', roleName: spec.roleName, trustPolicy: spec.trustPolicy });
    await services.directory.createRole(keys, {
      roleName: spec.roleName,
      trustPolicy: spec.trustPolicy,
      description: 'dts-trust management role: the automation account reconciles DTS roles here',
      tags: {},
    });
    role = 'created';
  } else role = samePolicyDocument(existingRole.trustPolicy, spec.trustPolicy) ? 'exists' : 'differs';

  let attachment: PartOutcome = 'exists';
  const attached = await services.directory.listAttachedPolicies(keys, spec.roleName);
  if (!attached.some((p) => p.policyType === 'Custom' && p.policyName === spec.policyName)) {
    await record('planned', { action: 'AttachPolicyToRole', roleName: spec.roleName, policyName: spec.policyName });
    await services.directory.attachPolicy(keys, spec.roleName, { policyName: spec.policyName, policyType: 'Custom' });
    attachment = 'attached';
  }
  return { policy, role, attachment };
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
      `--credentials ${path}: ${lines.join('; ')} (expected {"accounts": {"<uid>": {"accessKeyId": "...", "accessKeySecret": "..."}}})`,
    );
  }
  return parsed.data;
}

/** Run the setup; returns the exit code (1 when some account could not be set up or differs). */
export async function bootstrapCommand(services: Services, out: Output, options: SetupOptions): Promise<number> {
  const { config } = services;
  const credentials = options.credentials ? await readCredentials(options.credentials) : undefined;

  await services.ensureTables();
  out.line(`tables ready: ${Object.values(config.tables).join(', ')}`);

  const eventbridge = config.endpoints.eventbridge;
  if (!eventbridge)
    throw new ConfigError('DTS_TRUST_EVENTBRIDGE_ENDPOINT or DTS_TRUST_AUTOMATION_ACCOUNT_ID must be set');
  const bus = await ensureEventBus(
    { endpoint: eventbridge, protocol: config.protocol, regionId: config.region, keys: services.ownKeys },
    config.eventBus,
  );
  out.line(`event bus ${config.eventBus}: ${bus}`);

  let settings: TrustSettings | undefined;
  try {
    settings = await services.settings();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out.line(`trust settings not available (${error.message}): trust policies without external IDs`);
  }
  const stsWhere = { endpoint: config.endpoints.sts, protocol: config.protocol, regionId: config.region };
  const automationAccountId = config.automationAccountId ?? (await callerAccountId(await services.ownKeys(), stsWhere));
  const owners = new Set([...options.owner, ...(settings?.allowedOwnerAccounts ?? [])]);
  for await (const role of services.grants.listManagedRoles()) owners.add(role.ownerAccountId);
  const specs = managementRoleSpecs(services, automationAccountId, settings, {
    owners: [...owners].filter((a) => a !== automationAccountId),
    tasks: options.taskAccount.filter((a) => a !== automationAccountId),
  });
  if (specs.length === 0) {
    out.line('no owner accounts yet: pass --owner <uid> (or list them in allowedOwnerAccounts of the trust settings)');
    return 0;
  }

  let code = 0;
  const correlationId = randomUUID();
  for (const spec of specs) {
    if (!options.createManagementRoles) {
      printSpec(out, spec);
      continue;
    }
    const keys = credentials?.accounts[spec.accountId];
    if (!keys) {
      code = 1;
      out.line(`account ${spec.accountId}: no keys in --credentials; create it by hand:`);
      printSpec(out, spec);
      continue;
    }
    try {
      const signer = await callerAccountId(keys, stsWhere);
      if (signer !== spec.accountId) {
        code = 1;
        out.line(`account ${spec.accountId}: the keys in --credentials belong to account ${signer}; nothing created`);
        continue;
      }
      const result = await createManagementRole(services, { accountId: spec.accountId, ...keys }, spec, correlationId);
      out.line(
        `account ${spec.accountId}: policy ${spec.policyName} ${result.policy}, role ${spec.roleName} ${result.role}, attachment ${result.attachment}`,
      );
      if (result.policy === 'differs' || result.role === 'differs') {
        code = 1;
        out.line(`  left unchanged; make it say what setup prints without --create-management-roles:`);
        printSpec(out, spec);
      }
    } catch (error) {
      code = 1;
      out.line(`account ${spec.accountId}: ${error instanceof DtsTrustError ? error.message : String(error)}`);
    }
  }
  if (options.createManagementRoles) {
    const audit = await deliverAuditEvents(services.outbox, services.sink, { clock: services.clock, correlationId });
    out.line(`audit events delivered: ${audit.delivered}, pending: ${audit.pending}`);
  }
  return code;
}
