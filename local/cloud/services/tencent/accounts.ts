/**
 * Tencent Cloud accounts of the local cloud (the `tencent` section of the accounts file, zod-validated) and their
 * live state: root accounts by UIN with their API keys, sub-users, CAM roles and custom policies.
 */
import { z } from 'zod';
import { LocalCloudError } from '../../errors.js';

const ApiKey = z.object({
  id: z.string().min(1, 'a SecretId must not be empty'),
  secret: z.string().min(1, 'a SecretKey must not be empty'),
});
const Uin = z.string().regex(/^\d{5,20}$/, 'a Tencent Cloud UIN is 5-20 digits');
const PresetRef = z.string().min(1, 'give the preset policy name, e.g. QcloudCamFullAccess');

const SubUserSpec = z.object({
  uin: Uin,
  name: z.string().min(1).max(64),
  keys: z.array(ApiKey).default([]),
  /** Preset (QCS) policies attached to the sub-user by name. */
  policies: z.array(PresetRef).default([]),
});

const RoleSpec = z.object({
  name: z.string().regex(/^[\w+=,.@-]{1,128}$/, 'a CAM role name is 1-128 letters, digits or + = , . @ - _'),
  description: z.string().max(300).default(''),
  policyDocument: z.union([z.string().min(1), z.record(z.unknown()).transform((o) => JSON.stringify(o))]),
  /** Preset (QCS) policies attached by name. */
  policies: z.array(PresetRef).default([]),
  tags: z.record(z.string()).default({}),
});

const AccountSpec = z.object({
  uin: Uin,
  name: z.string().min(1),
  /** The root account's API keys. */
  keys: z.array(ApiKey).default([]),
  subUsers: z.array(SubUserSpec).default([]),
  roles: z.array(RoleSpec).default([]),
});

/** Schema of the accounts file's `tencent` section. */
export const TencentAccountsSchema = z.object({ accounts: z.array(AccountSpec).default([]) });
/** The `tencent` section as written. */
export type TencentAccountsFile = z.input<typeof TencentAccountsSchema>;

/** A policy attached to a role or sub-user: a preset (QCS) by name, or a custom (User) one by id. */
export interface CamAttachment {
  policyId: number;
  policyName: string;
  policyType: 'QCS' | 'User';
  addTime: string;
}

/** A CAM role as the local cloud stores it. */
export interface CamRoleState {
  roleId: string;
  roleName: string;
  /** The trust policy as CAM returns it (its rewrites applied on save). */
  policyDocument: string;
  description: string;
  addTime: string;
  updateTime: string;
  sessionDuration: number;
  tags: Record<string, string>;
  attached: CamAttachment[];
  /** GetRole and DescribeRoleList see the role only from this instant (CAM's read-after-write lag), ms. */
  visibleFrom: number;
}

/** A custom CAM policy of an account. */
export interface CamPolicyState {
  policyId: number;
  policyName: string;
  document: string;
  description: string;
  addTime: string;
  updateTime: string;
  /** Sub-user UINs it is attached to. */
  users: Set<string>;
  visibleFrom: number;
}

/** A sub-user. */
export interface CamSubUserState {
  uin: string;
  name: string;
  keys: { id: string; secret: string }[];
  /** Preset policy names attached. */
  presets: string[];
}

/** A CAM user group: its members (sub-user UINs) and the custom policies attached to it (by id). */
export interface CamGroupState {
  groupId: number;
  groupName: string;
  members: Set<string>;
  policies: Set<number>;
  addTime: string;
}

/** One Tencent root account. */
export interface TencentAccountState {
  uin: string;
  name: string;
  keys: { id: string; secret: string }[];
  subUsers: Map<string, CamSubUserState>;
  /** By lower-case role name. */
  roles: Map<string, CamRoleState>;
  /** By policy id. */
  policies: Map<number, CamPolicyState>;
  /** User groups by group id. */
  groups: Map<number, CamGroupState>;
}

/** `2026-12-01 10:00:00`, CAM's time format. */
export function camTime(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

let nextRoleId = 4611686018427387000n;
/** A new CAM role id (a large decimal string). */
export function newCamRoleId(): string {
  nextRoleId += 1n;
  return nextRoleId.toString();
}

/** Build live account states from the `tencent` section; throws {@link LocalCloudError} naming a bad field. */
export function buildTencentAccounts(
  data: unknown,
  now: Date,
  storeTrust: (text: string) => string,
): Map<string, TencentAccountState> {
  const parsed = TencentAccountsSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `tencent.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new LocalCloudError(400, 'InvalidParameter', `Invalid tencent accounts: ${detail}`);
  }
  const accounts = new Map<string, TencentAccountState>();
  const time = camTime(now);
  for (const spec of parsed.data.accounts) {
    const roles = new Map<string, CamRoleState>();
    for (const role of spec.roles) {
      roles.set(role.name.toLowerCase(), {
        roleId: newCamRoleId(),
        roleName: role.name,
        policyDocument: storeTrust(role.policyDocument),
        description: role.description,
        addTime: time,
        updateTime: time,
        sessionDuration: 0,
        tags: { ...role.tags },
        attached: role.policies.map((name, i) => ({
          policyId: i + 1,
          policyName: name,
          policyType: 'QCS',
          addTime: time,
        })),
        visibleFrom: 0,
      });
    }
    accounts.set(spec.uin, {
      uin: spec.uin,
      name: spec.name,
      keys: spec.keys.map((k) => ({ ...k })),
      subUsers: new Map(
        spec.subUsers.map((u) => [
          u.uin,
          { uin: u.uin, name: u.name, keys: u.keys.map((k) => ({ ...k })), presets: [...u.policies] },
        ]),
      ),
      roles,
      policies: new Map(),
      groups: new Map(),
    });
  }
  return accounts;
}
