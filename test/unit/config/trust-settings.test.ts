import { describe, expect, it } from 'vitest';
import {
  fixedTrustSettings,
  parseTrustSettings,
  type TrustSettings,
  ticketKeysOf,
  ticketSystemOfKey,
} from '../../../shared/config/trust-settings.js';
import { ConfigError } from '../../../shared/domain/errors.js';

const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'b'.repeat(40);
const OWNER = '1111111111111111';

/** The error message parseTrustSettings throws for `document`. */
function problemsOf(document: unknown): string {
  try {
    parseTrustSettings(JSON.stringify(document), 'DTS_TRUST_SETTINGS');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the document to be refused');
}

describe('parseTrustSettings', () => {
  it('applies the defaults: no administrator, nothing to adopt, no partitions or external IDs, any account', () => {
    const settings = parseTrustSettings(
      JSON.stringify({ ticketSystems: { jira: { keys: { 'jira-1': SECRET_A } } } }),
      'DTS_TRUST_SETTINGS',
    );
    expect(settings).toEqual({
      ticketSystems: { jira: { keys: { 'jira-1': SECRET_A }, administrator: false, adoptRoleNames: [] } },
      accountPartitions: {},
      defaultAccountPartition: 'public',
      managementExternalIds: {},
      tencentManagementExternalIds: {},
    } satisfies TrustSettings);
    expect(settings.allowedOwnerAccounts).toBeUndefined();
  });

  it('reads every field of a full document', () => {
    const document = {
      ticketSystems: {
        jira: { keys: { 'jira-1': SECRET_A, 'jira-2': SECRET_B }, administrator: true, adoptRoleNames: [] },
        servicenow: { keys: { 'sn-1': SECRET_A }, administrator: false, adoptRoleNames: ['ram-for-dts'] },
      },
      allowedOwnerAccounts: [OWNER],
      allowedTrustedAccounts: ['2222222222222222'],
      accountPartitions: { [OWNER]: 'finance' },
      defaultAccountPartition: 'gov',
      managementExternalIds: { [OWNER]: 'ext-1111' },
      tencentManagementExternalIds: { '100000000001': 'dts-trust-tencent' },
    };
    expect(parseTrustSettings(JSON.stringify(document), 'x')).toEqual(document);
  });

  it('names where a document that is not JSON came from', () => {
    expect(() => parseTrustSettings('{"ticketSystems":', 'secret dts-trust/settings')).toThrow(
      /Invalid trust settings in secret dts-trust\/settings: not JSON/,
    );
  });

  it.each([
    [
      'a system without keys',
      { ticketSystems: { jira: { keys: {} } } },
      'ticketSystems.jira.keys: a ticketing system needs a signing key',
    ],
    [
      'a system with three keys',
      { ticketSystems: { jira: { keys: { a1: SECRET_A, a2: SECRET_A, a3: SECRET_A } } } },
      'ticketSystems.jira.keys: a ticketing system has at most 2 live keys',
    ],
    [
      'a short secret',
      { ticketSystems: { jira: { keys: { 'jira-1': 'short' } } } },
      'ticketSystems.jira.keys.jira-1: the secret is shorter than 32 characters - generate a random secret',
    ],
    [
      'a keyId shared by two systems',
      { ticketSystems: { jira: { keys: { k: SECRET_A } }, sn: { keys: { k: SECRET_B } } } },
      'ticketSystems.sn.keys.k: keyId "k" is also a key of ticketing system "jira"',
    ],
    [
      'an allowed account that is no account ID of either cloud',
      { ticketSystems: {}, allowedOwnerAccounts: ['1234'] },
      'allowedOwnerAccounts[0]: an allowed owner account must be a 16-digit Alibaba Cloud account ID (AliyunUidFormat) or a Tencent Cloud root account UIN',
    ],
    [
      'a Tencent management external ID keyed by a 16-digit ID',
      { ticketSystems: {}, tencentManagementExternalIds: { [OWNER]: 'dts-trust-x' } },
      `tencentManagementExternalIds.${OWNER}: an account of tencentManagementExternalIds must be a Tencent Cloud root account UIN: 5-20 digits, not 16`,
    ],
    [
      'an unknown partition',
      { ticketSystems: {}, accountPartitions: { [OWNER]: 'moon' } },
      `accountPartitions.${OWNER}: ${OWNER} is "moon", which is not allowed - use one of: public, finance, gov`,
    ],
    [
      'an external ID keyed by a name',
      { ticketSystems: {}, managementExternalIds: { prod: 'ext-1' } },
      'managementExternalIds.prod: an account of managementExternalIds must be a 16-digit',
    ],
    [
      'a misspelt field',
      { ticketSystems: {}, allowedOwnerAcounts: [OWNER] },
      'allowedOwnerAcounts: allowedOwnerAcounts is not a known field - remove allowedOwnerAcounts or correct its spelling',
    ],
    [
      'an adopt role name RAM would refuse',
      { ticketSystems: { jira: { keys: { k: SECRET_A }, adoptRoleNames: ['bad name'] } } },
      'ticketSystems.jira.adoptRoleNames[0]: a role name is 1-64 letters',
    ],
    ['no ticketSystems', {}, 'ticketSystems: ticketSystems is required'],
  ])('refuses %s with the field path and the fix', (_case, document, expected) => {
    expect(problemsOf(document)).toContain(expected);
  });

  it('never echoes a secret in its error', () => {
    const leaked = 'short-secret-of-23-chars';
    expect(problemsOf({ ticketSystems: { jira: { keys: { k: leaked } } } })).not.toContain(leaked);
  });
});

describe('ticketKeysOf', () => {
  it('lists the keys of every system by keyId, and ticketSystemOfKey names the system a key belongs to', () => {
    const settings = parseTrustSettings(
      JSON.stringify({ ticketSystems: { jira: { keys: { j1: SECRET_A } }, sn: { keys: { s1: SECRET_B } } } }),
      'x',
    );
    expect(ticketKeysOf(settings)).toEqual({ j1: SECRET_A, s1: SECRET_B });
    expect(ticketSystemOfKey(settings, 's1')).toBe('sn');
    expect(ticketSystemOfKey(settings, 'toString')).toBeUndefined();
  });
});

describe('fixedTrustSettings', () => {
  it('answers the same document, also after an unknown key', async () => {
    const settings = parseTrustSettings(JSON.stringify({ ticketSystems: {} }), 'x');
    const source = fixedTrustSettings(settings);
    expect(await source.current()).toBe(settings);
    expect(await source.refreshForUnknownKey('new')).toBe(settings);
  });
});
