import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../../shared/domain/errors.js';
import { CamTrustDialect, diffTrust, parseTrustPolicy, RamTrustDialect } from '../../../shared/policy/index.js';
import { BoundedMemo } from '../../../shared/policy/memo.js';
import { compactDocument, OWNER, prettyDocument, SECOND, STRANGER, TRUSTED } from './fixtures.js';

describe('BoundedMemo', () => {
  it('computes a key once and hands the kept result to later callers', () => {
    const memo = new BoundedMemo<{ n: number }>(4);
    let computed = 0;
    const first = memo.get('a', () => ({ n: ++computed }));
    expect(memo.get('a', () => ({ n: ++computed }))).toBe(first);
    expect(computed).toBe(1);
  });

  it('forgets the oldest result once it holds its limit', () => {
    const memo = new BoundedMemo<string>(2);
    memo.get('a', () => 'a1');
    memo.get('b', () => 'b1');
    memo.get('c', () => 'c1');
    expect(memo.size).toBe(2);
    expect(memo.get('a', () => 'a2')).toBe('a2');
    expect(memo.get('c', () => 'c2')).toBe('c1');
  });

  it('keeps nothing when the computation throws', () => {
    const memo = new BoundedMemo<string>(2);
    expect(() =>
      memo.get('a', () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(memo.size).toBe(0);
    expect(memo.get('a', () => 'a')).toBe('a');
  });
});

describe('the memoized dialects', () => {
  it('parse a document text once: the same text gives the same read-only result', () => {
    const text = prettyDocument(TRUSTED);
    const first = RamTrustDialect.parse(text);
    expect(RamTrustDialect.parse(text)).toBe(first);
    expect(first).toEqual(parseTrustPolicy(text));
  });

  it('still refuse a malformed document every time', () => {
    for (let i = 0; i < 2; i++) expect(() => RamTrustDialect.parse('{"Version":"1"}')).toThrow(PolicyParseError);
  });

  it('build the trust of the same accounts once, and another for other accounts or an external ID', () => {
    const one = RamTrustDialect.build([TRUSTED], {});
    expect(RamTrustDialect.build([TRUSTED], {})).toBe(one);
    expect(RamTrustDialect.build([TRUSTED, SECOND], {}).text).not.toBe(one.text);
    expect(CamTrustDialect.build(['100000000001'], {})).toBe(CamTrustDialect.build(['100000000001'], {}));
    expect(CamTrustDialect.build(['100000000001'], { externalId: 'x1' }).text).toContain('x1');
  });

  it('still refuse to build a trust without accounts every time', () => {
    for (let i = 0; i < 2; i++) expect(() => RamTrustDialect.build([], {})).toThrow();
  });

  it('diff as the plain diff does, per owner account', () => {
    const desired = RamTrustDialect.build([TRUSTED], {}).parsed;
    const live = RamTrustDialect.parse(compactDocument(STRANGER));
    const diff = RamTrustDialect.diff(desired, live, { ownerAccountId: OWNER });
    expect(diff).toEqual(diffTrust(desired, live, { ownerAccountId: OWNER }));
    expect(RamTrustDialect.diff(desired, live, { ownerAccountId: OWNER })).toBe(diff);
    const asOwner = RamTrustDialect.diff(desired, live, { ownerAccountId: STRANGER });
    expect(asOwner).toEqual(diffTrust(desired, live, { ownerAccountId: STRANGER }));
    expect(asOwner).not.toEqual(diff);
  });
});
