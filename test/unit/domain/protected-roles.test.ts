import { describe, expect, it } from 'vitest';
import { isProtectedRole, protectedRoleNames } from '../../../shared/domain/protected-roles.js';

describe('protectedRoleNames', () => {
  it('lists the management role, the function role and the configured roles, lower-cased and unique', () => {
    expect(
      protectedRoleNames({
        managementRole: 'dts-trust-manager',
        functionRole: 'DTS-Trust-Function',
        extra: ['Break-Glass', ' break-glass ', 'dts-trust-manager', ''],
      }),
    ).toEqual(['break-glass', 'dts-trust-function', 'dts-trust-manager']);
  });
});

describe('isProtectedRole', () => {
  const names = protectedRoleNames({ managementRole: 'dts-trust-manager', functionRole: 'dts-trust-function' });

  it.each(['dts-trust-manager', 'DTS-TRUST-MANAGER', 'Dts-Trust-Function'])('protects %s whatever its case', (name) => {
    expect(isProtectedRole(name, names)).toBe(true);
  });

  it('does not protect other names, including ones that only start like a protected one', () => {
    expect(isProtectedRole('dts-trust-manager-2', names)).toBe(false);
    expect(isProtectedRole('ram-for-dts', names)).toBe(false);
  });

  it('compares case-insensitively on both sides', () => {
    expect(isProtectedRole('break-glass', ['Break-Glass'])).toBe(true);
  });
});
