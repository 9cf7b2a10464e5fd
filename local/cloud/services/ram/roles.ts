/**
 * RAM role operations: CreateRole, GetRole, UpdateRole, DeleteRole, ListRoles, shaped as
 * `@alicloud/ram20150501` maps them (`Role{...}`, `Roles{Role[]}`, `IsTruncated`, `Marker`).
 */
import type { RoleState } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';
import { findRole, newRoleId, ramDate, roleArn, roleResource } from '../../roles.js';
import { prettyTrustPolicy, storedTrustPolicy } from '../../trust-policy.js';
import {
  authorize,
  intParam,
  type RamAction,
  type RamCall,
  required,
  settlingDetaches,
  settlingKey,
  tagsParam,
  targetRole,
  validRoleName,
} from './context.js';

const DEFAULT_MAX_ROLES = 1000;

function roleBody(call: RamCall, role: RoleState, withDocument: boolean, pretty = false): Record<string, unknown> {
  const body: Record<string, unknown> = {
    RoleId: role.roleId,
    RoleName: role.name,
    Arn: roleArn(call.account.id, role.name),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    CreateDate: role.createDate,
    UpdateDate: role.updateDate,
  };
  if (withDocument) body['AssumeRolePolicyDocument'] = pretty ? prettyTrustPolicy(role.trustPolicy) : role.trustPolicy;
  return body;
}

function description(call: RamCall, name: string): string | undefined {
  const value = call.params[name];
  if (value !== undefined && value.length > 1024) {
    throw new LocalCloudError(
      400,
      `InvalidParameter.${name}.Length`,
      `The parameter ${name} must be at most 1024 characters long.`,
    );
  }
  return value;
}

function quirks(call: RamCall): { principalsAsArrays?: boolean } {
  return { principalsAsArrays: call.options.principalsAsArrays === true };
}

/** CreateRole: RoleName, AssumeRolePolicyDocument, Description, MaxSessionDuration, Tag. */
export const createRole: RamAction = (call) => {
  const name = validRoleName(required(call, 'RoleName'));
  const document = required(call, 'AssumeRolePolicyDocument');
  const desc = description(call, 'Description') ?? '';
  const maxSessionDuration = intParam(call, 'MaxSessionDuration', 3600, 43200, 3600);
  const tags = tagsParam(call);
  authorize(call, 'CreateRole', roleResource(call.account.id, name));
  const trustPolicy = storedTrustPolicy(document, call.account.id, quirks(call));
  if (findRole(call.account, name))
    throw new LocalCloudError(409, 'EntityAlreadyExists.Role', `The role already exists: ${name}.`);
  if (call.account.roles.size >= (call.options.maxRoles ?? DEFAULT_MAX_ROLES)) {
    throw new LocalCloudError(
      409,
      'LimitExceeded.Role',
      `The count of roles beyond the current limits: ${call.options.maxRoles ?? DEFAULT_MAX_ROLES}.`,
    );
  }
  const now = ramDate(call.core.now());
  const role: RoleState = {
    name,
    roleId: newRoleId(),
    description: desc,
    trustPolicy,
    maxSessionDuration,
    createDate: now,
    updateDate: now,
    policies: [],
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
  };
  call.account.roles.set(name, role);
  const body = roleBody(call, role, true);
  delete body['UpdateDate'];
  return { Role: body };
};

/** GetRole: RoleName -> Role with AssumeRolePolicyDocument (pretty-printed when configured). */
export const getRole: RamAction = (call) => {
  const role = targetRole(call, 'GetRole');
  return { Role: roleBody(call, role, true, call.options.prettyPrint === true) };
};

/** UpdateRole: NewAssumeRolePolicyDocument, NewDescription, NewMaxSessionDuration (each optional). */
export const updateRole: RamAction = (call) => {
  const document = call.params['NewAssumeRolePolicyDocument'];
  const desc = description(call, 'NewDescription');
  const hasDuration = call.params['NewMaxSessionDuration'] !== undefined && call.params['NewMaxSessionDuration'] !== '';
  const maxSessionDuration = intParam(call, 'NewMaxSessionDuration', 3600, 43200, 3600);
  const role = targetRole(call, 'UpdateRole');
  const trustPolicy =
    document !== undefined && document !== ''
      ? storedTrustPolicy(document, call.account.id, quirks(call), 'NewAssumeRolePolicyDocument')
      : undefined;
  if (trustPolicy !== undefined) role.trustPolicy = trustPolicy;
  if (desc !== undefined) role.description = desc;
  if (hasDuration) role.maxSessionDuration = maxSessionDuration;
  role.updateDate = ramDate(call.core.now());
  return { Role: roleBody(call, role, true) };
};

/**
 * DeleteRole: refused with `DeleteConflict.Role.Policy` while policies are attached, and for
 * `detachSettleSeconds` after the last one was detached (RAM's eventual consistency).
 */
export const deleteRole: RamAction = (call) => {
  const role = targetRole(call, 'DeleteRole');
  const settling = settlingDetaches(call.core);
  const key = settlingKey(call.account.id, role.name);
  const settledAt = settling.get(key);
  if (role.policies.length > 0 || (settledAt !== undefined && call.core.now().getTime() < settledAt)) {
    throw new LocalCloudError(
      409,
      'DeleteConflict.Role.Policy',
      `The role still has policies attached: ${role.name}. Detach them first.`,
    );
  }
  settling.delete(key);
  call.account.roles.delete(role.name);
  return {};
};

function encodeMarker(index: number): string {
  return Buffer.from(`roles:${index}`).toString('base64');
}

function decodeMarker(marker: string): number {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  const match = /^roles:(\d+)$/.exec(text);
  if (!match) throw new LocalCloudError(400, 'InvalidParameter.Marker', 'The parameter Marker is invalid.');
  return Number(match[1]);
}

/** ListRoles: Marker / MaxItems (1-1000, default 100), optional Tag filter; no trust documents. */
export const listRoles: RamAction = (call) => {
  const maxItems = intParam(call, 'MaxItems', 1, 1000, 100);
  const marker = call.params['Marker'];
  const start = marker ? decodeMarker(marker) : 0;
  const tagFilter = tagsParam(call);
  authorize(call, 'ListRoles', roleResource(call.account.id, '*'));
  const all = [...call.account.roles.values()].filter((r) => tagFilter.every((t) => r.tags[t.key] === t.value));
  const page = all.slice(start, start + maxItems);
  const truncated = start + maxItems < all.length;
  const body: Record<string, unknown> = {
    IsTruncated: truncated,
    Roles: {
      Role: page.map((r) => {
        const item = roleBody(call, r, false);
        const tags = Object.entries(r.tags);
        if (tags.length > 0) item['Tags'] = { Tag: tags.map(([TagKey, TagValue]) => ({ TagKey, TagValue })) };
        return item;
      }),
    },
  };
  if (truncated) body['Marker'] = encodeMarker(start + maxItems);
  return body;
};
