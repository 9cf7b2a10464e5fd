/**
 * CAM 2019-01-16 as the local cloud answers it: roles (create, read, list by tag 200 a page, trust, description,
 * tag and untag, attachments by policy name, delete), custom policies (create, read, update, list, attach to
 * sub-users, user groups and roles, list their entities of every type, delete) and user groups (create, add
 * members), with CAM's checks and codes, its rewrites of trust policies and its read-after-write lag.
 */
import type { CloudCore } from '../../contract.js';
import {
  type CamAttachment,
  type CamGroupState,
  type CamPolicyState,
  type CamRoleState,
  camTime,
  newCamRoleId,
  type TencentAccountState,
} from './accounts.js';
import { PRESET_POLICIES, storedPermissionDocument, storedTrustDocument } from './documents.js';
import {
  optionalInteger,
  optionalString,
  page,
  requiredInteger,
  requiredString,
  type TencentParams,
  tagsOf,
} from './params.js';
import { tencentError } from './replies.js';
import { accountOf, requireAllowed, type TencentPrincipal, type TencentWorld } from './world.js';

/** The API version CAM answers. */
export const CAM_VERSION = '2019-01-16';

/** One CAM action. */
export type CamAction = (
  world: TencentWorld,
  principal: TencentPrincipal,
  params: TencentParams,
  core: CloudCore,
) => Record<string, unknown>;

const ROLE_NAME = /^[\w+=,.@-]{1,128}$/;

function visible(entity: { visibleFrom: number }, core: CloudCore): boolean {
  return entity.visibleFrom <= core.now().getTime();
}

function roleResource(account: TencentAccountState, roleName: string): string {
  return `qcs::cam::uin/${account.uin}:roleName/${roleName}`;
}

/** The role a call names by `<prefix>RoleName` or `<prefix>RoleId`; `InvalidParameter.RoleNotExist` otherwise. */
function namedRole(account: TencentAccountState, params: TencentParams, core: CloudCore, prefix = ''): CamRoleState {
  const name = optionalString(params, `${prefix}RoleName`);
  const id = optionalString(params, `${prefix}RoleId`);
  if (name === undefined && id === undefined)
    throw tencentError('MissingParameter', `${prefix}RoleName or ${prefix}RoleId is required.`);
  const role =
    name !== undefined
      ? account.roles.get(name.toLowerCase())
      : [...account.roles.values()].find((r) => r.roleId === id);
  if (!role || !visible(role, core)) throw tencentError('InvalidParameter.RoleNotExist', 'role not exist.');
  return role;
}

function roleInfo(role: CamRoleState, account: TencentAccountState): Record<string, unknown> {
  return {
    RoleId: role.roleId,
    RoleName: role.roleName,
    PolicyDocument: role.policyDocument,
    Description: role.description,
    AddTime: role.addTime,
    UpdateTime: role.updateTime,
    ConsoleLogin: 0,
    RoleType: 'user',
    SessionDuration: role.sessionDuration,
    Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
    RoleArn: `qcs::cam::uin/${account.uin}:roleName/${role.roleName}`,
  };
}

function actingAccount(world: TencentWorld, principal: TencentPrincipal): TencentAccountState {
  return accountOf(world, principal.uin);
}

function storeTrust(world: TencentWorld, text: string): string {
  return storedTrustDocument(text, world.quirks, (uin) => world.accounts.has(uin));
}

/** The policy a call names by `PolicyName` (a preset, or a custom one of the account) or `PolicyId`. */
function namedPolicy(account: TencentAccountState, params: TencentParams, core: CloudCore): CamAttachment {
  const name = optionalString(params, 'PolicyName');
  const id = optionalInteger(params, 'PolicyId');
  if (name === undefined && id === undefined)
    throw tencentError('MissingParameter', 'PolicyName or PolicyId is required.');
  const time = camTime(core.now());
  if (name !== undefined && Object.hasOwn(PRESET_POLICIES, name)) {
    return { policyId: presetId(name), policyName: name, policyType: 'QCS', addTime: time };
  }
  const custom = [...account.policies.values()].find(
    (p) => visible(p, core) && (name !== undefined ? p.policyName === name : p.policyId === id),
  );
  if (!custom) {
    if (id !== undefined) {
      const preset = Object.keys(PRESET_POLICIES).find((n) => presetId(n) === id);
      if (preset) return { policyId: id, policyName: preset, policyType: 'QCS', addTime: time };
    }
    throw tencentError('InvalidParameter.PolicyIdNotExist', 'policy not exist.');
  }
  return { policyId: custom.policyId, policyName: custom.policyName, policyType: 'User', addTime: time };
}

/** Stable ids of the presets (CAM documents none; the product attaches them by name). */
function presetId(name: string): number {
  return 1_000 + Object.keys(PRESET_POLICIES).indexOf(name);
}

function customPolicy(account: TencentAccountState, params: TencentParams, core: CloudCore): CamPolicyState {
  const id = optionalInteger(params, 'PolicyId');
  if (id === undefined) throw tencentError('MissingParameter', 'PolicyId is required.');
  const policy = account.policies.get(id);
  if (!policy || !visible(policy, core)) throw tencentError('ResourceNotFound.PolicyIdNotFound', 'policy not exist.');
  return policy;
}

/** The user group an id names; `ResourceNotFound.GroupNotExist` otherwise. */
function groupOf(account: TencentAccountState, id: number | undefined): CamGroupState {
  if (id === undefined) throw tencentError('MissingParameter', 'the group id is required.');
  const group = account.groups.get(id);
  if (!group) throw tencentError('ResourceNotFound.GroupNotExist', 'group not exist.');
  return group;
}

/** The CAM actions. */
export const camActions: Readonly<Record<string, CamAction>> = {
  GetRole(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core);
    requireAllowed(world, principal, 'cam:GetRole', roleResource(account, role.roleName));
    return { RoleInfo: roleInfo(role, account) };
  },

  DescribeRoleList(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:DescribeRoleList');
    // Both are required (DescribeRoleListRequest); a role must carry every tag of the filter, key and value.
    requiredInteger(params, 'Page');
    requiredInteger(params, 'Rp');
    const account = actingAccount(world, principal);
    const filter = tagsOf(params);
    const roles = [...account.roles.values()]
      .filter((r) => visible(r, core))
      .filter((r) => Object.entries(filter).every(([k, v]) => r.tags[k] === v))
      .sort((a, b) => (a.roleId < b.roleId ? -1 : 1));
    return { List: page(params, roles).map((r) => roleInfo(r, account)), TotalNum: roles.length };
  },

  CreateRole(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const roleName = requiredString(params, 'RoleName');
    requireAllowed(world, principal, 'cam:CreateRole', roleResource(account, roleName));
    if (!ROLE_NAME.test(roleName)) throw tencentError('InvalidParameter.RoleNameError', 'role name is invalid.');
    if (account.roles.has(roleName.toLowerCase()))
      throw tencentError('InvalidParameter.RoleNameInUse', 'role name in use.');
    const description = optionalString(params, 'Description') ?? '';
    if (description.length > 300)
      throw tencentError('InvalidParameter.DescriptionLengthOverlimit', 'description is longer than 300 characters.');
    const policyDocument = storeTrust(world, requiredString(params, 'PolicyDocument'));
    const now = core.now();
    const role: CamRoleState = {
      roleId: newCamRoleId(),
      roleName,
      policyDocument,
      description,
      addTime: camTime(now),
      updateTime: camTime(now),
      sessionDuration: optionalInteger(params, 'SessionDuration') ?? 0,
      tags: tagsOf(params),
      attached: [],
      visibleFrom: now.getTime() + world.quirks.readLagMs,
    };
    account.roles.set(roleName.toLowerCase(), role);
    return { RoleId: role.roleId };
  },

  UpdateAssumeRolePolicy(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core);
    requireAllowed(world, principal, 'cam:UpdateAssumeRolePolicy', roleResource(account, role.roleName));
    role.policyDocument = storeTrust(world, requiredString(params, 'PolicyDocument'));
    role.updateTime = camTime(core.now());
    return {};
  },

  UpdateRoleDescription(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core);
    requireAllowed(world, principal, 'cam:UpdateRoleDescription', roleResource(account, role.roleName));
    const description = requiredString(params, 'Description');
    if (description.length > 300)
      throw tencentError('InvalidParameter.DescriptionLengthOverlimit', 'description is longer than 300 characters.');
    role.description = description;
    role.updateTime = camTime(core.now());
    return {};
  },

  TagRole(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core);
    requireAllowed(world, principal, 'cam:TagRole', roleResource(account, role.roleName));
    Object.assign(role.tags, tagsOf(params));
    return {};
  },

  UntagRole(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core);
    requireAllowed(world, principal, 'cam:UntagRole', roleResource(account, role.roleName));
    const keys = params['TagKeys'];
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string'))
      throw tencentError('MissingParameter', 'TagKeys is a list of tag keys.');
    for (const key of keys as string[]) delete role.tags[key];
    return {};
  },

  AttachRolePolicy(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core, 'Attach');
    requireAllowed(world, principal, 'cam:AttachRolePolicy', roleResource(account, role.roleName));
    const policy = namedPolicy(account, params, core);
    if (!role.attached.some((a) => a.policyName === policy.policyName && a.policyType === policy.policyType)) {
      if (role.attached.length >= 200) throw tencentError('InvalidParameter.AttachmentFull', 'attachments are full.');
      role.attached.push(policy);
    }
    return {};
  },

  DetachRolePolicy(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core, 'Detach');
    requireAllowed(world, principal, 'cam:DetachRolePolicy', roleResource(account, role.roleName));
    const policy = namedPolicy(account, params, core);
    role.attached = role.attached.filter(
      (a) => !(a.policyName === policy.policyName && a.policyType === policy.policyType),
    );
    return {};
  },

  ListAttachedRolePolicies(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core);
    requireAllowed(world, principal, 'cam:ListAttachedRolePolicies', roleResource(account, role.roleName));
    const type = optionalString(params, 'PolicyType');
    const attached = role.attached.filter((a) => type === undefined || a.policyType === type);
    return {
      List: page(params, attached).map((a) => ({
        PolicyId: String(a.policyId),
        PolicyName: a.policyName,
        AddTime: a.addTime,
        PolicyType: a.policyType,
        CreateMode: a.policyType === 'QCS' ? 2 : 1,
        Deactived: 0,
        DeactivedDetail: [],
        Description: '',
      })),
      TotalNum: attached.length,
    };
  },

  DeleteRole(world, principal, params, core) {
    const account = actingAccount(world, principal);
    const role = namedRole(account, params, core);
    requireAllowed(world, principal, 'cam:DeleteRole', roleResource(account, role.roleName));
    account.roles.delete(role.roleName.toLowerCase());
    return {};
  },

  CreatePolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:CreatePolicy');
    const account = actingAccount(world, principal);
    const policyName = requiredString(params, 'PolicyName');
    if (!/^[\w+=,.@-]{1,128}$/.test(policyName))
      throw tencentError('InvalidParameter.PolicyNameError', 'policy name is invalid.');
    if (
      [...account.policies.values()].some((p) => p.policyName === policyName) ||
      Object.hasOwn(PRESET_POLICIES, policyName)
    )
      throw tencentError('FailedOperation.PolicyNameInUse', 'policy name in use.');
    const now = core.now();
    const policy: CamPolicyState = {
      policyId: world.nextPolicyId++,
      policyName,
      document: storedPermissionDocument(requiredString(params, 'PolicyDocument')),
      description: optionalString(params, 'Description') ?? '',
      addTime: camTime(now),
      updateTime: camTime(now),
      users: new Set(),
      visibleFrom: now.getTime() + world.quirks.readLagMs,
    };
    account.policies.set(policy.policyId, policy);
    return { PolicyId: policy.policyId };
  },

  GetPolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:GetPolicy');
    const policy = customPolicy(actingAccount(world, principal), params, core);
    return {
      PolicyName: policy.policyName,
      Description: policy.description,
      Type: 1,
      AddTime: policy.addTime,
      UpdateTime: policy.updateTime,
      PolicyDocument: policy.document,
      PresetAlias: '',
      IsServiceLinkedRolePolicy: 0,
    };
  },

  UpdatePolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:UpdatePolicy');
    const policy = customPolicy(actingAccount(world, principal), params, core);
    const document = optionalString(params, 'PolicyDocument');
    if (document !== undefined) policy.document = storedPermissionDocument(document);
    const description = optionalString(params, 'Description');
    if (description !== undefined) policy.description = description;
    policy.updateTime = camTime(core.now());
    return { PolicyId: policy.policyId };
  },

  ListPolicies(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:ListPolicies');
    // ListPoliciesRequest: "Page ... cannot be greater than 200".
    if ((optionalInteger(params, 'Page') ?? 1) > 200)
      throw tencentError('InvalidParameter.ParamError', 'Page cannot be greater than 200.');
    const keyword = optionalString(params, 'Keyword');
    const scope = optionalString(params, 'Scope') ?? 'All';
    const custom = [...actingAccount(world, principal).policies.values()]
      .filter((p) => visible(p, core) && scope !== 'QCS')
      .filter((p) => keyword === undefined || p.policyName.includes(keyword));
    return {
      List: page(params, custom).map((p) => ({
        PolicyId: p.policyId,
        PolicyName: p.policyName,
        AddTime: p.addTime,
        Type: 1,
        Description: p.description,
        CreateMode: 1,
        Attachments: p.users.size,
        ServiceType: '',
        IsAttached: p.users.size > 0 ? 1 : 0,
        UpdateTime: p.updateTime,
      })),
      TotalNum: custom.length,
      ServiceTypeList: [],
    };
  },

  AttachUserPolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:AttachUserPolicy');
    const account = actingAccount(world, principal);
    const policy = customPolicy(account, params, core);
    const uin = optionalInteger(params, 'AttachUin');
    if (uin === undefined) throw tencentError('MissingParameter', 'AttachUin is required.');
    if (!account.subUsers.has(String(uin))) throw tencentError('ResourceNotFound.UserNotExist', 'user not exist.');
    policy.users.add(String(uin));
    return {};
  },

  DetachUserPolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:DetachUserPolicy');
    const account = actingAccount(world, principal);
    const policy = customPolicy(account, params, core);
    const uin = optionalInteger(params, 'DetachUin');
    if (uin === undefined) throw tencentError('MissingParameter', 'DetachUin is required.');
    policy.users.delete(String(uin));
    return {};
  },

  ListEntitiesForPolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:ListEntitiesForPolicy');
    const account = actingAccount(world, principal);
    const policy = customPolicy(account, params, core);
    const filter = optionalString(params, 'EntityFilter') ?? 'All';
    if (!['All', 'User', 'Group', 'Role'].includes(filter))
      throw tencentError('InvalidParameter.ParamError', 'EntityFilter is one of All, User, Group, Role.');
    const users = [...policy.users].sort().map((uin) => ({
      Id: uin,
      Name: account.subUsers.get(uin)?.name ?? uin,
      Uin: Number(uin),
      RelatedType: 1,
      AttachmentTime: policy.updateTime,
    }));
    // CAM answers a group or a role without a Uin: RelatedType 2 is a user group, 3 a role.
    const groups = [...account.groups.values()]
      .filter((g) => g.policies.has(policy.policyId))
      .map((g) => ({ Id: String(g.groupId), Name: g.groupName, RelatedType: 2, AttachmentTime: policy.updateTime }));
    const roles = [...account.roles.values()]
      .filter((r) => r.attached.some((a) => a.policyType === 'User' && a.policyId === policy.policyId))
      .map((r) => ({ Id: r.roleId, Name: r.roleName, RelatedType: 3, AttachmentTime: policy.updateTime }));
    const entities = [
      ...(filter === 'All' || filter === 'User' ? users : []),
      ...(filter === 'All' || filter === 'Group' ? groups : []),
      ...(filter === 'All' || filter === 'Role' ? roles : []),
    ];
    return { TotalNum: entities.length, List: page(params, entities) };
  },

  CreateGroup(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:CreateGroup');
    const account = actingAccount(world, principal);
    const groupName = requiredString(params, 'GroupName');
    if ([...account.groups.values()].some((g) => g.groupName === groupName))
      throw tencentError('FailedOperation.GroupNameInUse', 'group name in use.');
    const group = {
      groupId: world.nextGroupId++,
      groupName,
      members: new Set<string>(),
      policies: new Set<number>(),
      addTime: camTime(core.now()),
    };
    account.groups.set(group.groupId, group);
    return { GroupId: group.groupId };
  },

  AddUserToGroup(world, principal, params, _core) {
    requireAllowed(world, principal, 'cam:AddUserToGroup');
    const account = actingAccount(world, principal);
    const info = params['Info'];
    if (!Array.isArray(info) || info.length === 0)
      throw tencentError('MissingParameter', 'Info is a list of {GroupId, Uin}.');
    for (const item of info as { GroupId?: unknown; Uin?: unknown }[]) {
      const group = account.groups.get(Number(item.GroupId));
      if (!group) throw tencentError('ResourceNotFound.GroupNotExist', 'group not exist.');
      const uin = String(item.Uin ?? '');
      if (!account.subUsers.has(uin)) throw tencentError('ResourceNotFound.UserNotExist', 'user not exist.');
      group.members.add(uin);
    }
    return {};
  },

  AttachGroupPolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:AttachGroupPolicy');
    const account = actingAccount(world, principal);
    const policy = customPolicy(account, params, core);
    groupOf(account, optionalInteger(params, 'AttachGroupId')).policies.add(policy.policyId);
    return {};
  },

  DetachGroupPolicy(world, principal, params, core) {
    requireAllowed(world, principal, 'cam:DetachGroupPolicy');
    const account = actingAccount(world, principal);
    const policy = customPolicy(account, params, core);
    groupOf(account, optionalInteger(params, 'DetachGroupId')).policies.delete(policy.policyId);
    return {};
  },

  DeletePolicy(world, principal, params, _core) {
    requireAllowed(world, principal, 'cam:DeletePolicy');
    const account = actingAccount(world, principal);
    const ids = params['PolicyId'];
    if (!Array.isArray(ids) || ids.length === 0) throw tencentError('MissingParameter', 'PolicyId is a list of ids.');
    for (const id of ids) {
      if (!account.policies.has(Number(id)))
        throw tencentError('ResourceNotFound.PolicyIdNotFound', `policy ${id} not exist.`);
    }
    for (const id of ids) {
      // Deleting a custom policy detaches it from every group and role that held it.
      account.policies.delete(Number(id));
      for (const group of account.groups.values()) group.policies.delete(Number(id));
      for (const role of account.roles.values())
        role.attached = role.attached.filter((a) => !(a.policyType === 'User' && a.policyId === Number(id)));
    }
    return {};
  },
};
