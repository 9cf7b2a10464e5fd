import { describe, expect, it } from 'vitest';
import type { SecretValue } from '../../../shared/alicloud/kms.js';
import {
  type SecretReader,
  secretTrustSettings,
  UNKNOWN_KEY_REFRESH_INTERVAL_MS,
} from '../../../shared/config/trust-settings-source.js';
import { ConfigError } from '../../../shared/domain/errors.js';
import { FakeClock } from '../../support/fake-clock.js';

const SECRET = 'dts-trust/settings';
const TTL_MS = 300_000;

const documentWithKeys = (keys: Record<string, string>) => JSON.stringify({ ticketSystems: { jira: { keys } } });

/** A secret whose current version a test replaces, counting reads. */
class FakeSecret implements SecretReader {
  reads = 0;
  failure: Error | undefined;
  #version = 0;
  #data: string;

  constructor(data: string) {
    this.#data = data;
  }

  putVersion(data: string): void {
    this.#data = data;
    this.#version += 1;
  }

  async getSecretValue(secretName: string): Promise<SecretValue> {
    this.reads += 1;
    if (this.failure) throw this.failure;
    return { secretName, versionId: `v${this.#version}`, data: this.#data };
  }
}

function setup(keys: Record<string, string> = { 'jira-1': 'a'.repeat(32) }) {
  const clock = new FakeClock();
  const secret = new FakeSecret(documentWithKeys(keys));
  const source = secretTrustSettings({ reader: secret, secretName: SECRET, ttlMs: TTL_MS, clock });
  return { clock, secret, source };
}

describe('secretTrustSettings', () => {
  it('reads the secret once per TTL and serves the cached settings in between', async () => {
    const { clock, secret, source } = setup();
    await source.current();
    clock.advance(TTL_MS - 1);
    await source.current();
    expect(secret.reads).toBe(1);
  });

  it('picks up a new secret version once the TTL has passed, without a redeploy', async () => {
    const { clock, secret, source } = setup();
    expect(Object.keys((await source.current()).ticketSystems.jira?.keys ?? {})).toEqual(['jira-1']);
    secret.putVersion(documentWithKeys({ 'jira-2': 'b'.repeat(32) }));
    clock.advance(TTL_MS);
    expect(Object.keys((await source.current()).ticketSystems.jira?.keys ?? {})).toEqual(['jira-2']);
    expect(secret.reads).toBe(2);
  });

  it('shares one read between concurrent callers', async () => {
    const { secret, source } = setup();
    const [a, b] = await Promise.all([source.current(), source.current()]);
    expect(a).toBe(b);
    expect(secret.reads).toBe(1);
  });

  it('re-reads at once when a message names a keyId the cached settings lack, so a new key works before the TTL', async () => {
    const { secret, source } = setup();
    await source.current();
    secret.putVersion(documentWithKeys({ 'jira-1': 'a'.repeat(32), 'jira-2': 'b'.repeat(32) }));
    const settings = await source.refreshForUnknownKey('jira-2');
    expect(Object.keys(settings.ticketSystems.jira?.keys ?? {})).toContain('jira-2');
    expect(secret.reads).toBe(2);
  });

  it('re-reads for unknown keyIds at most once per interval, so forged keyIds cannot flood KMS', async () => {
    const { clock, secret, source } = setup();
    await source.current();
    await source.refreshForUnknownKey('forged-1');
    await source.refreshForUnknownKey('forged-2');
    clock.advance(UNKNOWN_KEY_REFRESH_INTERVAL_MS - 1);
    await source.refreshForUnknownKey('forged-3');
    expect(secret.reads).toBe(2);
    clock.advance(1);
    await source.refreshForUnknownKey('forged-4');
    expect(secret.reads).toBe(3);
  });

  it('does not re-read for a keyId the cached settings know', async () => {
    const { secret, source } = setup();
    await source.refreshForUnknownKey('jira-1');
    expect(secret.reads).toBe(1);
  });

  it('fails with the secret name and version when a version is not a valid document, and reads again next time', async () => {
    const { clock, secret, source } = setup();
    await source.current();
    secret.putVersion('{"ticketSystems": {"jira": {"keys": {}}}}');
    clock.advance(TTL_MS);
    const error = await source.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`secret ${SECRET} (version v1)`);
    expect((error as Error).message).toContain('ticketSystems.jira.keys');
    secret.putVersion(documentWithKeys({ 'jira-3': 'c'.repeat(32) }));
    expect(Object.keys((await source.current()).ticketSystems.jira?.keys ?? {})).toEqual(['jira-3']);
  });

  it('passes a failed read on to the caller and tries again on the next call', async () => {
    const { secret, source } = setup();
    secret.failure = new Error('kms down');
    await expect(source.current()).rejects.toThrow('kms down');
    secret.failure = undefined;
    await expect(source.current()).resolves.toBeDefined();
    expect(secret.reads).toBe(2);
  });
});
