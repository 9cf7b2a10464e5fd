/**
 * The Tencent Cloud API 3.0 module of the local cloud: CAM, STS and the DTS call the oracle needs, on the same
 * address as the Alibaba services. It accepts TC3-HMAC-SHA256 calls, routes them by `X-TC-Version` and
 * `X-TC-Action`, verifies the signature as the real SDK makes it, and answers HTTP 200 with `Response` (an error
 * as `Response.Error`). Admin: `POST /__admin/tencent/quirks` sets CAM's quirks at runtime.
 */
import type { CallIdentity, CloudCall, CloudCore, CloudReply, ServiceModule } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';
import { CAM_VERSION, type CamAction, camActions } from './cam.js';
import { DEFAULT_CAM_QUIRKS } from './documents.js';
import { TENCENT_DTS_VERSION, tencentDtsActions } from './dts.js';
import { tencentErrorReply, tencentFaultCode, tencentReply } from './replies.js';
import { TENCENT_STS_VERSION, tencentStsActions } from './sts.js';
import { isTc3Call, parseTc3Authorization, tc3Target, verifyTc3 } from './tc3.js';
import { accountOfSecretId, principalOf, TENCENT_SERVICE, tencentWorld } from './world.js';

/** Each API by version: the name the request log and faults use, and its actions. */
const APIS: Readonly<Record<string, { name: string; actions: Readonly<Record<string, CamAction>> }>> = {
  [CAM_VERSION]: { name: 'cam', actions: camActions },
  [TENCENT_STS_VERSION]: { name: 'tencent-sts', actions: tencentStsActions },
  [TENCENT_DTS_VERSION]: { name: 'tencent-dts', actions: tencentDtsActions },
};

function paramsOf(call: CloudCall): Record<string, unknown> {
  if (call.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.body.toString('utf8'));
  } catch {
    throw new LocalCloudError(200, 'InvalidParameter', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new LocalCloudError(200, 'InvalidParameter', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function header(call: CloudCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The Tencent module. */
export const tencentModule: ServiceModule = {
  name: TENCENT_SERVICE,
  accepts: isTc3Call,
  identify(call: CloudCall, core: CloudCore): CallIdentity {
    const { action, version } = tc3Target(call);
    const id: CallIdentity = { service: APIS[version]?.name ?? TENCENT_SERVICE, action };
    const secretId = /Credential=([^/]+)\//.exec(header(call, 'authorization') ?? '')?.[1];
    if (secretId === undefined) return id;
    const accountId = accountOfSecretId(tencentWorld(core), secretId);
    return { ...id, accessKeyId: secretId, ...(accountId === undefined ? {} : { accountId }) };
  },
  async handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
    try {
      const { action, version } = tc3Target(call);
      const api = APIS[version];
      if (!api) throw new LocalCloudError(200, 'InvalidParameterValue', `The version ${version} is not supported.`);
      const world = tencentWorld(core);
      const auth = parseTc3Authorization(call);
      const principal = principalOf(world, auth.secretId, header(call, 'x-tc-token'), core.now());
      verifyTc3(call, auth, principal.secretKey, core.now());
      const answer = Object.hasOwn(api.actions, action) ? api.actions[action] : undefined;
      if (!answer) throw new LocalCloudError(200, 'InvalidAction', `The action ${action} is not found.`);
      return tencentReply(answer(world, principal, paramsOf(call), core));
    } catch (error) {
      if (error instanceof LocalCloudError) return tencentErrorReply(error.code, error.message);
      throw error;
    }
  },
  faultReply: (fault) => tencentErrorReply(tencentFaultCode(fault), fault.message),
  async admin(call: CloudCall, subpath: string, core: CloudCore): Promise<CloudReply | undefined> {
    if (subpath !== 'quirks') return undefined;
    const world = tencentWorld(core);
    if (call.method === 'POST' || call.method === 'PUT') {
      const body = paramsOf(call);
      world.quirks = {
        stringsAsLists:
          typeof body['stringsAsLists'] === 'boolean' ? body['stringsAsLists'] : world.quirks.stringsAsLists,
        rootAsUin: typeof body['rootAsUin'] === 'boolean' ? body['rootAsUin'] : world.quirks.rootAsUin,
        readLagMs: typeof body['readLagMs'] === 'number' ? body['readLagMs'] : world.quirks.readLagMs,
      };
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...DEFAULT_CAM_QUIRKS, ...world.quirks }),
    };
  },
};
