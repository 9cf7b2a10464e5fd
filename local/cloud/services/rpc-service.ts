/**
 * The part every RPC-style service module of the local cloud (STS, KMS) shares: it accepts the calls of its API
 * version, identifies them by their signer, answers each known action's JSON body, answers an unknown action
 * `404 InvalidAction.NotFound`, and reports a {@link LocalCloudError} or an injected fault as an RPC error reply.
 */
import {
  authenticateRpc,
  hostOf,
  identifyRpcCall,
  rpcActionOf,
  rpcErrorReply,
  rpcJsonReply,
  rpcParams,
} from '../auth/index.js';
import type { CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../contract.js';
import { LocalCloudError } from '../errors.js';

/** One RPC action: the JSON body it answers the authenticated caller for the request's parameters. */
export type RpcAction = (
  core: CloudCore,
  principal: Principal,
  params: Readonly<Record<string, string>>,
) => Record<string, unknown>;

/** The name, routing, handling and fault replies of an RPC service answering `actions` at API `version`. */
export function rpcServiceModule(
  name: string,
  version: string,
  actions: Readonly<Record<string, RpcAction>>,
): Pick<ServiceModule, 'name' | 'accepts' | 'identify' | 'handle' | 'faultReply'> {
  return {
    name,
    accepts: (call) => rpcActionOf(call).version === version,
    identify: (call, core) => identifyRpcCall(name, call, core),
    async handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
      try {
        const { action } = rpcActionOf(call);
        const principal = authenticateRpc(call, core);
        const answer = Object.hasOwn(actions, action) ? actions[action] : undefined;
        if (!answer) throw new LocalCloudError(404, 'InvalidAction.NotFound', `Specified api is not found: ${action}.`);
        return rpcJsonReply(answer(core, principal, rpcParams(call)));
      } catch (error) {
        if (error instanceof LocalCloudError)
          return rpcErrorReply(error.status, error.code, error.message, { hostId: hostOf(call) });
        throw error;
      }
    },
    faultReply: (fault, call) => rpcErrorReply(fault.status, fault.code, fault.message, { hostId: hostOf(call) }),
  };
}
