/**
 * The check DTS runs on a cross-account endpoint before it accepts a task: is the owner account a valid, DTS-enabled
 * account, is the role given by name, is it a custom role, does it exist, does it carry `AliyunDTSRolePolicy`, and
 * does its stored trust policy let the task account's DTS service in (`<taskUid>@dts.aliyuncs.com`) together with
 * the task account itself (`acs:ram::<taskUid>:root`).
 *
 * The local cloud evaluates the stored trust policy on its own, independently of the product's policy code, so that
 * it can act as the oracle for what the product writes.
 *
 * Choices where the documentation is silent:
 * - A trust statement with a `Condition` does not admit DTS: DTS assumes the role without an external ID or any
 *   other context a condition could test.
 * - A matching `Deny` statement wins over any `Allow`.
 * - Role names are looked up case-insensitively, as RAM treats them (the core's `findRole`).
 * - An owner account on another infrastructure (Finance or Gov Cloud vs public) is not visible to the task account,
 *   so it is answered as `AliyunUIDNotFound`.
 * - Only `AliyunDTSRolePolicy` (System) counts as the permission DTS needs: the documented setup attaches exactly it.
 * - An owner account without `AliyunDTSDefaultRole` has not authorized DTS to access its resources (the guides'
 *   prerequisite; the DTS console creates the role on an account's first visit), so it is answered as
 *   `AliyunUIDNotFound` too: the guides document no code of their own for a missing prerequisite, and this one's
 *   documented cause (the account never opened the DTS console) is what the missing role shows.
 */
import type { AccountState, CloudCore } from '../../contract.js';
import { findRole } from '../../roles.js';

/**
 * The codes DTS answers a cross-account endpoint with (`ErrCode` of a `Success: false` body).
 * The documented messages read `AssumeRoleFail: <reason>`; the local cloud keeps the reason in the code as well
 * (`AssumeRoleFail.<Reason>`) so each cause has one precise, stable code, the same spelling the product's error
 * catalog uses. `ErrMessage` starts with the documented text.
 */
export const DtsEndpointErrorCode = {
  UidFormat: 'AliyunUidFormat',
  UidNotFound: 'AliyunUIDNotFound',
  InvalidRoleArnFormat: 'AssumeRoleFail.InvalidRoleArnFormat',
  DefaultRole: 'Abnormal.RamCheckUserRole',
  RoleNotExist: 'AssumeRoleFail.RoleNotExist',
  NoPermission: 'AssumeRoleFail.NoPermission',
} as const;

/** One of {@link DtsEndpointErrorCode}. */
export type DtsEndpointErrorCode = (typeof DtsEndpointErrorCode)[keyof typeof DtsEndpointErrorCode];

/** Why DTS refuses a cross-account endpoint. */
export interface DtsEndpointRefusal {
  readonly code: DtsEndpointErrorCode;
  readonly message: string;
  /** The `HttpStatusCode` DTS puts in the body. */
  readonly httpStatusCode: number;
}

/** The system policy a role must carry for DTS. */
export const DTS_ROLE_POLICY = 'AliyunDTSRolePolicy';

/** The DTS system role that cannot be used across accounts. */
export const DTS_DEFAULT_ROLE = 'AliyunDTSDefaultRole';

const UID_PATTERN = /^\d{16}$/;

const NO_PERMISSION_TEXT =
  'AssumeRoleFail: NoPermission: You are not authorized to do this action. You should be authorized by RAM.';

/** The cross-account fields of one endpoint as the task gave them. */
export interface CrossAccountEndpoint {
  /** `Source` or `Destination`, for messages. */
  readonly side: 'Source' | 'Destination';
  readonly ownerId: string;
  readonly roleName: string | undefined;
}

function refusal(code: DtsEndpointErrorCode, httpStatusCode: number, message: string): DtsEndpointRefusal {
  return { code, httpStatusCode, message };
}

/** True when the endpoint names an owner account other than the task account (so DTS must assume a role). */
export function isCrossAccount(ownerId: string | undefined, taskAccountId: string): ownerId is string {
  return ownerId !== undefined && ownerId !== '' && ownerId !== taskAccountId;
}

/** A string-or-array policy value as a list of strings (other shapes give an empty list). */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function actionAllowsAssumeRole(action: unknown): boolean {
  return stringList(action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*');
}

function hasCondition(statement: Record<string, unknown>): boolean {
  const condition = statement['Condition'];
  return typeof condition === 'object' && condition !== null && Object.keys(condition).length > 0;
}

/** The principals of one statement that DTS presents, keyed by principal type. */
interface PresentedPrincipals {
  readonly RAM: string;
  readonly Service: string;
}

function statementNames(statement: Record<string, unknown>, type: keyof PresentedPrincipals, value: string): boolean {
  const principal = statement['Principal'];
  if (typeof principal !== 'object' || principal === null) return false;
  return stringList((principal as Record<string, unknown>)[type]).includes(value);
}

/**
 * Which of the principals DTS presents the trust policy fails to admit (empty when both are admitted).
 * Exported for the module's own tests of edge cases.
 */
export function principalsNotTrusted(trustPolicy: string, taskAccountId: string): string[] {
  const presented: PresentedPrincipals = {
    RAM: `acs:ram::${taskAccountId}:root`,
    Service: `${taskAccountId}@dts.aliyuncs.com`,
  };
  let document: unknown;
  try {
    document = JSON.parse(trustPolicy);
  } catch {
    return Object.values(presented);
  }
  const rawStatements =
    typeof document === 'object' && document !== null ? (document as Record<string, unknown>)['Statement'] : undefined;
  const statements = (Array.isArray(rawStatements) ? rawStatements : [rawStatements]).filter(
    (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
  );
  const missing: string[] = [];
  for (const type of ['RAM', 'Service'] as const) {
    const value = presented[type];
    const matching = statements.filter(
      (s) => actionAllowsAssumeRole(s['Action']) && statementNames(s, type, value) && !hasCondition(s),
    );
    const denied = matching.some((s) => s['Effect'] === 'Deny');
    const allowed = matching.some((s) => s['Effect'] === 'Allow');
    if (denied || !allowed) missing.push(value);
  }
  return missing;
}

/**
 * Check one cross-account endpoint the way DTS does when a task is configured; undefined when DTS accepts it.
 * The checks run in the order the console reports them: UID format, account, role name form, default role,
 * existence, permission policy, trust policy.
 */
export function checkCrossAccountEndpoint(
  endpoint: CrossAccountEndpoint,
  taskAccount: AccountState,
  core: CloudCore,
): DtsEndpointRefusal | undefined {
  const { side, ownerId } = endpoint;
  if (!UID_PATTERN.test(ownerId)) {
    return refusal(
      DtsEndpointErrorCode.UidFormat,
      400,
      `AliyunUidFormat: ${side}EndpointOwnerID "${ownerId}" is not an Alibaba Cloud account ID (a 16-digit number).`,
    );
  }
  const owner = core.accounts.get(ownerId);
  if (!owner?.dtsActivated || owner.partition !== taskAccount.partition) {
    return refusal(
      DtsEndpointErrorCode.UidNotFound,
      404,
      `AliyunUIDNotFound: account ${ownerId} (${side}EndpointOwnerID) does not exist or has never logged on to the DTS console.`,
    );
  }
  if (!findRole(owner, DTS_DEFAULT_ROLE)) {
    return refusal(
      DtsEndpointErrorCode.UidNotFound,
      404,
      `AliyunUIDNotFound: account ${ownerId} (${side}EndpointOwnerID) has not authorized DTS to access its resources (no ${DTS_DEFAULT_ROLE}); log on to the DTS console with it once.`,
    );
  }
  const roleName = endpoint.roleName ?? '';
  if (roleName.startsWith('acs:')) {
    return refusal(
      DtsEndpointErrorCode.InvalidRoleArnFormat,
      400,
      `AssumeRoleFail: Invalid role arn format: ${side}EndpointRole must be the role name, not the ARN "${roleName}".`,
    );
  }
  if (roleName.toLowerCase() === DTS_DEFAULT_ROLE.toLowerCase()) {
    return refusal(
      DtsEndpointErrorCode.DefaultRole,
      400,
      `Abnormal.RamCheckUserRole: ${DTS_DEFAULT_ROLE} cannot be used as ${side}EndpointRole; use a custom role.`,
    );
  }
  const role = roleName === '' ? undefined : findRole(owner, roleName);
  if (!role) {
    return refusal(
      DtsEndpointErrorCode.RoleNotExist,
      404,
      `AssumeRoleFail: The role not exists: no role "${roleName}" (${side}EndpointRole) in account ${ownerId}.`,
    );
  }
  const hasPolicy = role.policies.some((p) => p.type === 'System' && p.name === DTS_ROLE_POLICY);
  if (!hasPolicy) {
    return refusal(
      DtsEndpointErrorCode.NoPermission,
      403,
      `${NO_PERMISSION_TEXT} Role "${role.name}" in account ${ownerId} does not have ${DTS_ROLE_POLICY} attached.`,
    );
  }
  const missing = principalsNotTrusted(role.trustPolicy, taskAccount.id);
  if (missing.length > 0) {
    return refusal(
      DtsEndpointErrorCode.NoPermission,
      403,
      `${NO_PERMISSION_TEXT} The trust policy of role "${role.name}" in account ${ownerId} does not allow ` +
        `sts:AssumeRole for ${missing.join(' and ')}.`,
    );
  }
  return undefined;
}
