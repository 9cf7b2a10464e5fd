import { DtsTrustError } from '../domain/errors.js';

/**
 * Bounds on a queue message, checked while it is read and before any canonicalization, signature or schema work.
 * A ticket message is a few hundred bytes and four levels deep; the bounds leave room without letting a sender
 * make the intake spend memory or stack on it.
 */
export const MessageLimits = {
  /** UTF-8 bytes of the whole message body. */
  maxBytes: 16 * 1024,
  /** Nesting of objects and arrays (the message itself is depth 1). */
  maxDepth: 8,
} as const;

/** Why a text is not accepted as I-JSON within {@link MessageLimits}. */
export const StrictJsonCode = {
  TooLarge: 'MessageTooLarge',
  TooDeep: 'MessageTooDeep',
  Malformed: 'MalformedMessage',
  DuplicateKey: 'DuplicateJsonKey',
  /** Valid JSON outside I-JSON (RFC 7493): a lone surrogate, or a number a double cannot hold. */
  NotIJson: 'NotIJson',
} as const;
/** One of {@link StrictJsonCode}. */
export type StrictJsonCode = (typeof StrictJsonCode)[keyof typeof StrictJsonCode];

/** A text that is not I-JSON within the limits; `position` is the UTF-16 offset where reading stopped. */
export class StrictJsonError extends DtsTrustError {
  constructor(
    override readonly code: StrictJsonCode,
    message: string,
    readonly position: number,
  ) {
    super(code, message);
    this.name = 'StrictJsonError';
  }
}

/** The limits one parse applies. */
export interface JsonLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

const INTEGER_LITERAL = /^-?(?:0|[1-9]\d*)$/;
const NUMBER_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NONZERO_DIGIT = /[1-9]/;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** The offset of the first lone surrogate in `text`, or -1 when it is well formed UTF-16. */
export function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1;
        continue;
      }
      return i;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return i;
  }
  return -1;
}

/** A recursive-descent reader whose recursion is bounded by `maxDepth`, so no input can exhaust the stack. */
class Reader {
  #at = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): unknown {
    const value = this.value(0);
    this.whitespace();
    if (this.#at < this.text.length) this.fail(StrictJsonCode.Malformed, 'unexpected text after the JSON value');
    return value;
  }

  private fail(code: StrictJsonCode, message: string): never {
    throw new StrictJsonError(code, `${message} at offset ${this.#at}`, this.#at);
  }

  private whitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.#at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.#at += 1;
      else return;
    }
  }

  private expect(char: string): void {
    this.whitespace();
    if (this.text[this.#at] !== char) this.fail(StrictJsonCode.Malformed, `expected "${char}"`);
    this.#at += 1;
  }

  private value(depth: number): unknown {
    this.whitespace();
    const c = this.text[this.#at];
    if (c === '{' || c === '[') {
      if (depth + 1 > this.maxDepth) {
        this.fail(StrictJsonCode.TooDeep, `nesting deeper than ${this.maxDepth} levels`);
      }
      return c === '{' ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    return this.fail(StrictJsonCode.Malformed, c === undefined ? 'unexpected end of text' : 'expected a JSON value');
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.#at)) this.fail(StrictJsonCode.Malformed, `expected ${word}`);
    this.#at += word.length;
    return value;
  }

  private number(): number {
    NUMBER_LITERAL.lastIndex = this.#at;
    const match = NUMBER_LITERAL.exec(this.text);
    if (!match) return this.fail(StrictJsonCode.Malformed, 'expected a number');
    const literal = match[0];
    const value = Number(literal);
    const mantissa = literal.split(/[eE]/)[0] ?? '';
    if (!Number.isFinite(value)) this.fail(StrictJsonCode.NotIJson, `the number ${literal} exceeds a double`);
    if (value === 0 && NONZERO_DIGIT.test(mantissa)) {
      this.fail(StrictJsonCode.NotIJson, `the number ${literal} is too small for a double`);
    }
    if (INTEGER_LITERAL.test(literal) && !Number.isSafeInteger(value)) {
      this.fail(StrictJsonCode.NotIJson, `the integer ${literal} is outside the safe range ±(2^53 - 1)`);
    }
    this.#at += literal.length;
    return value === 0 ? 0 : value;
  }

  private string(): string {
    const start = this.#at;
    this.#at += 1;
    let out = '';
    let run = this.#at;
    for (;;) {
      const c = this.text.charCodeAt(this.#at);
      if (Number.isNaN(c)) this.fail(StrictJsonCode.Malformed, 'unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) this.fail(StrictJsonCode.Malformed, 'a control character inside a string');
      if (c !== 0x5c) {
        this.#at += 1;
        continue;
      }
      out += this.text.slice(run, this.#at);
      const e = this.text[this.#at + 1] ?? '';
      if (e === 'u') {
        const hex = this.text.slice(this.#at + 2, this.#at + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail(StrictJsonCode.Malformed, 'a bad \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.#at += 6;
      } else {
        const unescaped = ESCAPES[e];
        if (unescaped === undefined) this.fail(StrictJsonCode.Malformed, 'a bad escape');
        out += unescaped;
        this.#at += 2;
      }
      run = this.#at;
    }
    out += this.text.slice(run, this.#at);
    this.#at += 1;
    const lone = loneSurrogateAt(out);
    if (lone >= 0) {
      this.#at = start;
      this.fail(StrictJsonCode.NotIJson, 'a string holds a lone surrogate (not Unicode text)');
    }
    return out;
  }

  private array(depth: number): unknown[] {
    this.#at += 1;
    const items: unknown[] = [];
    this.whitespace();
    if (this.text[this.#at] === ']') {
      this.#at += 1;
      return items;
    }
    for (;;) {
      items.push(this.value(depth));
      this.whitespace();
      const c = this.text[this.#at];
      this.#at += 1;
      if (c === ']') return items;
      if (c !== ',') {
        this.#at -= 1;
        this.fail(StrictJsonCode.Malformed, 'expected "," or "]"');
      }
    }
  }

  private object(depth: number): Record<string, unknown> {
    this.#at += 1;
    const members: Record<string, unknown> = {};
    this.whitespace();
    if (this.text[this.#at] === '}') {
      this.#at += 1;
      return members;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.#at] !== '"') this.fail(StrictJsonCode.Malformed, 'expected a member name');
      const keyAt = this.#at;
      const key = this.string();
      if (Object.hasOwn(members, key)) {
        this.#at = keyAt;
        this.fail(StrictJsonCode.DuplicateKey, `the member name ${JSON.stringify(key)} appears twice`);
      }
      this.expect(':');
      // defineProperty keeps "__proto__" an own member, as JSON.parse does.
      Object.defineProperty(members, key, {
        value: this.value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.whitespace();
      const c = this.text[this.#at];
      this.#at += 1;
      if (c === '}') return members;
      if (c !== ',') {
        this.#at -= 1;
        this.fail(StrictJsonCode.Malformed, 'expected "," or "}"');
      }
    }
  }
}

/**
 * Parse `text` as I-JSON (RFC 7493) within `limits`: the size is checked first, the depth while reading (the
 * reader never recurses deeper than `maxDepth`), and duplicate member names, lone surrogates, integers outside
 * ±(2^53 - 1) and numbers a double cannot hold are refused rather than silently changed as `JSON.parse` would.
 * Throws {@link StrictJsonError}.
 */
export function parseStrictJson(text: string, limits: JsonLimits = MessageLimits): unknown {
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new StrictJsonError(
      StrictJsonCode.TooLarge,
      `the text is ${Buffer.byteLength(text, 'utf8')} bytes; at most ${limits.maxBytes} are accepted`,
      0,
    );
  }
  return new Reader(text, limits.maxDepth).document();
}
