import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/config.js';

const KEYS = JSON.stringify({
  secretId: 'AKIDLocalTencentHubUser0001',
  secretKey: 'local-tencent-hub-user-secret-0001',
});

describe('loadConfig: Tencent Cloud', () => {
  it('leaves Tencent unconfigured when no hub keys are given', () => {
    expect(loadConfig({}).tencent).toBeUndefined();
  });

  it('reads the hub keys from a KMS secret, with the public endpoints over HTTPS and the default management role', () => {
    const config = loadConfig({ DTS_TRUST_TENCENT_HUB_KEYS_SECRET: 'dts-trust/tencent-hub' });
    expect(config.tencent).toEqual({
      hubKeys: { kind: 'secret', secretName: 'dts-trust/tencent-hub', ttlSeconds: 300 },
      managementRole: 'dts-trust-manager',
      endpoints: {
        cam: 'cam.tencentcloudapi.com',
        sts: 'sts.tencentcloudapi.com',
        protocol: 'https://',
        region: 'ap-guangzhou',
      },
    });
  });

  it('reads inline hub keys and one loopback endpoint over plain HTTP (local runs)', () => {
    const config = loadConfig({
      DTS_TRUST_TENCENT_HUB_KEYS: KEYS,
      DTS_TRUST_TENCENT_ENDPOINT: '127.0.0.1:9000',
      DTS_TRUST_TENCENT_MANAGEMENT_ROLE: 'dts-manager',
      DTS_TRUST_TENCENT_REGION: 'ap-shanghai',
    });
    expect(config.tencent).toMatchObject({
      hubKeys: { kind: 'inline', keys: JSON.parse(KEYS) },
      managementRole: 'dts-manager',
      endpoints: { cam: '127.0.0.1:9000', protocol: 'http://', region: 'ap-shanghai' },
    });
  });

  it.each([
    [
      'both key sources',
      { DTS_TRUST_TENCENT_HUB_KEYS: KEYS, DTS_TRUST_TENCENT_HUB_KEYS_SECRET: 'x' },
      /DTS_TRUST_TENCENT_HUB_KEYS and DTS_TRUST_TENCENT_HUB_KEYS_SECRET are both set/,
    ],
    [
      'an endpoint without hub keys',
      { DTS_TRUST_TENCENT_ENDPOINT: '127.0.0.1:9000' },
      /DTS_TRUST_TENCENT_ENDPOINT: set, but Tencent Cloud is not configured - set DTS_TRUST_TENCENT_HUB_KEYS_SECRET/,
    ],
    [
      'an endpoint with a scheme',
      { DTS_TRUST_TENCENT_HUB_KEYS: KEYS, DTS_TRUST_TENCENT_ENDPOINT: 'https://cam.example' },
      /DTS_TRUST_TENCENT_ENDPOINT: give host\[:port\] without a scheme/,
    ],
    [
      'inline keys that are not JSON',
      { DTS_TRUST_TENCENT_HUB_KEYS: '{secretId' },
      /Invalid Tencent hub keys in DTS_TRUST_TENCENT_HUB_KEYS: not JSON/,
    ],
    [
      'inline keys without a SecretId',
      { DTS_TRUST_TENCENT_HUB_KEYS: JSON.stringify({ secretKey: 'local-tencent-hub-user-secret-0001' }) },
      /DTS_TRUST_TENCENT_HUB_KEYS:\n {2}secretId: Required/,
    ],
    [
      'a management role name CAM refuses',
      { DTS_TRUST_TENCENT_HUB_KEYS: KEYS, DTS_TRUST_TENCENT_MANAGEMENT_ROLE: 'a b' },
      /DTS_TRUST_TENCENT_MANAGEMENT_ROLE: must be a CAM role name/,
    ],
  ])('names the variable and the fix for %s', (_title, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes the secret key of keys it refuses', () => {
    const env = {
      DTS_TRUST_TENCENT_HUB_KEYS: JSON.stringify({ secretId: 'nope', secretKey: 'very-secret-value-0001' }),
    };
    expect(() => loadConfig(env)).toThrow(/secretId: must be a Tencent Cloud SecretId/);
    expect(() => loadConfig(env)).not.toThrow(/very-secret-value-0001/);
  });
});

describe('loadConfig: the policies a Tencent grant may attach', () => {
  it("allows Tencent's default policies on Tencent grants, and leaves the Alibaba list as it was", () => {
    const config = loadConfig({ DTS_TRUST_TENCENT_HUB_KEYS_SECRET: 'dts-trust/tencent-hub' });
    expect(config.guardrails.allowedTencentPolicies).toEqual(['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole']);
    expect(config.guardrails.allowedPolicies).toEqual(['AliyunDTSRolePolicy']);
  });

  it('takes DTS_TRUST_TENCENT_ALLOWED_POLICIES exactly as set', () => {
    const config = loadConfig({ DTS_TRUST_TENCENT_ALLOWED_POLICIES: 'QcloudDTSReadOnlyAccess' });
    expect(config.guardrails.allowedTencentPolicies).toEqual(['QcloudDTSReadOnlyAccess']);
  });
});
