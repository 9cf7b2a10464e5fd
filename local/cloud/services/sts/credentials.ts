/**
 * Temporary credentials as STS issues them: an `STS.`-prefixed access key id, a secret, a long security token.
 */
import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALNUM[byte % ALNUM.length];
  return out;
}

/** A fresh `STS.N...` access key id, secret and security token. */
export function newTemporaryKeys(): { accessKeyId: string; accessKeySecret: string; securityToken: string } {
  return {
    accessKeyId: `STS.N${alnum(22)}`,
    accessKeySecret: alnum(44),
    securityToken: `CAIS${randomBytes(180).toString('base64')}`,
  };
}
