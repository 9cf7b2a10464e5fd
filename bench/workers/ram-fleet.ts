/**
 * The fleet as the bench's own loops see it (the floor and the Terraform-style peer): where the cloud is, the keys
 * that assume each account's management role, and the roles of each account. Clients are the product's SDKs,
 * configured as the product configures them (openapi-core config, no SDK retries, 5 s / 10 s timeouts).
 */
import { $OpenApiUtil } from '@alicloud/openapi-core';
import RamSdk from '@alicloud/ram20150501';
import StsSdk from '@alicloud/sts20150401';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';

/** The fleet part of a loop worker's request. */
export const RamFleetSchema = z.object({
  /** `127.0.0.1:<port>` */
  endpoint: z.string().min(1),
  protocol: z.enum(['http', 'https']),
  runner: z.object({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) }),
  managementRole: z.string().min(1),
  accounts: z.array(z.object({ id: z.string().regex(/^\d{16}$/), roles: z.array(z.string().min(1)) })).min(1),
});
/** See {@link RamFleetSchema}. */
export type RamFleet = z.infer<typeof RamFleetSchema>;

/** The RAM client type of `@alicloud/ram20150501`. */
export type RamClient = InstanceType<typeof RamSdk.default>;

/** Runtime options as the product's adapters set them. */
export const RUNTIME = new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false });

function config(
  keys: { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined },
  fleet: RamFleet,
): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    securityToken: keys.securityToken,
    endpoint: fleet.endpoint,
    protocol: fleet.protocol,
    regionId: 'cn-hangzhou',
  });
}

/** Assume the account's management role with the runner's keys; a RAM client signing with the STS keys. */
export async function ramClientFor(fleet: RamFleet, accountId: string): Promise<RamClient> {
  const sts = new StsSdk.default(config(fleet.runner, fleet));
  const res = await sts.assumeRoleWithOptions(
    new StsSdk.AssumeRoleRequest({
      roleArn: `acs:ram::${accountId}:role/${fleet.managementRole.toLowerCase()}`,
      roleSessionName: 'dts-trust-bench',
      durationSeconds: 3600,
    }),
    RUNTIME,
  );
  const c = res.body?.credentials;
  if (!c?.accessKeyId || !c.accessKeySecret) throw new Error(`AssumeRole into ${accountId} gave no credentials`);
  return new RamSdk.default(
    config({ accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken }, fleet),
  );
}

/** The two reads the steady state makes per role: GetRole, then ListPoliciesForRole. */
export const RoleRead = {
  getRole: (ram: RamClient, roleName: string) =>
    ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName }), RUNTIME),
  listPolicies: (ram: RamClient, roleName: string) =>
    ram.listPoliciesForRoleWithOptions(new RamSdk.ListPoliciesForRoleRequest({ roleName }), RUNTIME),
} as const;

/** The SDK error code of a failed call (`Throttling.User`, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The retry delay the SDK read from the answer (`x-acs-retry-after`), ms. */
export function retryAfterMs(error: unknown): number | undefined {
  const after = (error as { retryAfter?: unknown }).retryAfter;
  return typeof after === 'number' && after >= 0 ? after : undefined;
}

/** Whether an error is throttling or a server error, which both loops retry. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  const status = (error as { statusCode?: unknown }).statusCode;
  return /^Throttling/.test(code) || code === 'ServiceUnavailable' || (typeof status === 'number' && status >= 500);
}

/** Sleep `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
