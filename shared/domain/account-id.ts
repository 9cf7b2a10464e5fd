import { z } from 'zod';
import { Cloud } from './grant.js';

/** An Alibaba Cloud account ID (UID): exactly 16 digits, nothing around them (DTS catalog code `AliyunUidFormat`). */
export const ALIBABA_ACCOUNT_ID = /^\d{16}$/;

/** What to do about an account ID that is not one, when the caller has no more specific fix. */
export const ALIBABA_ACCOUNT_ID_FIX = 'write the account UID as 16 digits, e.g. "1234567890123456"';

/** True when `value` is an Alibaba Cloud account ID ({@link ALIBABA_ACCOUNT_ID}). */
export function isAlibabaAccountId(value: string): boolean {
  return ALIBABA_ACCOUNT_ID.test(value);
}

/**
 * The zod schema of an Alibaba Cloud account ID, the one every product input (settings, environment, CLI flags,
 * events, API answers) reads account IDs with. `subject` names the value in the message ("an allowed owner
 * account must be a 16-digit Alibaba Cloud account ID (AliyunUidFormat)"); `fix` says what to do instead.
 */
export function alibabaAccountIdSchema(
  subject?: string,
  fix: string = ALIBABA_ACCOUNT_ID_FIX,
): z.ZodEffects<z.ZodString> {
  const message = `${subject === undefined ? '' : `${subject} `}must be a 16-digit Alibaba Cloud account ID (AliyunUidFormat)`;
  return z.string().refine(isAlibabaAccountId, { message, params: { fix } });
}

/** A Tencent Cloud account ID (UIN) of a root account or a sub-user: a number of 5-20 digits. */
export const TENCENT_ACCOUNT_ID = /^\d{5,20}$/;

/** True when `value` is a Tencent Cloud UIN ({@link TENCENT_ACCOUNT_ID}). */
export function isTencentAccountId(value: string): boolean {
  return TENCENT_ACCOUNT_ID.test(value);
}

/**
 * A Tencent Cloud root account UIN as dts-trust accepts it for an owner or a trusted account: 5-20 digits, but never
 * exactly 16, so it can never equal an Alibaba Cloud account ID ({@link ALIBABA_ACCOUNT_ID}). The grant and status
 * tables key roles by the bare account ID; this rule keeps the two clouds' IDs disjoint by construction
 * (docs/storage.md, "Account IDs of both clouds").
 */
export const TENCENT_ROOT_ACCOUNT_ID = /^(?:\d{5,15}|\d{17,20})$/;

/** True when `value` is a Tencent root account UIN dts-trust accepts ({@link TENCENT_ROOT_ACCOUNT_ID}). */
export function isTencentRootAccountId(value: string): boolean {
  return TENCENT_ROOT_ACCOUNT_ID.test(value);
}

/**
 * The cloud an owner or trusted account ID belongs to: 16 digits is Alibaba Cloud, any other accepted UIN Tencent
 * Cloud; `undefined` for what is neither. Total and unambiguous because the two patterns are disjoint.
 */
export function cloudOfAccountId(value: string): Cloud | undefined {
  if (isAlibabaAccountId(value)) return Cloud.Alibaba;
  if (isTencentRootAccountId(value)) return Cloud.Tencent;
  return undefined;
}

/**
 * An account ID of either cloud as one pattern (for JSON Schemas): 16 digits (Alibaba) or a Tencent root UIN of
 * 5-15 or 17-20 digits, which together are 5-20 digits; {@link cloudOfAccountId} tells which.
 */
export const ACCOUNT_ID_OF_EITHER_CLOUD = /^\d{5,20}$/;

/** An owner or trusted account of either cloud (settings, CLI flags, shard payloads). */
export function ownerAccountIdSchema(subject?: string): z.ZodEffects<z.ZodString> {
  const message = `${subject === undefined ? '' : `${subject} `}must be a 16-digit Alibaba Cloud account ID (AliyunUidFormat) or a Tencent Cloud root account UIN (5-20 digits, not 16)`;
  return z
    .string()
    .refine((v) => cloudOfAccountId(v) !== undefined, { message, params: { fix: ALIBABA_ACCOUNT_ID_FIX } });
}

/** A Tencent root account UIN ({@link TENCENT_ROOT_ACCOUNT_ID}), for Tencent settings. */
export function tencentRootAccountIdSchema(subject?: string): z.ZodEffects<z.ZodString> {
  const message = `${subject === undefined ? '' : `${subject} `}must be a Tencent Cloud root account UIN: 5-20 digits, not 16 (16 digits is an Alibaba Cloud account ID)`;
  return z.string().refine(isTencentRootAccountId, {
    message,
    params: { fix: 'give the numeric UIN shown on the Account Info page' },
  });
}
