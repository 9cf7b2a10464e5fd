import { describe, expect, it } from 'vitest';
import { ErrorCatalog, isCatalogCode } from '../../../shared/domain/catalog.js';

describe('ErrorCatalog', () => {
  it.each([
    'AliyunUIDNotFound',
    'AliyunUidFormat',
    'AssumeRoleFail.InvalidRoleArnFormat',
    'AssumeRoleFail.RoleNotExist',
    'AssumeRoleFail.NoPermission',
    'NoPermission',
    'Abnormal.RamCheckUserRole',
  ])('holds the DTS code %s', (code) => {
    expect(isCatalogCode(code)).toBe(true);
    expect(ErrorCatalog[code as keyof typeof ErrorCatalog].origin).toBe('dts');
  });

  it('gives every code a cause and a fix', () => {
    for (const entry of Object.values(ErrorCatalog)) {
      expect(entry.cause).toMatch(/\S/);
      expect(entry.fix).toMatch(/\S/);
    }
  });

  it('does not take codes from the object prototype', () => {
    expect(isCatalogCode('toString')).toBe(false);
  });
});
