import { z } from 'zod';

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
