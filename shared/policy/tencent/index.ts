/**
 * The Tencent Cloud CAM trust dialect: build the desired CAM trust policy and the sub-users' AssumeRole policy,
 * render them, parse what CAM returns (reading its rewrites away), and diff semantically into the same entries and
 * findings as Alibaba's. Pure: no SDK, no I/O.
 */

export { buildCamTrustPolicy, camDocumentOf, renderCamTrustPolicy } from './build.js';
export { camFindingOf, diffCamTrust } from './diff.js';
export { parseCamTrustPolicy, parsedFromCamDocument } from './parse.js';
export {
  accountOfQcsPrincipal,
  CAM_ASSUME_ROLE,
  CAM_POLICY_VERSION,
  CamExternalIdCondition,
  camActionName,
  camRoleResource,
  canonicalQcsPrincipal,
  isQcsRootPrincipal,
  qcsRootPrincipal,
} from './principals.js';
export {
  buildSubAccountPolicy,
  CAM_POLICY_NAME_MAX,
  isSubAccountPolicyUpToDate,
  type PermissionEntry,
  parsePermissionPolicy,
  renderSubAccountPolicy,
  SUB_ACCOUNT_POLICY_PREFIX,
  subAccountPolicyAllowsMore,
  subAccountPolicyDescription,
  subAccountPolicyName,
} from './sub-account-policy.js';
export type * from './types.js';
