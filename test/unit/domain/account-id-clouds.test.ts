import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cloudOfAccountId,
  isAlibabaAccountId,
  isTencentRootAccountId,
  ownerAccountIdSchema,
} from '../../../shared/domain/account-id.js';

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));

describe('account IDs of both clouds', () => {
  it('never takes one ID for both an Alibaba account and a Tencent root account (disjoint by construction)', () => {
    fc.assert(
      fc.property(digits(0, 24), (id) => {
        expect(isAlibabaAccountId(id) && isTencentRootAccountId(id)).toBe(false);
      }),
    );
  });

  it('names the cloud of every accepted owner ID: 16 digits Alibaba, 5-15 and 17-20 digits Tencent', () => {
    expect(cloudOfAccountId('1234567890123456')).toBe('alibaba');
    expect(cloudOfAccountId('100000000001')).toBe('tencent');
    expect(cloudOfAccountId('12345')).toBe('tencent');
    expect(cloudOfAccountId('12345678901234567')).toBe('tencent');
    expect(cloudOfAccountId('1234')).toBeUndefined();
    expect(cloudOfAccountId('123456789012345678901')).toBeUndefined();
    expect(cloudOfAccountId(' 100000000001')).toBeUndefined();
  });

  it('reads an owner of either cloud and names the field of one that is neither', () => {
    const schema = ownerAccountIdSchema('--owner');
    expect(schema.parse('100000000001')).toBe('100000000001');
    expect(schema.parse('1234567890123456')).toBe('1234567890123456');
    const parsed = schema.safeParse('abc');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/^--owner must be a 16-digit Alibaba Cloud account ID/);
  });
});
