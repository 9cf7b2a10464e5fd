/**
 * KMS 2016-01-20 Secrets Manager emulation: GetSecretValue as `@alicloud/kms20160120` (the RPC client
 * generation: V2 signature, HMAC-SHA1) and openapi-core's `callApi` (ACS3-HMAC-SHA256, the product's reader)
 * call it. The caller needs `kms:GetSecretValue` on
 * `acs:kms:<region>:<account>:secret/<name>`; without it the answer is 403 `Forbidden.NoPermission`, checked
 * before the secret is looked up (so a refusal never tells whether a secret exists). An unknown secret, version
 * id or stage answers 404 `Forbidden.ResourceNotFound`. Without VersionId or VersionStage the `ACSCurrent`
 * version is returned.
 *
 * Admin routes (local cloud only): `POST /__admin/kms/secrets` `{account, name, data, versionId?}` puts a new
 * version (creating the secret), which becomes `ACSCurrent`; `GET /__admin/kms/secrets[?account=]` lists the
 * secrets and their versions without their values.
 */
import { z } from 'zod';
import type { CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../../contract.js';
import { CloudSetupError, LocalCloudError } from '../../errors.js';
import { rpcServiceModule } from '../rpc-service.js';
import {
  findSecret,
  KMS_SERVICE,
  kmsOptions,
  kmsState,
  putSecretVersion,
  restoreKms,
  SECRET_NAME,
  SecretStage,
  snapshotKms,
} from './store.js';

/** The API version KMS answers. */
export const KMS_VERSION = '2016-01-20';

/** The error codes the local KMS answers with. */
export const KmsErrorCode = {
  NoPermission: 'Forbidden.NoPermission',
  ResourceNotFound: 'Forbidden.ResourceNotFound',
  MissingParameter: 'MissingParameter',
  InvalidParameter: 'InvalidParameter',
  ActionNotFound: 'InvalidAction.NotFound',
} as const;

const SECRET_ARN = /^acs:kms:([a-z0-9-]+):(\d{16}):secret\/(.+)$/;

const notFound = () => new LocalCloudError(404, KmsErrorCode.ResourceNotFound, 'Resource not found.');

/** The secret a request names: its account, name and ARN (a name is in the caller's account). */
function secretTarget(
  core: CloudCore,
  principal: Principal,
  secretName: string,
): { accountId: string; name: string; arn: string } {
  const region = kmsOptions(core).region;
  const arn = SECRET_ARN.exec(secretName);
  const [accountId, name] = arn ? [arn[2] ?? '', arn[3] ?? ''] : [principal.accountId, secretName];
  if (!SECRET_NAME.test(name)) {
    throw new LocalCloudError(400, KmsErrorCode.InvalidParameter, 'The parameter SecretName is not valid.');
  }
  return { accountId, name, arn: `acs:kms:${arn?.[1] ?? region}:${accountId}:secret/${name}` };
}

function getSecretValue(core: CloudCore, principal: Principal, params: Readonly<Record<string, string>>) {
  const secretName = params['SecretName'];
  if (secretName === undefined || secretName === '') {
    throw new LocalCloudError(400, KmsErrorCode.MissingParameter, 'The parameter SecretName is required.');
  }
  const target = secretTarget(core, principal, secretName);
  const allowed =
    target.accountId === principal.accountId && core.isAllowed(principal, 'kms:GetSecretValue', target.arn);
  if (!allowed) {
    throw new LocalCloudError(403, KmsErrorCode.NoPermission, 'This operation is forbidden by permission system.');
  }
  const secret = findSecret(kmsState(core), target.accountId, target.name);
  if (!secret) throw notFound();
  const versionId = params['VersionId'] || undefined;
  const stage = params['VersionStage'] || (versionId ? undefined : SecretStage.Current);
  const version = secret.versions.find(
    (v) => (versionId === undefined || v.versionId === versionId) && (stage === undefined || v.stages.includes(stage)),
  );
  if (!version) throw notFound();
  return {
    SecretName: secret.name,
    SecretType: 'Generic',
    VersionId: version.versionId,
    CreateTime: version.createTime,
    SecretData: version.secretData,
    SecretDataType: version.secretDataType,
    VersionStages: { VersionStage: [...version.stages] },
  };
}

const AdminSecretBody = z
  .object({
    account: z.string().regex(/^\d{16}$/, 'an account id is 16 digits'),
    name: z.string().regex(SECRET_NAME, 'a secret name is letters, digits and _/+=.@- (at most 192)'),
    data: z.string(),
    versionId: z.string().min(1).max(64).optional(),
  })
  .strict();

function adminJson(status: number, body: unknown): CloudReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function admin(call: CloudCall, subpath: string, core: CloudCore): Promise<CloudReply | undefined> {
  if (subpath !== 'secrets') return undefined;
  if (call.method === 'GET') {
    const only = call.url.searchParams.get('account');
    const listed = [...kmsState(core).secretsByAccount]
      .filter(([account]) => only === null || account === only)
      .map(([account, secrets]) => [
        account,
        [...secrets.values()].map((s) => ({
          name: s.name,
          createTime: s.createTime,
          versions: s.versions.map((v) => ({ versionId: v.versionId, createTime: v.createTime, stages: v.stages })),
        })),
      ]);
    return adminJson(200, { secrets: Object.fromEntries(listed) });
  }
  if (call.method !== 'POST') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(call.body.toString('utf8'));
  } catch {
    raw = undefined;
  }
  const body = AdminSecretBody.safeParse(raw);
  if (!body.success) {
    return adminJson(400, {
      error:
        'body must be {"account": "<account id>", "name": "<secret name>", "data": "<value>", "versionId"?: "<id>"}',
      issues: body.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    });
  }
  const { account, name, data, versionId } = body.data;
  try {
    const version = putSecretVersion(
      kmsState(core),
      account,
      { name, secretData: data, ...(versionId ? { versionId } : {}) },
      core.now(),
    );
    return adminJson(200, { account, name, versionId: version.versionId, stages: version.stages });
  } catch (error) {
    if (error instanceof CloudSetupError) return adminJson(409, { error: error.message });
    throw error;
  }
}

/** The KMS Secrets Manager service module. */
export const kmsService: ServiceModule = {
  ...rpcServiceModule(KMS_SERVICE, KMS_VERSION, { GetSecretValue: getSecretValue }),
  admin,
  snapshot(core: CloudCore): unknown {
    return snapshotKms(core);
  },
  restore(core: CloudCore, data: unknown): void {
    restoreKms(core, data);
  },
};
