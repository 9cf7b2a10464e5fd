import type { OwnKeysSource } from '../alicloud/credentials.js';
import { KmsSecretReader, type SecretValue } from '../alicloud/kms.js';
import { ConfigError } from '../domain/errors.js';
import type { Clock } from '../ports.js';
import type { Config } from './config.js';
import {
  fixedTrustSettings,
  parseTrustSettings,
  type TrustSettings,
  type TrustSettingsSource,
  ticketKeysOf,
} from './trust-settings.js';

export type { TrustSettings, TrustSettingsSource };

/** At most one re-read for an unknown keyId per this interval, so forged keyIds cannot flood KMS. */
export const UNKNOWN_KEY_REFRESH_INTERVAL_MS = 60_000;

/** Reads the current value of a secret (KMS GetSecretValue, or a test's). */
export interface SecretReader {
  getSecretValue(secretName: string): Promise<SecretValue>;
}

/**
 * Trust settings held in a KMS Secrets Manager secret, cached per container: read on first use, re-read once
 * `ttlMs` has passed since the last read, and re-read early (at most once per {@link
 * UNKNOWN_KEY_REFRESH_INTERVAL_MS}) when a message names a keyId the cached settings lack, so a key added in a
 * new secret version is used without a redeploy. Concurrent reads share one GetSecretValue call. A read that
 * fails, or a version that is not a valid document, fails the caller (a {@link ConfigError} naming the secret
 * and version): the settings of a failed read are never guessed, and the next call reads again.
 */
export function secretTrustSettings(options: {
  readonly reader: SecretReader;
  readonly secretName: string;
  readonly ttlMs: number;
  readonly clock: Pick<Clock, 'now'>;
  readonly unknownKeyRefreshIntervalMs?: number;
}): TrustSettingsSource {
  const { reader, secretName, ttlMs, clock } = options;
  const refreshInterval = options.unknownKeyRefreshIntervalMs ?? UNKNOWN_KEY_REFRESH_INTERVAL_MS;
  let cached: { settings: TrustSettings; readAt: number } | undefined;
  let inFlight: Promise<TrustSettings> | undefined;
  let lastUnknownKeyRefresh = Number.NEGATIVE_INFINITY;

  const read = (): Promise<TrustSettings> => {
    inFlight ??= (async () => {
      const value = await reader.getSecretValue(secretName);
      const settings = parseTrustSettings(value.data, `secret ${secretName} (version ${value.versionId})`);
      cached = { settings, readAt: clock.now().getTime() };
      return settings;
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    current() {
      if (cached && clock.now().getTime() - cached.readAt < ttlMs) return Promise.resolve(cached.settings);
      return read();
    },
    async refreshForUnknownKey(keyId) {
      const settings = await this.current();
      if (Object.hasOwn(ticketKeysOf(settings), keyId)) return settings;
      const now = clock.now().getTime();
      if (now - lastUnknownKeyRefresh < refreshInterval) return settings;
      lastUnknownKeyRefresh = now;
      return read();
    },
  };
}

/** A source that fails every read with `error` (no settings configured). */
function missingTrustSettings(error: ConfigError): TrustSettingsSource {
  const answer = () => Promise.reject(error);
  return { current: answer, refreshForUnknownKey: answer };
}

/**
 * The trust settings source {@link Config.trustSettings} names: the inline document (`DTS_TRUST_SETTINGS`) or
 * the KMS secret (`DTS_TRUST_SETTINGS_SECRET`, read with the function's own keys). Without either, every read
 * fails with a {@link ConfigError}.
 */
export function trustSettingsSourceFor(
  config: Config,
  deps: { readonly ownKeys: OwnKeysSource; readonly clock: Pick<Clock, 'now'> },
): TrustSettingsSource {
  const origin = config.trustSettings;
  if (origin?.kind === 'inline') return fixedTrustSettings(origin.settings);
  if (origin?.kind === 'secret') {
    return secretTrustSettings({
      reader: new KmsSecretReader({
        endpoint: config.endpoints.kms,
        protocol: config.protocol,
        regionId: config.region,
        ownKeys: deps.ownKeys,
      }),
      secretName: origin.secretName,
      ttlMs: origin.ttlSeconds * 1000,
      clock: deps.clock,
    });
  }
  return missingTrustSettings(
    new ConfigError(
      'No trust settings: set DTS_TRUST_SETTINGS_SECRET to the KMS secret holding the settings document (cloud), or DTS_TRUST_SETTINGS to the document itself (local runs); docs/deploy.md',
    ),
  );
}
