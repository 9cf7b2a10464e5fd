/**
 * The checks every signed call shares once its access key id is known: the key exists, and temporary (STS) keys
 * come with their own, unexpired security token.
 */
import type { CloudCore, Principal } from '../contract.js';
import { LocalCloudError } from '../errors.js';

/** Resolve the signer's key and check its security token; throws the Alibaba error a real service answers. */
export function resolveSigner(core: CloudCore, accessKeyId: string, securityToken: string | undefined): Principal {
  const principal = core.resolveAccessKey(accessKeyId);
  if (!principal) throw new LocalCloudError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  if (principal.securityToken !== undefined) {
    if (securityToken === undefined || securityToken === '') {
      throw new LocalCloudError(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.');
    }
    if (securityToken !== principal.securityToken) {
      throw new LocalCloudError(
        400,
        'InvalidSecurityToken.MismatchWithAccessKey',
        'Specified SecurityToken mismatch with the AccessKey.',
      );
    }
    if (principal.expiration && principal.expiration.getTime() <= core.now().getTime()) {
      throw new LocalCloudError(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
    }
  } else if (securityToken !== undefined && securityToken !== '') {
    throw new LocalCloudError(400, 'InvalidSecurityToken.MalformedToken', 'Specified SecurityToken is malformed.');
  }
  return principal;
}

/** The error a bad signature gets. */
export function signatureMismatch(): LocalCloudError {
  return new LocalCloudError(
    400,
    'SignatureDoesNotMatch',
    'The request signature does not conform to Aliyun standards. Check your AccessKeySecret and the signed content.',
  );
}
