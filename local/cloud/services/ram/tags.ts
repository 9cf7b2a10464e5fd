/**
 * RAM resource tags for roles: TagResources, UntagResources, ListTagResources (`ResourceType` "role").
 */
import type { RoleState } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';
import { findRole, roleResource } from '../../roles.js';
import { authorize, intParam, jsonArrayParam, type RamAction, type RamCall, required, tagsParam } from './context.js';

const MAX_TAGS_PER_ROLE = 20;

function resourceType(call: RamCall, optional: boolean): 'role' | undefined {
  const type = optional ? call.params['ResourceType'] : required(call, 'ResourceType');
  if (type === undefined || type === '') return undefined;
  if (type !== 'role' && type !== 'policy') {
    throw new LocalCloudError(
      400,
      'InvalidParameter.ResourceType',
      'The parameter ResourceType must be "role" or "policy".',
    );
  }
  if (type === 'policy')
    throw new LocalCloudError(400, 'InvalidParameter.ResourceType', 'The local cloud tags roles only.');
  return type;
}

function resourceNames(call: RamCall, max: number): string[] | undefined {
  const list = jsonArrayParam(call, 'ResourceNames');
  if (list === undefined) return undefined;
  if (list.length > max || list.some((n) => typeof n !== 'string')) {
    throw new LocalCloudError(
      400,
      'InvalidParameter.ResourceNames',
      `ResourceNames is a list of at most ${max} role names.`,
    );
  }
  return list as string[];
}

function rolesNamed(call: RamCall, names: readonly string[], action: string): RoleState[] {
  return names.map((name) => {
    authorize(call, action, roleResource(call.account.id, name));
    const role = findRole(call.account, name);
    if (!role) throw new LocalCloudError(404, 'EntityNotExist.Role', `The role not exists: ${name}.`);
    return role;
  });
}

/** TagResources: ResourceType role, ResourceNames (<= 50), Tag (<= 20). */
export const tagResources: RamAction = (call) => {
  resourceType(call, false);
  const names = resourceNames(call, 50);
  if (!names || names.length === 0)
    throw new LocalCloudError(400, 'MissingResourceNames', 'ResourceNames is mandatory for this action.');
  const tags = tagsParam(call);
  if (tags.length === 0) throw new LocalCloudError(400, 'MissingTag', 'Tag is mandatory for this action.');
  const roles = rolesNamed(call, names, 'TagResources');
  for (const role of roles) {
    const merged = { ...role.tags, ...Object.fromEntries(tags.map((t) => [t.key, t.value])) };
    if (Object.keys(merged).length > MAX_TAGS_PER_ROLE) {
      throw new LocalCloudError(
        400,
        'LimitExceeded.Tag',
        `A role carries at most ${MAX_TAGS_PER_ROLE} tags: ${role.name}.`,
      );
    }
  }
  for (const role of roles) for (const t of tags) role.tags[t.key] = t.value;
  return {};
};

/** UntagResources: ResourceType role, ResourceNames, TagKeys or All. */
export const untagResources: RamAction = (call) => {
  resourceType(call, false);
  const names = resourceNames(call, 50) ?? [];
  const keys = (jsonArrayParam(call, 'TagKeys') ?? []).filter((k): k is string => typeof k === 'string');
  const all = call.params['All'] === 'true';
  for (const role of rolesNamed(call, names, 'UntagResources')) {
    if (all) role.tags = {};
    else for (const key of keys) delete role.tags[key];
  }
  return {};
};

/** ListTagResources: ResourceType, ResourceNames, Tag filter, PageSize (1-100, default 50), NextToken. */
export const listTagResources: RamAction = (call) => {
  resourceType(call, true);
  const names = resourceNames(call, 50);
  const filter = tagsParam(call);
  const pageSize = intParam(call, 'PageSize', 1, 100, 50);
  const token = call.params['NextToken'];
  authorize(call, 'ListTagResources', roleResource(call.account.id, '*'));
  let start = 0;
  if (token) {
    start = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      throw new LocalCloudError(400, 'InvalidParameter.NextToken', 'The parameter NextToken is invalid.');
  }
  const roles = names
    ? names.map((n) => findRole(call.account, n)).filter((r): r is RoleState => r !== undefined)
    : [...call.account.roles.values()];
  const rows = roles
    .filter((r) => filter.every((t) => r.tags[t.key] === t.value))
    .flatMap((r) =>
      Object.entries(r.tags).map(([TagKey, TagValue]) => ({
        ResourceName: r.name,
        ResourceType: 'role',
        TagKey,
        TagValue,
      })),
    );
  const page = rows.slice(start, start + pageSize);
  const body: Record<string, unknown> = { TagResources: page };
  if (start + pageSize < rows.length) body['NextToken'] = Buffer.from(String(start + pageSize)).toString('base64');
  return body;
};
