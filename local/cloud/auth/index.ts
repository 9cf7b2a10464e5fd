/**
 * Request authentication for emulated Alibaba APIs: V3 (`ACS3-HMAC-SHA256`) and V2 RPC (`HMAC-SHA1`) signature
 * verification, RPC parameter and reply helpers.
 */
import type { CallIdentity, CloudCall, CloudCore, Principal } from '../contract.js';
import { acs3AccessKeyId, authenticateAcs3 } from './acs3.js';
import { authenticateRpcV2, isRpcV2Signed } from './rpc-v2.js';

export { acs3AccessKeyId, authenticateAcs3, parseAcs3Authorization } from './acs3.js';
export { acsEncode } from './encoding.js';
export {
  checkFreshness,
  DEFAULT_MAX_CLOCK_SKEW_SECONDS,
  GATEWAY_SERVICE,
  type GatewayOptions,
} from './freshness.js';
export { hostOf, newRequestId, rpcErrorReply, rpcJsonReply, rpcParams } from './rpc-reply.js';
export { authenticateRpcV2, isRpcV2Signed } from './rpc-v2.js';

/** Authenticate an RPC-style call signed either way (V2 when a `Signature` parameter is present, else V3). */
export function authenticateRpc(call: CloudCall, core: CloudCore): Principal {
  return isRpcV2Signed(call) ? authenticateRpcV2(call, core) : authenticateAcs3(call, core);
}

/** The access key id an RPC-style call claims, without verifying it (for `identify`). */
export function rpcAccessKeyId(call: CloudCall): string | undefined {
  return call.url.searchParams.get('AccessKeyId') ?? acs3AccessKeyId(call);
}

/** The action and version of an RPC-style call: `x-acs-action`/`x-acs-version` headers, else `Action`/`Version`. */
export function rpcActionOf(call: CloudCall): { action: string; version: string } {
  const action = call.headers['x-acs-action'];
  const version = call.headers['x-acs-version'];
  return {
    action: typeof action === 'string' ? action : (call.url.searchParams.get('Action') ?? ''),
    version: typeof version === 'string' ? version : (call.url.searchParams.get('Version') ?? ''),
  };
}

/**
 * Who an RPC-style call claims to be, what it asks and the resource it names in its query (`RoleName`, else `RoleArn`),
 * unverified: for the request log and fault rules.
 */
export function identifyRpcCall(service: string, call: CloudCall, core: CloudCore): CallIdentity {
  const accessKeyId = rpcAccessKeyId(call);
  const accountId = accessKeyId === undefined ? undefined : core.resolveAccessKey(accessKeyId)?.accountId;
  const resource = call.url.searchParams.get('RoleName') ?? call.url.searchParams.get('RoleArn') ?? undefined;
  return {
    service,
    action: rpcActionOf(call).action,
    ...(accountId !== undefined ? { accountId } : {}),
    ...(accessKeyId !== undefined ? { accessKeyId } : {}),
    ...(resource !== undefined ? { resource } : {}),
  };
}
