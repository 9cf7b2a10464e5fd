import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoredGrantSchema } from '../../../shared/alicloud/tablestore/grant-store.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { DateTimeWithOffsetSchema } from '../../../shared/domain/timestamp.js';

/** What a stored grant was checked with before: the domain's zod 3 schema, its times with the pattern compiled once. */
const DomainStoredGrant = GrantSchema.extend({
  expiresAt: DateTimeWithOffsetSchema.optional(),
  createdAt: DateTimeWithOffsetSchema.optional(),
  updatedAt: DateTimeWithOffsetSchema.optional(),
});

const TICKET = { system: 's', id: 'T-1', requester: 'r', approver: 'a' };
const TIMES = ['2026-12-01T09:30:00Z', '2026-12-01T17:30:00.123+08:00', undefined];
const BAD_TIMES = ['2026-12-01T09:30:00', '2026-13-01T09:30:00Z', 'soon', 0];
/** A field's values: mostly ones a grant may hold (absent included), now and then one it may not. */
const values = (valid: unknown[], invalid: unknown[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 12 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 });
const field = {
  ownerAccountId: values(['7000000000000001', ''], [7, null, undefined]),
  roleName: values(['dts-role'], [1, undefined]),
  trustedAccountId: values(['7000000000000002'], [undefined, ['x']]),
  cloud: values(['alibaba', 'tencent', undefined], ['aws', 1]),
  policies: values([['AliyunDTSRolePolicy'], ['A', 'B'], undefined], [[], [''], 'AliyunDTSRolePolicy', [1]]),
  externalId: values(['ab', 'x'.repeat(1224), undefined], ['a', 'a'.repeat(1225), 3]),
  subAccountUins: values([['100000000001'], undefined], [[], Array(21).fill('1'), [2]]),
  mode: values(['enforce', 'observe', 'paused', undefined], ['off']),
  expiresAt: values(TIMES, BAD_TIMES),
  dtsJobIds: values([['dtsabc123'], undefined], [['bad-id'], [], Array(11).fill('dtsabc123'), ['abc']]),
  adopt: values([true, false, undefined], ['yes']),
  ticket: values([TICKET, { ...TICKET, extra: 1 }], [{ ...TICKET, id: '' }, { system: 's' }, undefined]),
  origin: values([{ system: 's', keyId: 'k', messageId: 'm' }, undefined], [{ system: 's', keyId: '' }, 'x']),
  revision: values([0, 3, undefined], [-1, 1.5, '2']),
  createdAt: values(TIMES, BAD_TIMES),
  updatedAt: values(TIMES, BAD_TIMES),
  unknownColumn: values([undefined, 'not a grant field'], [undefined]),
};
const documents = fc.record(field, { requiredKeys: [] });

describe('StoredGrantSchema', () => {
  it("checks exactly the domain grant's fields", () => {
    expect(Object.keys(StoredGrantSchema.def.shape).sort()).toEqual(Object.keys(GrantSchema.shape).sort());
  });

  it('accepts and refuses what the domain grant schema does, with the same output', () => {
    let accepted = 0;
    fc.assert(
      fc.property(documents, (document) => {
        const domain = DomainStoredGrant.safeParse(document);
        const stored = StoredGrantSchema.safeParse(document);
        expect(stored.success).toBe(domain.success);
        if (domain.success) {
          accepted += 1;
          expect(stored.data).toEqual(domain.data);
        }
      }),
      { numRuns: 2000 },
    );
    // Both sides of the property were exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(1900);
  });

  it('fills the defaults of a grant written before they existed', () => {
    const parsed = StoredGrantSchema.parse({
      ownerAccountId: '7000000000000001',
      roleName: 'dts-role',
      trustedAccountId: '7000000000000002',
      ticket: { system: 's', id: 'T-1', requester: 'r', approver: 'a' },
    });
    expect(parsed).toMatchObject({
      cloud: 'alibaba',
      policies: ['AliyunDTSRolePolicy'],
      mode: 'enforce',
      adopt: false,
    });
    expect(parsed.revision).toBe(0);
  });
});
