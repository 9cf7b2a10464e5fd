/**
 * The accounts file of the local cloud (zod-validated) and its conversion into live {@link AccountState}s.
 * Shape: `{ "accounts": [ { "id", "name", "accessKeys": [{ "id", "secret" }], "roles": [ { "name",
 * "description", "trustPolicy", "policies": [{ "name", "type" }] } ] } ] }`, plus optional `users`,
 * `customPolicies`, `partition`, `dtsActivated`, `dtsDefaultRole`, and an optional `tencent` section of Tencent
 * Cloud accounts.
 *
 * An account that authorized DTS to access its resources has the role `AliyunDTSDefaultRole` (the DTS console
 * creates it on the first visit): `dtsDefaultRole` (default: `dtsActivated`) creates it when the file does not
 * declare it, trusting the DTS service with `AliyunDTSRolePolicy` attached.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ACCOUNT_ID } from './account-id.js';
import type { AccountState, AttachedPolicyState, RoleState, UserState } from './contract.js';
import { CloudSetupError, LocalCloudError } from './errors.js';
import { newRoleId, ramDate } from './roles.js';
import { TencentAccountsSchema } from './services/tencent/accounts.js';
import { storedTrustPolicy } from './trust-policy.js';

const AccessKey = z.object({
  id: z.string().min(1, 'an access key id must not be empty'),
  secret: z.string().min(1, 'an access key secret must not be empty'),
});

const PolicyRef = z.object({
  name: z.string().min(1, 'give the policy name, e.g. AliyunRAMFullAccess'),
  type: z.enum(['System', 'Custom']).default('System'),
});

const JsonDocument = z.union([z.string().min(1), z.record(z.unknown()).transform((o) => JSON.stringify(o))]);

const RoleSpec = z.object({
  name: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'a role name is 1-64 letters, digits, "." or "-"'),
  description: z.string().max(1024).default(''),
  trustPolicy: JsonDocument,
  maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
  policies: z.array(PolicyRef).default([]),
  tags: z.record(z.string()).default({}),
});

const UserSpec = z.object({
  name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a user name is 1-64 letters, digits, ".", "_", "@" or "-"'),
  accessKeys: z.array(AccessKey).default([]),
  policies: z.array(PolicyRef).default([]),
});

const AccountSpec = z.object({
  id: z.string().regex(ACCOUNT_ID, 'an account id is 16 digits'),
  name: z.string().min(1),
  accessKeys: z.array(AccessKey).default([]),
  roles: z.array(RoleSpec).default([]),
  users: z.array(UserSpec).default([]),
  customPolicies: z.record(JsonDocument).default({}),
  partition: z.enum(['public', 'finance', 'gov']).default('public'),
  dtsActivated: z.boolean().default(true),
  /** Whether the account has AliyunDTSDefaultRole; defaults to `dtsActivated`. */
  dtsDefaultRole: z.boolean().optional(),
});

/** The role DTS creates in an account that authorizes it (the cross-account guides' prerequisite). */
export const DTS_DEFAULT_ROLE = 'AliyunDTSDefaultRole';

/** The trust policy of {@link DTS_DEFAULT_ROLE}: the DTS service of the account itself. */
const DTS_DEFAULT_ROLE_TRUST = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['dts.aliyuncs.com'] } }],
});

/** Schema of the accounts file. */
export const AccountsFileSchema = z.object({
  accounts: z.array(AccountSpec).min(1, 'declare at least one account'),
  /** Tencent Cloud root accounts (CAM, STS, DTS over TC3), see services/tencent/accounts.ts. */
  tencent: TencentAccountsSchema.optional(),
});

/** The accounts file as written (before defaults). */
export type AccountsFile = z.input<typeof AccountsFileSchema>;

function describeIssues(error: z.ZodError, source: string): string {
  return error.issues.map((issue) => `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Validate an accounts document; throws {@link CloudSetupError} naming every bad field and its fix. */
export function parseAccountsFile(data: unknown, source = 'accounts'): z.output<typeof AccountsFileSchema> {
  const parsed = AccountsFileSchema.safeParse(data);
  if (!parsed.success) throw new CloudSetupError(`Invalid accounts file: ${describeIssues(parsed.error, source)}`);
  const seenIds = new Set<string>();
  const seenKeys = new Set<string>();
  for (const [i, account] of parsed.data.accounts.entries()) {
    if (seenIds.has(account.id))
      throw new CloudSetupError(`${source}: accounts.${i}.id: account id ${account.id} is declared twice; keep one.`);
    seenIds.add(account.id);
    const keys = [...account.accessKeys, ...account.users.flatMap((u) => u.accessKeys)];
    for (const key of keys) {
      if (seenKeys.has(key.id))
        throw new CloudSetupError(`${source}: accounts.${i}: access key id ${key.id} is used twice; make it unique.`);
      seenKeys.add(key.id);
    }
    const roleNames = new Set<string>();
    for (const [j, role] of account.roles.entries()) {
      const lower = role.name.toLowerCase();
      if (roleNames.has(lower))
        throw new CloudSetupError(`${source}: accounts.${i}.roles.${j}.name: role ${role.name} is declared twice.`);
      roleNames.add(lower);
    }
  }
  return parsed.data;
}

/** Read and validate an accounts file from disk. */
export async function loadAccountsFile(path: string): Promise<z.output<typeof AccountsFileSchema>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CloudSetupError(`Cannot read the accounts file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CloudSetupError(`The accounts file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseAccountsFile(data, path);
}

function attached(
  policies: readonly { name: string; type: 'System' | 'Custom' }[],
  date: string,
): AttachedPolicyState[] {
  return policies.map((p) => ({ name: p.name, type: p.type, attachDate: date }));
}

/** Build live account states from a validated (or raw) accounts document; `now` dates the declared roles. */
export function buildAccountStates(data: unknown, now: Date, source = 'accounts'): Map<string, AccountState> {
  const file = parseAccountsFile(data, source);
  const date = ramDate(now);
  const accounts = new Map<string, AccountState>();
  for (const [i, spec] of file.accounts.entries()) {
    const roles = new Map<string, RoleState>();
    for (const [j, role] of spec.roles.entries()) {
      let trustPolicy: string;
      try {
        trustPolicy = storedTrustPolicy(role.trustPolicy, spec.id);
      } catch (error) {
        const detail = error instanceof LocalCloudError ? error.message : String(error);
        throw new CloudSetupError(`${source}: accounts.${i}.roles.${j}.trustPolicy: ${detail} Fix the document.`, {
          cause: error,
        });
      }
      roles.set(role.name, {
        name: role.name,
        roleId: newRoleId(),
        description: role.description,
        trustPolicy,
        maxSessionDuration: role.maxSessionDuration,
        createDate: date,
        updateDate: date,
        policies: attached(role.policies, date),
        tags: { ...role.tags },
      });
    }
    const hasDefaultRole = [...roles.keys()].some((name) => name.toLowerCase() === DTS_DEFAULT_ROLE.toLowerCase());
    if ((spec.dtsDefaultRole ?? spec.dtsActivated) && !hasDefaultRole) {
      roles.set(DTS_DEFAULT_ROLE, {
        name: DTS_DEFAULT_ROLE,
        roleId: newRoleId(),
        description: 'Authorizes DTS to access the resources of this account (created by the DTS console)',
        trustPolicy: storedTrustPolicy(DTS_DEFAULT_ROLE_TRUST, spec.id),
        maxSessionDuration: 3600,
        createDate: date,
        updateDate: date,
        policies: attached([{ name: 'AliyunDTSRolePolicy', type: 'System' }], date),
        tags: {},
      });
    }
    const users = new Map<string, UserState>();
    for (const user of spec.users) {
      users.set(user.name, {
        name: user.name,
        userId: newRoleId().replace(/^3/, '2'),
        accessKeys: user.accessKeys.map((k) => ({ ...k })),
        policies: attached(user.policies, date),
      });
    }
    accounts.set(spec.id, {
      id: spec.id,
      name: spec.name,
      accessKeys: spec.accessKeys.map((k) => ({ ...k })),
      roles,
      users,
      customPolicies: new Map(Object.entries(spec.customPolicies)),
      partition: spec.partition,
      dtsActivated: spec.dtsActivated,
    });
  }
  return accounts;
}
