import CredentialsSdk from '@alicloud/credentials';
import { z } from 'zod';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';

/** Long-term or temporary keys of the function's own identity. */
export interface OwnKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** Where the function's own keys come from: FC's context, or the `@alicloud/credentials` default chain. */
export type OwnKeysSource = () => Promise<OwnKeys>;

const KeysSchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  securityToken: z.string().min(1).optional(),
});

/**
 * Own keys from the `@alicloud/credentials` default chain (environment variables, which FC sets to the
 * function role's STS keys; CLI profile; ECS RAM role; ...).
 */
export function defaultChainKeys(): OwnKeysSource {
  const credential = new CredentialsSdk.default();
  return async () => {
    try {
      const model = await credential.getCredential();
      const keys = KeysSchema.parse({
        accessKeyId: model.accessKeyId,
        accessKeySecret: model.accessKeySecret,
        securityToken: model.securityToken || undefined,
      });
      return keys;
    } catch (error) {
      throw new CloudApiError(
        {
          api: 'credentials:DefaultChain',
          code: 'InvalidCredentials',
          kind: CloudErrorKind.NoPermission,
          message:
            'no credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run inside Function Compute with a role',
        },
        { cause: error },
      );
    }
  };
}

/** Own keys given explicitly (FC's `context.credentials`, or a test's). */
export function staticKeys(keys: OwnKeys): OwnKeysSource {
  const parsed = KeysSchema.parse(keys);
  return async () => parsed;
}
