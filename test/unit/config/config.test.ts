import { describe, expect, it } from 'vitest';
import { localTrustSettings } from '../../../local/harness/local-environment.js';
import { loadConfig } from '../../../shared/config/config.js';
import { ConfigError } from '../../../shared/domain/errors.js';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.region).toBe('cn-hangzhou');
    expect(config.protocol).toBe('https');
    expect(config.endpoints.ram).toBe('ram.aliyuncs.com');
    expect(config.endpoints.sts).toBe('sts.cn-hangzhou.aliyuncs.com');
    expect(config.tables.grants).toBe('dts_trust_grants');
    expect(config.managementRole).toBe('dts-trust-manager');
    expect(config.guardrails.allowedPolicies).toEqual(['AliyunDTSRolePolicy']);
    expect(config.trustSettings).toBeUndefined();
    expect(config.endpoints.kms).toBe('kms.cn-hangzhou.aliyuncs.com');
  });

  it('protects the management role and the function role by default, lower-cased', () => {
    const config = loadConfig({ DTS_TRUST_MANAGEMENT_ROLE: 'DTS-Trust-Manager' });
    expect(config.functionRole).toBe('dts-trust-function');
    expect(config.protectedRoles).toEqual(['dts-trust-function', 'dts-trust-manager']);
  });

  it('adds the roles DTS_TRUST_PROTECTED_ROLES lists', () => {
    const config = loadConfig({
      DTS_TRUST_FUNCTION_ROLE: 'fc-role',
      DTS_TRUST_PROTECTED_ROLES: 'Break-Glass, audit-ro',
    });
    expect(config.protectedRoles).toEqual(['audit-ro', 'break-glass', 'dts-trust-manager', 'fc-role']);
  });

  it('names DTS_TRUST_PROTECTED_ROLES when it lists something that is not a role name', () => {
    expect(() => loadConfig({ DTS_TRUST_PROTECTED_ROLES: 'ok-role, acs:ram::1:role/x' })).toThrow(
      /DTS_TRUST_PROTECTED_ROLES\.1: must be a RAM role name/,
    );
  });

  it('reaches Tablestore and KMS over the public endpoints by default, over the VPC endpoints with DTS_TRUST_NETWORK=vpc', () => {
    const publicConfig = loadConfig({ DTS_TRUST_REGION: 'cn-shanghai' });
    expect(publicConfig.network).toBe('public');
    expect(publicConfig.endpoints.tablestore).toBe('https://dts-trust.cn-shanghai.ots.aliyuncs.com');
    expect(publicConfig.endpoints.kms).toBe('kms.cn-shanghai.aliyuncs.com');
    const vpc = loadConfig({ DTS_TRUST_REGION: 'cn-shanghai', DTS_TRUST_NETWORK: 'vpc' });
    expect(vpc.endpoints.tablestore).toBe('https://dts-trust.cn-shanghai.vpc.tablestore.aliyuncs.com');
    expect(vpc.endpoints.kms).toBe('kms-vpc.cn-shanghai.aliyuncs.com');
    expect(() => loadConfig({ DTS_TRUST_NETWORK: 'internet' })).toThrow(/DTS_TRUST_NETWORK/);
  });

  it('derives the EventBridge and FC endpoints from the account FC runs in', () => {
    const config = loadConfig({ FC_ACCOUNT_ID: '1234567890123456', DTS_TRUST_REGION: 'cn-shanghai' });
    expect(config.endpoints.eventbridge).toBe('1234567890123456.eventbridge.cn-shanghai.aliyuncs.com');
    expect(config.endpoints.fc).toBe('1234567890123456.cn-shanghai.fc.aliyuncs.com');
  });

  it('reads lists, numbers and local-cloud overrides', () => {
    const config = loadConfig({
      DTS_TRUST_PROTOCOL: 'http',
      DTS_TRUST_RAM_ENDPOINT: '127.0.0.1:9000',
      DTS_TRUST_ALLOWED_POLICIES: 'AliyunDTSRolePolicy, Custom',
      DTS_TRUST_RAM_RATE_LIMIT: '5',
    });
    expect(config.endpoints.ram).toBe('127.0.0.1:9000');
    expect(config.guardrails.allowedPolicies).toEqual(['AliyunDTSRolePolicy', 'Custom']);
    expect(config.ramRateLimitPerSecond).toBe(5);
  });

  it('validates an inline trust settings document at start', () => {
    const config = loadConfig({ DTS_TRUST_SETTINGS: JSON.stringify(localTrustSettings()) });
    expect(config.trustSettings).toEqual({ kind: 'inline', settings: localTrustSettings() });
    expect(() => loadConfig({ DTS_TRUST_SETTINGS: '{"ticketSystems":{"jira":{"keys":{}}}}' })).toThrow(
      /ticketSystems\.jira\.keys: a ticketing system needs a signing key/,
    );
  });

  it('names the KMS secret and its re-read interval when the settings live in a secret', () => {
    const config = loadConfig({
      DTS_TRUST_SETTINGS_SECRET: 'dts-trust/settings',
      DTS_TRUST_SETTINGS_TTL_SECONDS: '60',
    });
    expect(config.trustSettings).toEqual({ kind: 'secret', secretName: 'dts-trust/settings', ttlSeconds: 60 });
  });

  it('refuses both settings sources at once', () => {
    expect(() =>
      loadConfig({ DTS_TRUST_SETTINGS: JSON.stringify(localTrustSettings()), DTS_TRUST_SETTINGS_SECRET: 's' }),
    ).toThrow(/both set - keep exactly one/);
  });

  it.each([
    ['DTS_TRUST_TICKET_KEYS', 'ticketSystems.<system>.keys'],
    ['DTS_TRUST_ALLOWED_OWNER_ACCOUNTS', 'allowedOwnerAccounts'],
    ['DTS_TRUST_ALLOWED_TRUSTED_ACCOUNTS', 'allowedTrustedAccounts'],
    ['DTS_TRUST_MANAGEMENT_EXTERNAL_IDS', 'managementExternalIds'],
  ])('tells to move %s into the trust settings document (%s)', (name, field) => {
    let error: unknown;
    try {
      loadConfig({ [name]: '{}' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${name}: is no longer read - move its content to "${field}"`);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        DTS_TRUST_PROTOCOL: 'ftp',
        DTS_TRUST_RAM_ENDPOINT: 'https://ram.aliyuncs.com',
        DTS_TRUST_SETTINGS_TTL_SECONDS: 'soon',
        DTS_TRUST_RAM_RATE_LIMIT: '-1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'DTS_TRUST_PROTOCOL',
      'DTS_TRUST_RAM_ENDPOINT',
      'DTS_TRUST_SETTINGS_TTL_SECONDS',
      'DTS_TRUST_RAM_RATE_LIMIT',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('rejects a role-name pattern that is not a regular expression', () => {
    expect(() => loadConfig({ DTS_TRUST_ROLE_NAME_PATTERN: '([' })).toThrow(/DTS_TRUST_ROLE_NAME_PATTERN/);
  });
});
