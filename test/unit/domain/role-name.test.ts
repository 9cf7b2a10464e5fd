import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReportOptionsSchema } from '../../../cli/report.js';
import { ProtectedRolesEnvSchema } from '../../../shared/config/config.js';
import { isCamRoleName, isRamRoleName } from '../../../shared/domain/role-name.js';

/** Strings near the rule's edges: its own characters, the ones it refuses, and lengths around 64. */
const nearRoleNames = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '.', '-', '_', '@', '/', ' ', 'é'),
  minLength: 0,
  maxLength: 70,
});

describe('isRamRoleName', () => {
  it('accepts 1-64 letters, digits, "." or "-"', () => {
    expect(isRamRoleName('dts-cross.account-1')).toBe(true);
    expect(isRamRoleName('a'.repeat(64))).toBe(true);
  });

  it('refuses the empty name, 65 characters, and any other character', () => {
    for (const name of ['', 'a'.repeat(65), 'dts_role', 'dts role', 'acs:ram::1234567890123456:role/x', 'rôle']) {
      expect(isRamRoleName(name)).toBe(false);
    }
  });

  it('is the rule the CLI and the environment read RAM role names with', () => {
    fc.assert(
      fc.property(nearRoleNames, (name) => {
        const asReport = ReportOptionsSchema.safeParse({ html: 'out.html', role: `1234567890123456/${name}` }).success;
        const asEnv = ProtectedRolesEnvSchema.safeParse({ DTS_TRUST_FUNCTION_ROLE: name }).success;
        expect(asReport).toBe(isRamRoleName(name));
        expect(asEnv).toBe(isRamRoleName(name));
      }),
    );
  });
});

describe('isCamRoleName', () => {
  it('accepts the characters CAM allows, including "_", up to 128', () => {
    expect(isCamRoleName('dts_cross+role=1,a.b@c-d')).toBe(true);
    expect(isCamRoleName('a'.repeat(128))).toBe(true);
  });

  it('refuses the empty name, 129 characters, spaces and slashes', () => {
    for (const name of ['', 'a'.repeat(129), 'dts role', 'role/x']) expect(isCamRoleName(name)).toBe(false);
  });
});
