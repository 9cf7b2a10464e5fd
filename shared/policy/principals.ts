/**
 * The vocabulary of a DTS trust policy: the action, the condition key, and how principals name accounts.
 */

/** The only action a DTS trust policy allows. */
export const STS_ASSUME_ROLE = 'sts:AssumeRole';

/** The condition operator and key that carry an external ID. */
export const ExternalIdCondition = { operator: 'StringEquals', key: 'sts:ExternalId' } as const;

/** The DTS service domain; `<uid>@dts.aliyuncs.com` is DTS acting for account `<uid>`. */
export const DTS_SERVICE_DOMAIN = 'dts.aliyuncs.com';

/** The principal that lets account `uid` (its root and every RAM identity it authorizes) assume the role. */
export function ramRootPrincipal(uid: string): string {
  return `acs:ram::${uid}:root`;
}

/** The service principal that lets DTS assume the role for tasks created by account `uid`. */
export function dtsServicePrincipal(uid: string): string {
  return `${uid}@${DTS_SERVICE_DOMAIN}`;
}

/** True when the principal is `*` or contains a wildcard, so it lets in more than one named identity. */
export function isWildcardPrincipal(principal: string): boolean {
  return principal.includes('*');
}

const RAM_ARN = /^acs:ram::(\d+):/i;
const BARE_ACCOUNT = /^\d+$/;

/**
 * The account a RAM or Federated principal belongs to, in any form RAM accepts
 * (`acs:ram::<uid>:root`, `acs:ram::<uid>:role/x`, `acs:ram::<uid>:user/x`, a provider ARN, or the bare `<uid>`);
 * `undefined` when the principal names no account.
 */
export function accountOfRamPrincipal(principal: string): string | undefined {
  const trimmed = principal.trim();
  if (BARE_ACCOUNT.test(trimmed)) return trimmed;
  return RAM_ARN.exec(trimmed)?.[1];
}

/** The account a `<uid>@dts.aliyuncs.com` service principal acts for; `undefined` for any other service. */
export function accountOfDtsServicePrincipal(principal: string): string | undefined {
  const suffix = `@${DTS_SERVICE_DOMAIN}`;
  const lower = principal.trim().toLowerCase();
  if (!lower.endsWith(suffix)) return undefined;
  const uid = lower.slice(0, -suffix.length);
  return BARE_ACCOUNT.test(uid) ? uid : undefined;
}

/** True for the bare `dts.aliyuncs.com` service principal RAM writes when the owner entered its own ID. */
export function isBareDtsService(principal: string): boolean {
  return principal.trim().toLowerCase() === DTS_SERVICE_DOMAIN;
}

/** True when an action lets the principal call `sts:AssumeRole` (`sts:AssumeRole`, `sts:*` or `*`). */
export function actionCoversAssumeRole(action: string): boolean {
  const lower = action.trim().toLowerCase();
  return lower === STS_ASSUME_ROLE.toLowerCase() || lower === 'sts:*' || lower === '*';
}
