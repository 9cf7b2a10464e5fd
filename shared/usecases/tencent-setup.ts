/**
 * Setup's Tencent Cloud part: the CAM management role the hub sub-user assumes in each Tencent account (owners, and
 * trusted accounts whose sub-users get the AssumeRole policy), with its trust policy (the hub sub-user, the
 * account's external ID from `tencentManagementExternalIds`) and its least-privilege custom policy
 * (shared/deploy/tencent-permissions.ts). Described for a person to create, or created and repaired with that
 * account's own keys (`--credentials`, used for this run only): the policy created or its document rewritten, the
 * role created or its trust policy rewritten, the policy attached; documents compared by meaning (CAM's rewrites),
 * each change recorded in the audit outbox (`setup.change`) first. Another policy attached to the role (the
 * `QcloudCamFullAccess` an earlier guide asked for) is reported for a person to detach, never detached by setup.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../composition/services.js';
import {
  type CamManagementTrustDocument,
  camManagementRolePolicy,
  camManagementRoleTrustPolicy,
  TencentDuty,
  type TencentHubIdentity,
} from '../deploy/tencent-permissions.js';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { CloudApiError, CloudErrorKind, DtsTrustError } from '../domain/errors.js';
import { parseCamTrustPolicy } from '../policy/tencent/index.js';
import { parsePermissionPolicy } from '../policy/tencent/sub-account-policy.js';
import type { AccountCredentials } from '../ports.js';
import { CAM_READ_LAG_MS, camRoleArn } from '../tencentcloud/cam.js';
import { type TencentKeys, tencentCallerIdentity } from '../tencentcloud/sts-identity.js';

/** What one Tencent account's management role must be. */
export interface TencentManagementRoleSpec {
  readonly accountId: string;
  readonly duties: readonly TencentDuty[];
  readonly roleName: string;
  readonly description: string;
  /** The trust policy, as sent to CAM. */
  readonly trustPolicy: string;
  readonly policyName: string;
  /** The custom policy, as sent to CAM. */
  readonly policy: string;
  readonly policyDescription: string;
}

/** How the policy or the role ended: created, its document rewritten to the spec, or already as specified. */
export type TencentDocumentOutcome = 'created' | 'updated' | 'exists';
/** How the attachment ended. */
export type TencentAttachmentOutcome = 'attached' | 'exists';

/** What setup did for one Tencent account's management role. */
export type TencentManagementRoleOutcome = {
  readonly accountId: string;
  readonly duties: readonly TencentDuty[];
} & (
  | { readonly status: 'described'; readonly spec: TencentManagementRoleSpec }
  /** No keys for the account in `--credentials`: a person creates it. */
  | { readonly status: 'noKeys'; readonly spec: TencentManagementRoleSpec }
  /** The keys given belong to another account: nothing done. */
  | { readonly status: 'wrongAccount'; readonly spec: TencentManagementRoleSpec; readonly signer: string }
  | {
      readonly status: 'applied';
      readonly spec: TencentManagementRoleSpec;
      readonly policy: TencentDocumentOutcome;
      readonly role: TencentDocumentOutcome;
      readonly attachment: TencentAttachmentOutcome;
      /** Other policies attached to the role (wider than it needs): a person detaches them. */
      readonly otherPolicies: readonly string[];
    }
  /** Nothing could be described or done (no Tencent configuration, no external ID, a call failed). */
  | { readonly status: 'failed'; readonly spec?: TencentManagementRoleSpec; readonly message: string }
);

/** True when a Tencent management role needs a person: not created, failed, or carrying other policies. */
export function tencentNeedsAttention(outcome: TencentManagementRoleOutcome): boolean {
  if (outcome.status === 'described') return false;
  if (outcome.status === 'applied') return outcome.otherPolicies.length > 0;
  return true;
}

/** The Tencent accounts setup is asked about, with what dts-trust does in each. */
export interface TencentAccountDuties {
  readonly accountId: string;
  readonly duties: readonly TencentDuty[];
}

/**
 * What dts-trust does in each Tencent account (pure): roles in the owners, sub-user policies in the trusted
 * accounts, both in an account that is both; sorted by UIN.
 */
export function tencentAccountDuties(
  owners: Iterable<string>,
  trustedWithSubUsers: Iterable<string>,
): TencentAccountDuties[] {
  const duties = new Map<string, Set<TencentDuty>>();
  const add = (accountId: string, duty: TencentDuty) => {
    const set = duties.get(accountId) ?? new Set<TencentDuty>();
    set.add(duty);
    duties.set(accountId, set);
  };
  for (const accountId of owners) add(accountId, TencentDuty.Roles);
  for (const accountId of trustedWithSubUsers) add(accountId, TencentDuty.SubAccountPolicies);
  const order = Object.values(TencentDuty);
  return [...duties.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([accountId, set]) => ({ accountId, duties: order.filter((d) => set.has(d)) }));
}

/** The spec of one account's management role (pure). */
export function tencentManagementRoleSpec(
  account: TencentAccountDuties,
  roleName: string,
  hub: TencentHubIdentity,
  externalId: string,
): TencentManagementRoleSpec {
  const trust: CamManagementTrustDocument = camManagementRoleTrustPolicy(hub, externalId);
  return {
    accountId: account.accountId,
    duties: account.duties,
    roleName,
    description: 'dts-trust management role: the hub sub-user reconciles DTS roles and sub-user policies here',
    trustPolicy: JSON.stringify(trust),
    policyName: `${roleName}-policy`,
    policy: JSON.stringify(camManagementRolePolicy(account.accountId, account.duties)),
    policyDescription: 'dts-trust management role policy (npm run cli -- setup)',
  };
}

/** True when two CAM trust policies say the same (CAM's rewrites read away). */
export function sameCamTrustPolicy(a: string, b: string): boolean {
  try {
    return JSON.stringify(parseCamTrustPolicy(a).entries) === JSON.stringify(parseCamTrustPolicy(b).entries);
  } catch {
    return false;
  }
}

/** True when two CAM permission policies grant the same. */
export function sameCamPermissionPolicy(a: string, b: string): boolean {
  try {
    return JSON.stringify(parsePermissionPolicy(a)) === JSON.stringify(parsePermissionPolicy(b));
  } catch {
    return false;
  }
}

/** What the Tencent part of setup is asked to do. */
export interface TencentSetupRequest {
  readonly accounts: readonly TencentAccountDuties[];
  /** `tencentManagementExternalIds` of the trust settings (empty when they could not be read). */
  readonly externalIds: Readonly<Record<string, string>>;
  readonly apply: boolean;
  /** Each Tencent account's own keys, by UIN (to create and repair with). */
  readonly credentials?: Readonly<Record<string, TencentKeys>> | undefined;
  readonly correlationId: string;
}

const messageOf = (error: unknown) => (error instanceof DtsTrustError ? error.message : String(error));

/** Describe, or create and repair, the management role of each Tencent account (see the module's description). */
export async function setUpTencentManagementRoles(
  services: Services,
  request: TencentSetupRequest,
): Promise<TencentManagementRoleOutcome[]> {
  if (request.accounts.length === 0) return [];
  const tencent = services.tencent;
  const config = services.config.tencent;
  if (tencent === undefined || config === undefined) {
    const message =
      'this deployment has no Tencent configuration, so no management role trusts a hub: set DTS_TRUST_TENCENT_HUB_KEYS_SECRET (docs/deploy.md, "Tencent Cloud owners") (TencentNotConfigured)';
    return request.accounts.map((a) => ({ ...a, status: 'failed', message }));
  }
  let hub: TencentHubIdentity;
  try {
    const caller = await tencentCallerIdentity(config.endpoints, await tencent.hubKeys());
    if (caller.kind !== 'user' || caller.userUin === caller.accountId) {
      // A management role trusting the hub root would let every identity of the hub account in.
      throw new CloudApiError({
        api: 'sts:GetCallerIdentity',
        code: 'HubNotASubUser',
        kind: CloudErrorKind.Invalid,
        message: `the hub keys belong to ${caller.arn}, not to a sub-user: give the API keys of the hub sub-user (docs/deploy.md, "Tencent Cloud owners")`,
      });
    }
    hub = { rootUin: caller.accountId, userUin: caller.userUin };
  } catch (error) {
    const message = `the hub sub-user could not be identified: ${messageOf(error)}`;
    return request.accounts.map((a) => ({ ...a, status: 'failed', message }));
  }
  const outcomes: TencentManagementRoleOutcome[] = [];
  for (const account of request.accounts) {
    const externalId = Object.hasOwn(request.externalIds, account.accountId)
      ? request.externalIds[account.accountId]
      : undefined;
    if (externalId === undefined) {
      outcomes.push({
        ...account,
        status: 'failed',
        message: `no external ID for ${account.accountId} in tencentManagementExternalIds of the trust settings: add one (2-128 of letters, digits and _+=,.@:/-, e.g. openssl rand -hex 16), then run setup again (TencentAccountNotManaged)`,
      });
      continue;
    }
    const spec = tencentManagementRoleSpec(account, config.managementRole, hub, externalId);
    if (!request.apply) {
      outcomes.push({ ...account, status: 'described', spec });
      continue;
    }
    const keys = request.credentials?.[account.accountId];
    if (keys === undefined) {
      outcomes.push({ ...account, status: 'noKeys', spec });
      continue;
    }
    try {
      const signer = await tencentCallerIdentity(config.endpoints, keys);
      if (signer.accountId !== account.accountId) {
        outcomes.push({ ...account, status: 'wrongAccount', spec, signer: signer.accountId });
        continue;
      }
      const credentials: AccountCredentials = {
        accountId: account.accountId,
        accessKeyId: keys.secretId,
        accessKeySecret: keys.secretKey,
        ...(keys.token === undefined ? {} : { securityToken: keys.token }),
      };
      outcomes.push({ ...account, status: 'applied', spec, ...(await ensure(services, credentials, spec, request)) });
    } catch (error) {
      outcomes.push({ ...account, status: 'failed', spec, message: messageOf(error) });
    }
  }
  return outcomes;
}

/** Make the role of `spec` exist as specified in its account, each change audited first. */
async function ensure(
  services: Services,
  account: AccountCredentials,
  spec: TencentManagementRoleSpec,
  request: TencentSetupRequest,
): Promise<{
  policy: TencentDocumentOutcome;
  role: TencentDocumentOutcome;
  attachment: TencentAttachmentOutcome;
  otherPolicies: string[];
}> {
  const tencent = services.tencent;
  if (tencent === undefined) throw new Error('unreachable: Tencent services checked by the caller');
  const { directory } = tencent;
  const policies = tencent.trustedSide.directory;
  const record = async (detail: Record<string, unknown>) =>
    services.outbox.record(
      newAuditEvent({
        id: randomUUID(),
        type: AuditEventType.SetupChange,
        subject: camRoleArn(spec.accountId, spec.roleName),
        time: services.clock.now(),
        data: {
          correlationId: request.correlationId,
          outcome: 'planned',
          detail: { accountId: spec.accountId, cloud: 'tencent', ...detail },
        },
      }),
    );

  let policy: TencentDocumentOutcome;
  const livePolicy = await policies.findPolicy(account, spec.policyName);
  if (livePolicy === undefined) {
    await record({ action: 'CreatePolicy', policyName: spec.policyName, document: spec.policy });
    await policies.createPolicy(account, spec.policyName, spec.policy, spec.policyDescription);
    policy = 'created';
  } else if (sameCamPermissionPolicy(livePolicy.document, spec.policy)) policy = 'exists';
  else {
    await record({
      action: 'UpdatePolicy',
      policyName: spec.policyName,
      policyId: livePolicy.policyId,
      previous: livePolicy.document,
      document: spec.policy,
    });
    await policies.updatePolicy(account, livePolicy.policyId, spec.policy);
    policy = 'updated';
  }

  let role: TencentDocumentOutcome;
  const liveRole = await directory.getRole(account, spec.roleName);
  if (liveRole === undefined) {
    await record({ action: 'CreateRole', roleName: spec.roleName, trustPolicy: spec.trustPolicy });
    await directory.createRole(account, {
      roleName: spec.roleName,
      trustPolicy: spec.trustPolicy,
      description: spec.description,
      // No ownership tag: the management role is not a DTS role the engine manages.
      tags: {},
    });
    role = 'created';
  } else if (sameCamTrustPolicy(liveRole.trustPolicy, spec.trustPolicy)) role = 'exists';
  else {
    await record({
      action: 'UpdateAssumeRolePolicy',
      roleName: spec.roleName,
      previous: liveRole.trustPolicy,
      trustPolicy: spec.trustPolicy,
    });
    await directory.updateTrustPolicy(account, spec.roleName, spec.trustPolicy);
    role = 'updated';
  }

  const attached = await directory.listAttachedPolicies(account, spec.roleName);
  const ours = (p: { policyName: string; policyType: string }) =>
    p.policyType === 'Custom' && p.policyName === spec.policyName;
  let attachment: TencentAttachmentOutcome = 'exists';
  if (!attached.some(ours)) {
    await record({ action: 'AttachRolePolicy', roleName: spec.roleName, policyName: spec.policyName });
    await attachToleratingLag(services, account, spec, policy === 'created');
    attachment = 'attached';
  }
  const otherPolicies = attached
    .filter((p) => !ours(p))
    .map((p) => p.policyName)
    .sort();
  return { policy, role, attachment, otherPolicies };
}

/**
 * Attach the policy by name; a policy created moments ago may still be unknown to CAM (its read-after-write lag),
 * so `PolicyIdNotExist` is retried within {@link CAM_READ_LAG_MS} then.
 */
async function attachToleratingLag(
  services: Services,
  account: AccountCredentials,
  spec: TencentManagementRoleSpec,
  policyIsNew: boolean,
): Promise<void> {
  const directory = services.tencent?.directory;
  if (directory === undefined) throw new Error('unreachable: Tencent services checked by the caller');
  const started = services.clock.now().getTime();
  for (let attempt = 0; ; attempt += 1) {
    try {
      await directory.attachPolicy(account, spec.roleName, { policyName: spec.policyName, policyType: 'Custom' });
      return;
    } catch (error) {
      const lagging =
        policyIsNew &&
        error instanceof CloudApiError &&
        error.kind === CloudErrorKind.NotFound &&
        services.clock.now().getTime() - started < CAM_READ_LAG_MS;
      if (!lagging) throw error;
      await services.clock.sleep(Math.min(4_000, 500 * 2 ** attempt));
    }
  }
}
