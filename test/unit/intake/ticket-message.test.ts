import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../../shared/intake/strict-json.js';
import {
  CanonicalJsonError,
  canonicalJson,
  signTicketBody,
  signTicketMessage,
  verifyTicketSignature,
} from '../../../shared/intake/ticket-message.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
  });

  it('drops undefined members like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('gives the same text for the same content in any key order', () => {
    expect(canonicalJson({ x: 1, y: { p: true, q: 'z' } })).toBe(canonicalJson({ y: { q: 'z', p: true }, x: 1 }));
  });

  it('refuses what I-JSON excludes and nesting no message may have', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: '\ud800' })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(10n)).toThrow(CanonicalJsonError);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i += 1) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeper than 64/);
  });
});

/**
 * RFC 8785's published examples; the input is read with the strict parser (as the intake does) and the expected
 * bytes are written out from the RFC's text.
 */
describe('canonicalJson against RFC 8785', () => {
  it('serializes the example of section 3.2.2 (primitives, whitespace, escapes)', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalJson(parseStrictJson(input))).toBe(expected);
  });

  it('sorts the members of section 3.2.3 by UTF-16 code units', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    const expected =
      String.raw`{"\r":"Carriage Return","1":"One","` +
      '\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
      '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(canonicalJson(parseStrictJson(input))).toBe(expected);
  });

  it('writes UTF-8 bytes for non-ASCII text, as section 3.2.4 requires', () => {
    const bytes = Buffer.from(canonicalJson(parseStrictJson('{"\u20ac":"\u00f6"}')), 'utf8');
    expect(bytes.toString('hex')).toBe('7b22e282ac223a22c3b6227d');
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serializes the IEEE 754 value 0x%s of appendix B as %s', (hex, expected) => {
    expect(canonicalJson(Buffer.from(hex, 'hex').readDoubleBE(0))).toBe(expected);
  });

  it.each([['7fffffffffffffff'], ['7ff0000000000000']])('refuses the NaN or Infinity 0x%s of appendix B', (hex) => {
    expect(() => canonicalJson(Buffer.from(hex, 'hex').readDoubleBE(0))).toThrow(CanonicalJsonError);
  });
});

describe('verifyTicketSignature', () => {
  const keys = { jira: 'jira-secret', servicenow: 'sn-secret' };
  const body = { id: 'msg-00000001', action: 'declare', nested: { b: 2, a: 1 } };

  it('accepts a message signed with the configured key', () => {
    expect(verifyTicketSignature(signTicketMessage(body, 'jira', 'jira-secret'), keys)).toBe('valid');
  });

  it('rejects a message whose body was changed after signing', () => {
    const message = signTicketMessage(body, 'jira', 'jira-secret');
    expect(verifyTicketSignature({ ...message, body: { ...body, action: 'revoke' } }, keys)).toBe('invalid');
  });

  it("rejects a message signed with another system's key", () => {
    expect(verifyTicketSignature(signTicketMessage(body, 'jira', 'sn-secret'), keys)).toBe('invalid');
  });

  it('reports a key id nobody configured', () => {
    expect(verifyTicketSignature(signTicketMessage(body, 'github', 'x'), keys)).toBe('unknownKey');
  });

  it('does not take a key from the object prototype', () => {
    expect(verifyTicketSignature(signTicketMessage(body, 'toString', 'x'), keys)).toBe('unknownKey');
  });

  it('signs the canonical form, so key order does not matter', () => {
    expect(signTicketBody({ a: 1, b: 2 }, 'k')).toBe(signTicketBody({ b: 2, a: 1 }, 'k'));
  });
});
