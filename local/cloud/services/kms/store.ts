/**
 * KMS Secrets Manager state of the local cloud: generic secrets per account, each with its versions and their
 * stage labels (the newest version is `ACSCurrent`, the one before it `ACSPrevious`), with a JSON snapshot for
 * `--state`.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CloudCore } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';

/** The module name, also the key of its state bag and options. */
export const KMS_SERVICE = 'kms';

/** The stage labels KMS puts on secret versions. */
export const SecretStage = { Current: 'ACSCurrent', Previous: 'ACSPrevious' } as const;

/** A KMS secret name: letters, digits and `_/+=.@-`, at most 192 characters. */
export const SECRET_NAME = /^[A-Za-z0-9_/+=.@-]{1,192}$/;

const SecretVersionSchema = z.object({
  versionId: z.string().min(1),
  secretData: z.string(),
  secretDataType: z.enum(['text', 'binary']),
  createTime: z.string(),
  stages: z.array(z.string()),
});

/** One version of a secret. */
export type SecretVersionState = z.infer<typeof SecretVersionSchema>;

const SecretSchema = z.object({
  name: z.string().regex(SECRET_NAME),
  createTime: z.string(),
  /** Oldest first. */
  versions: z.array(SecretVersionSchema),
});

/** A generic secret. */
export type SecretState = z.infer<typeof SecretSchema>;

/** Secrets by account id, then by name. */
export interface KmsState {
  secretsByAccount: Map<string, Map<string, SecretState>>;
}

const SnapshotSchema = z.object({ secretsByAccount: z.record(z.string(), z.array(SecretSchema)) });

/** Options of the KMS module (`startLocalCloud({ services: { kms: {...} } })`). */
export const KmsOptionsSchema = z
  .object({
    /** Region used in secret ARNs (`acs:kms:<region>:<account>:secret/<name>`). */
    region: z.string().min(1).default('cn-hangzhou'),
    /** Secrets present at start, each with one version. */
    secrets: z
      .array(
        z
          .object({
            account: z.string().regex(/^\d{16}$/, 'an account id is 16 digits'),
            name: z.string().regex(SECRET_NAME, 'a secret name is letters, digits and _/+=.@- (at most 192)'),
            data: z.string(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** What a caller may give as KMS options. */
export type KmsOptions = z.input<typeof KmsOptionsSchema>;

/** The validated KMS options of this core; throws {@link CloudSetupError} naming the bad field. */
export function kmsOptions(core: CloudCore): z.output<typeof KmsOptionsSchema> {
  const parsed = KmsOptionsSchema.safeParse(core.serviceOptions<unknown>(KMS_SERVICE) ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CloudSetupError(
    `services.kms.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; ` +
      'see KmsOptionsSchema for the accepted fields',
  );
}

/** The KMS state of this core, created on first use with the secrets the options declare. */
export function kmsState(core: CloudCore): KmsState {
  return core.serviceState<KmsState>(KMS_SERVICE, () => {
    const state: KmsState = { secretsByAccount: new Map() };
    for (const seed of kmsOptions(core).secrets) {
      putSecretVersion(state, seed.account, { name: seed.name, secretData: seed.data }, core.now());
    }
    return state;
  });
}

/** KMS dates: ISO 8601 in UTC without milliseconds (`2026-12-01T08:00:00Z`). */
export function kmsDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The secret `name` of `accountId`, if it exists. */
export function findSecret(state: KmsState, accountId: string, name: string): SecretState | undefined {
  return state.secretsByAccount.get(accountId)?.get(name);
}

/**
 * Store a new version of a secret (creating the secret on its first version): the new version becomes
 * `ACSCurrent`, the former current one `ACSPrevious`, older ones lose their labels. Returns the new version.
 * A version id already used by the secret is refused (KMS answers `Rejected.ResourceExist`).
 */
export function putSecretVersion(
  state: KmsState,
  accountId: string,
  input: { name: string; secretData: string; versionId?: string; secretDataType?: 'text' | 'binary' },
  now: Date,
): SecretVersionState {
  if (!SECRET_NAME.test(input.name)) {
    throw new CloudSetupError(`secret name "${input.name}": use letters, digits and _/+=.@- (at most 192 characters)`);
  }
  let secrets = state.secretsByAccount.get(accountId);
  if (!secrets) {
    secrets = new Map();
    state.secretsByAccount.set(accountId, secrets);
  }
  let secret = secrets.get(input.name);
  if (!secret) {
    secret = { name: input.name, createTime: kmsDate(now), versions: [] };
    secrets.set(input.name, secret);
  }
  const versionId = input.versionId ?? randomUUID().replace(/-/g, '');
  if (secret.versions.some((v) => v.versionId === versionId)) {
    throw new CloudSetupError(`secret ${input.name} already has a version ${versionId}: give a new version id`);
  }
  for (const version of secret.versions) {
    version.stages = version.stages.includes(SecretStage.Current) ? [SecretStage.Previous] : [];
  }
  const version: SecretVersionState = {
    versionId,
    secretData: input.secretData,
    secretDataType: input.secretDataType ?? 'text',
    createTime: kmsDate(now),
    stages: [SecretStage.Current],
  };
  secret.versions.push(version);
  return version;
}

/** The KMS state as JSON-serialisable data. */
export function snapshotKms(core: CloudCore): z.infer<typeof SnapshotSchema> {
  return {
    secretsByAccount: Object.fromEntries(
      [...kmsState(core).secretsByAccount].map(([account, secrets]) => [account, [...secrets.values()]]),
    ),
  };
}

/** Replace the KMS state with a snapshot made by {@link snapshotKms}. */
export function restoreKms(core: CloudCore, data: unknown): void {
  const parsed = SnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(
      `kms state snapshot: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; ` +
        'delete the state file or restore one written by this version of the local cloud',
    );
  }
  kmsState(core).secretsByAccount = new Map(
    Object.entries(parsed.data.secretsByAccount).map(([account, secrets]) => [
      account,
      new Map(secrets.map((s) => [s.name, s])),
    ]),
  );
}
