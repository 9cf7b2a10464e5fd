import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { alibabaAccountIdSchema, isAlibabaAccountId } from '../../../shared/domain/account-id.js';
import { problemsFromZodError } from '../../../shared/domain/zod-problems.js';

describe('isAlibabaAccountId', () => {
  it('accepts 16 digits', () => {
    expect(isAlibabaAccountId('1234567890123456')).toBe(true);
  });

  it.each([
    ['15 digits', '123456789012345'],
    ['17 digits', '12345678901234567'],
    ['spaces around the digits', ' 1234567890123456 '],
    ['a trailing newline', '1234567890123456\n'],
    ['a letter', '123456789012345a'],
    ['a wildcard', '*'],
    ['full-width digits', '１２３４５６７８９０１２３４５６'],
  ])('refuses %s', (_title, value) => {
    expect(isAlibabaAccountId(value)).toBe(false);
  });
});

describe('alibabaAccountIdSchema', () => {
  it('reads an account ID unchanged', () => {
    expect(alibabaAccountIdSchema().parse('1234567890123456')).toBe('1234567890123456');
  });

  it('names the value, the catalog code and the fix when it refuses one', () => {
    const parsed = z.object({ owner: alibabaAccountIdSchema('--owner') }).safeParse({ owner: '123' });
    expect(parsed.success).toBe(false);
    expect(problemsFromZodError(parsed.error!)).toEqual([
      {
        code: 'InvalidField',
        field: 'owner',
        message: '--owner must be a 16-digit Alibaba Cloud account ID (AliyunUidFormat)',
        fix: 'write the account UID as 16 digits, e.g. "1234567890123456"',
      },
    ]);
  });

  it('carries the fix the caller gives', () => {
    const parsed = alibabaAccountIdSchema(undefined, 'give the automation account').safeParse('x');
    expect(parsed.error?.issues[0]).toMatchObject({
      message: 'must be a 16-digit Alibaba Cloud account ID (AliyunUidFormat)',
      params: { fix: 'give the automation account' },
    });
  });

  it('refuses what is not a string before the pattern', () => {
    expect(alibabaAccountIdSchema().safeParse(1234567890123456).error?.issues[0]?.code).toBe('invalid_type');
  });
});
