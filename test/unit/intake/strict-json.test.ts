import { describe, expect, it } from 'vitest';
import { MessageLimits, parseStrictJson, StrictJsonCode, StrictJsonError } from '../../../shared/intake/strict-json.js';

function codeOf(text: string, limits = MessageLimits): string | undefined {
  try {
    parseStrictJson(text, limits);
    return undefined;
  } catch (error) {
    if (error instanceof StrictJsonError) return error.code;
    throw error;
  }
}

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads for ordinary I-JSON', () => {
    const text = '{"a":[1,-2.5,3e2,true,false,null],"b":{"c":"x\\u00e9\\n\\"\\\\\\/"},"d":""}';
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it('keeps "__proto__" as an own member, as JSON.parse does', () => {
    const value = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a duplicate member name, which JSON.parse would silently resolve to the last', () => {
    expect(codeOf('{"action":"declare","action":"revoke"}')).toBe(StrictJsonCode.DuplicateKey);
    expect(codeOf('{"a":{"b":1,"b":1}}')).toBe(StrictJsonCode.DuplicateKey);
  });

  it('counts a name written with an escape as the same name', () => {
    expect(codeOf('{"id":1,"\\u0069d":2}')).toBe(StrictJsonCode.DuplicateKey);
  });

  it('refuses a text larger than the limit before reading it', () => {
    expect(codeOf(`"${'x'.repeat(MessageLimits.maxBytes)}"`)).toBe(StrictJsonCode.TooLarge);
    expect(codeOf(`"${'é'.repeat(MessageLimits.maxBytes / 2)}"`)).toBe(StrictJsonCode.TooLarge);
  });

  it('refuses nesting deeper than the limit without exhausting the stack', () => {
    expect(codeOf(`${'['.repeat(MessageLimits.maxDepth)}${']'.repeat(MessageLimits.maxDepth)}`)).toBeUndefined();
    expect(codeOf(`${'['.repeat(MessageLimits.maxDepth + 1)}${']'.repeat(MessageLimits.maxDepth + 1)}`)).toBe(
      StrictJsonCode.TooDeep,
    );
    const deep = '{"a":'.repeat(200_000);
    expect(codeOf(deep, { maxBytes: 10_000_000, maxDepth: MessageLimits.maxDepth })).toBe(StrictJsonCode.TooDeep);
  });

  it.each([
    ['an escaped lone high surrogate', '"\\ud800"'],
    ['an escaped lone low surrogate', '"\\udc00x"'],
    ['a raw lone surrogate', `"${String.fromCharCode(0xd83d)}"`],
    ['a lone surrogate in a member name', '{"\\ud800":1}'],
    ['an integer beyond 2^53 - 1', '9007199254740993'],
    ['a negative integer beyond -(2^53 - 1)', '-9007199254740992'],
    ['a number beyond the largest double', '1e400'],
    ['a non-zero number below the smallest double', '1e-400'],
  ])('refuses %s as outside I-JSON', (_name, text) => {
    expect(codeOf(text)).toBe(StrictJsonCode.NotIJson);
  });

  it('accepts a surrogate pair, the largest safe integer and numbers with exponents', () => {
    expect(parseStrictJson('"\\ud83d\\ude00"')).toBe('😀');
    expect(parseStrictJson('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseStrictJson('[1E30,0e5,-0]')).toEqual([1e30, 0, 0]);
  });

  it.each([
    ['{"a":1,}'],
    ['[1,]'],
    ['{"a" 1}'],
    ["{'a':1}"],
    ['01'],
    ['1.'],
    ['.5'],
    ['+1'],
    ['NaN'],
    ['"tab\there"'],
    ['"\\x41"'],
    ['"\\u12"'],
    ['{"a":1} x'],
    [''],
    ['"open'],
    ['tru'],
  ])('refuses the malformed text %s', (text) => {
    expect(codeOf(text)).toBe(StrictJsonCode.Malformed);
  });

  it('names the offset where reading stopped', () => {
    try {
      parseStrictJson('{"a":1,"a":2}');
      expect.unreachable();
    } catch (error) {
      expect((error as StrictJsonError).position).toBe(7);
    }
  });
});
