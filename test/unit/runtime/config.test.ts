import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/domain/errors.js';
import { loadConfig } from '../../../shared/runtime/config.js';

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
    expect(config.guardrails.allowedOwnerAccounts).toBeUndefined();
  });

  it('derives the EventBridge and FC endpoints from the account FC runs in', () => {
    const config = loadConfig({ FC_ACCOUNT_ID: '1234567890123456', DTS_TRUST_REGION: 'cn-shanghai' });
    expect(config.endpoints.eventbridge).toBe('1234567890123456.eventbridge.cn-shanghai.aliyuncs.com');
    expect(config.endpoints.fc).toBe('1234567890123456.cn-shanghai.fc.aliyuncs.com');
  });

  it('reads lists, JSON maps and local-cloud overrides', () => {
    const config = loadConfig({
      DTS_TRUST_PROTOCOL: 'http',
      DTS_TRUST_RAM_ENDPOINT: '127.0.0.1:9000',
      DTS_TRUST_ALLOWED_OWNER_ACCOUNTS: '1111111111111111, 2222222222222222',
      DTS_TRUST_TICKET_KEYS: '{"jira":"s3cret"}',
      DTS_TRUST_RAM_RATE_LIMIT: '5',
    });
    expect(config.endpoints.ram).toBe('127.0.0.1:9000');
    expect(config.guardrails.allowedOwnerAccounts).toEqual(['1111111111111111', '2222222222222222']);
    expect(config.ticketKeys).toEqual({ jira: 's3cret' });
    expect(config.ramRateLimitPerSecond).toBe(5);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        DTS_TRUST_PROTOCOL: 'ftp',
        DTS_TRUST_RAM_ENDPOINT: 'https://ram.aliyuncs.com',
        DTS_TRUST_TICKET_KEYS: 'not json',
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
      'DTS_TRUST_TICKET_KEYS',
      'DTS_TRUST_RAM_RATE_LIMIT',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('rejects an allowed account that is not 16 digits with the DTS code', () => {
    expect(() => loadConfig({ DTS_TRUST_ALLOWED_TRUSTED_ACCOUNTS: '12345' })).toThrow(/AliyunUidFormat/);
  });

  it('rejects a role-name pattern that is not a regular expression', () => {
    expect(() => loadConfig({ DTS_TRUST_ROLE_NAME_PATTERN: '([' })).toThrow(/DTS_TRUST_ROLE_NAME_PATTERN/);
  });
});
