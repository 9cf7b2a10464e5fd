/**
 * RAM 2015-05-01 emulation: role CRUD, role policy attachments and role tags, GetUser, signed with ACS3-HMAC-SHA256 (or
 * RPC V2), permission-checked against the signer's policies, answering as RAM does. Options (`services.ram`):
 * {@link RamOptions}.
 */

import { PUBLISHED_RAM_ACTIONS, publishRamWrite } from '../../actiontrail.js';
import {
  authenticateRpc,
  hostOf,
  identifyRpcCall,
  newRequestId,
  rpcActionOf,
  rpcErrorReply,
  rpcJsonReply,
  rpcParams,
} from '../../auth/index.js';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, ServiceModule } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';
import type { RamAction, RamOptions } from './context.js';
import { createPolicy, getPolicy } from './custom-policies.js';
import { attachPolicyToRole, detachPolicyFromRole, listPoliciesForRole } from './policies.js';
import { createRole, deleteRole, getRole, listRoles, updateRole } from './roles.js';
import { listTagResources, tagResources, untagResources } from './tags.js';
import { getUser } from './users.js';

export type { RamOptions } from './context.js';

/** The API version RAM answers. */
export const RAM_VERSION = '2015-05-01';

const ACTIONS: Readonly<Record<string, RamAction>> = {
  CreateRole: createRole,
  GetRole: getRole,
  UpdateRole: updateRole,
  DeleteRole: deleteRole,
  ListRoles: listRoles,
  AttachPolicyToRole: attachPolicyToRole,
  DetachPolicyFromRole: detachPolicyFromRole,
  ListPoliciesForRole: listPoliciesForRole,
  CreatePolicy: createPolicy,
  GetPolicy: getPolicy,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
  GetUser: getUser,
};

function errorReply(call: CloudCall, error: LocalCloudError): CloudReply {
  return rpcErrorReply(error.status, error.code, error.message, {
    hostId: hostOf(call),
    ...(error.extra ? { extra: error.extra } : {}),
  });
}

/** The RAM service module. */
export const ramModule: ServiceModule = {
  name: 'ram',
  accepts(call: CloudCall): boolean {
    return rpcActionOf(call).version === RAM_VERSION;
  },
  identify(call: CloudCall, core: CloudCore): CallIdentity {
    return identifyRpcCall('ram', call, core);
  },
  async handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
    try {
      const { action } = rpcActionOf(call);
      const principal = authenticateRpc(call, core);
      const handler = ACTIONS[action];
      if (!handler) throw new LocalCloudError(404, 'InvalidAction.NotFound', `Specified api is not found: ${action}.`);
      const account = core.accounts.get(principal.accountId);
      if (!account) throw new LocalCloudError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
      const options = core.serviceOptions<RamOptions>('ram') ?? {};
      const params = rpcParams(call);
      const body = handler({ core, principal, account, params, options });
      if (PUBLISHED_RAM_ACTIONS.has(action) && params['RoleName'] !== undefined) {
        // ActionTrail publishes the write to the account's default bus once it succeeded.
        publishRamWrite(core, {
          accountId: account.id,
          eventName: action,
          roleName: params['RoleName'],
          actor: { kind: 'principal', principal },
          parameters: params,
        });
      }
      return rpcJsonReply(body, newRequestId());
    } catch (error) {
      if (error instanceof LocalCloudError) return errorReply(call, error);
      throw error;
    }
  },
  faultReply(fault, call): CloudReply {
    return rpcErrorReply(fault.status, fault.code, fault.message, { hostId: hostOf(call) });
  },
};
