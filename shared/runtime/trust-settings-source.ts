import type { OwnKeysSource } from '../alicloud/credentials.js';
import { ConfigError } from '../domain/errors.js';
import type { Clock } from '../ports.js';
import type { Config } from './config.js';
import { fixedTrustSettings, type TrustSettings, type TrustSettingsSource } from './trust-settings.js';

export type { TrustSettings, TrustSettingsSource };

/** A source that fails every read with `error` (no settings configured). */
function missingTrustSettings(error: ConfigError): TrustSettingsSource {
  const answer = () => Promise.reject(error);
  return { current: answer, refreshForUnknownKey: answer };
}

/**
 * The trust settings source {@link Config.trustSettings} names: the inline document (`DTS_TRUST_SETTINGS`) or
 * the KMS secret (`DTS_TRUST_SETTINGS_SECRET`). Without either, every read fails with a {@link ConfigError}.
 */
export function trustSettingsSourceFor(
  config: Config,
  _deps: { readonly ownKeys: OwnKeysSource; readonly clock: Pick<Clock, 'now'> },
): TrustSettingsSource {
  const origin = config.trustSettings;
  if (origin?.kind === 'inline') return fixedTrustSettings(origin.settings);
  if (origin?.kind === 'secret') {
    return missingTrustSettings(
      new ConfigError(`DTS_TRUST_SETTINGS_SECRET (${origin.secretName}): reading the KMS secret is not wired yet`),
    );
  }
  return missingTrustSettings(
    new ConfigError(
      'No trust settings: set DTS_TRUST_SETTINGS_SECRET to the KMS secret holding the settings document (cloud), or DTS_TRUST_SETTINGS to the document itself (local runs); docs/deploy.md',
    ),
  );
}
