/**
 * The size bound of every audit event. Audit data copies text that senders choose (ticket fields, problem
 * messages, the key names zod reports), so an event could otherwise grow past what the bus accepts and never be
 * delivered. {@link boundAuditData} cuts long strings with a marker, caps lists and objects with a count of the
 * rest, and tightens those limits step by step until the data's JSON fits {@link AUDIT_BOUNDS}.maxDataBytes.
 */

/** The bounds every audit event is held to (the bus takes 64 KB per event and 256 KB per call). */
export const AUDIT_BOUNDS = {
  /** UTF-8 bytes of the JSON of `data`. */
  maxDataBytes: 16 * 1024,
  /** Characters of `subject` (EventBridge's limit). */
  maxSubjectChars: 512,
  /** Characters of an object key name. */
  maxKeyChars: 128,
  /** Entries of the `omitted` list that says where items were left off. */
  maxOmittedNotes: 10,
} as const;

/** What bounding left out of an event's data (present only when something was cut). */
export interface AuditTruncation {
  /** UTF-8 bytes of the data's JSON before bounding. */
  readonly originalBytes: number;
  /** Strings (values and key names) cut with a marker. */
  readonly cutStrings: number;
  /** Where list items or object keys were left off, and how many (at most 10 notes). */
  readonly omitted: readonly { readonly at: string; readonly count: number }[];
  /** Notes left off from `omitted` itself. */
  readonly moreOmitted?: number;
  /** Set when only the identifying fields could be kept. */
  readonly minimal?: true;
}

interface Limits {
  readonly chars: number;
  readonly items: number;
  readonly keys: number;
  readonly depth: number;
}

/** Ever tighter limits, tried in order until the data fits. */
const LEVELS: readonly Limits[] = [
  { chars: 4096, items: 100, keys: 100, depth: 12 },
  { chars: 1024, items: 25, keys: 50, depth: 10 },
  { chars: 256, items: 10, keys: 25, depth: 8 },
  { chars: 64, items: 5, keys: 12, depth: 6 },
];

/** The marker that replaces the end of a cut string. */
function cutMarker(removed: number): string {
  return `…[cut ${removed} chars]`;
}

/** `text` cut to at most about `max` characters, never splitting a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let keep = Math.max(0, max - 24);
  const last = text.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep)}${cutMarker(text.length - keep)}`;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

class Bounder {
  cutStrings = 0;
  readonly omitted: { at: string; count: number }[] = [];

  constructor(private readonly limits: Limits) {}

  get changed(): boolean {
    return this.cutStrings > 0 || this.omitted.length > 0;
  }

  text(value: string): string {
    const out = cutText(value, this.limits.chars);
    if (out !== value) this.cutStrings += 1;
    return out;
  }

  value(value: unknown, at: string, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth >= this.limits.depth) {
      this.omitted.push({ at: cutText(at, AUDIT_BOUNDS.maxKeyChars), count: 1 });
      return '…[nested too deep]';
    }
    if (Array.isArray(value)) {
      const kept = value.slice(0, this.limits.items).map((item, i) => this.value(item, `${at}[${i}]`, depth + 1));
      if (value.length > kept.length) {
        this.omitted.push({ at: cutText(at, AUDIT_BOUNDS.maxKeyChars), count: value.length - kept.length });
      }
      return kept;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    let left = 0;
    for (const [key, item] of entries) {
      if (Object.keys(out).length >= this.limits.keys) {
        left += 1;
        continue;
      }
      const name = cutText(key, Math.min(AUDIT_BOUNDS.maxKeyChars, this.limits.chars));
      if (name !== key) this.cutStrings += 1;
      if (name in out) {
        left += 1;
        continue;
      }
      out[name] = this.value(item, at === '' ? name : `${at}.${name}`, depth + 1);
    }
    if (left > 0) this.omitted.push({ at: cutText(at || '(data)', AUDIT_BOUNDS.maxKeyChars), count: left });
    return out;
  }

  truncation(originalBytes: number): AuditTruncation {
    const notes = this.omitted.slice(0, AUDIT_BOUNDS.maxOmittedNotes);
    return {
      originalBytes,
      cutStrings: this.cutStrings,
      omitted: notes,
      ...(this.omitted.length > notes.length ? { moreOmitted: this.omitted.length - notes.length } : {}),
    };
  }
}

/** The fields a minimal event keeps, each tightly cut: who (correlation, ticket), what (outcome, codes, grants, finding). */
function minimalData<T extends { correlationId: string; outcome: string }>(data: T, originalBytes: number): T {
  const source = data as unknown as Record<string, unknown>;
  const cutList = (value: unknown, items: number, chars: number) =>
    Array.isArray(value) ? value.slice(0, items).map((v) => cutText(String(v), chars)) : undefined;
  const ticket = source['ticket'];
  const out: Record<string, unknown> = {
    correlationId: cutText(String(data.correlationId), 128),
    outcome: cutText(String(data.outcome), 64),
  };
  const codes = cutList(source['codes'], 10, 64);
  if (codes) out['codes'] = codes;
  for (const [key, chars] of [
    ['kind', 64],
    ['findingId', 64],
    ['severity', 16],
    ['summary', 256],
  ] as const) {
    if (typeof source[key] === 'string') out[key] = cutText(source[key], chars);
  }
  const grantIds = cutList(source['grantIds'], 5, 128);
  if (grantIds) out['grantIds'] = grantIds;
  if (typeof ticket === 'object' && ticket !== null) {
    out['ticket'] = Object.fromEntries(
      ['system', 'id', 'requester', 'approver']
        .filter((k) => typeof (ticket as Record<string, unknown>)[k] === 'string')
        .map((k) => [k, cutText((ticket as Record<string, string>)[k]!, 128)]),
    );
  }
  out['truncated'] = { originalBytes, cutStrings: 0, omitted: [], minimal: true } satisfies AuditTruncation;
  return out as T;
}

/**
 * `data` held to {@link AUDIT_BOUNDS}: returned as it is when it fits and nothing in it is over the first level's
 * limits; otherwise a copy with long strings cut (marker `…[cut N chars]`), lists and objects capped and a
 * `truncated` note saying what was left off. Always JSON-serialisable and within `maxDataBytes`.
 */
export function boundAuditData<T extends { correlationId: string; outcome: string }>(
  data: T,
): T & { readonly truncated?: AuditTruncation } {
  let text: string;
  try {
    text = JSON.stringify(data);
  } catch {
    return minimalData(data, 0);
  }
  const originalBytes = byteLength(text);
  const plain = JSON.parse(text) as Record<string, unknown>;
  for (const limits of LEVELS) {
    const bounder = new Bounder(limits);
    const bounded = bounder.value(plain, '', 0) as Record<string, unknown>;
    if (!bounder.changed && originalBytes <= AUDIT_BOUNDS.maxDataBytes) return data;
    const out = { ...bounded, truncated: bounder.truncation(originalBytes) };
    if (byteLength(JSON.stringify(out)) <= AUDIT_BOUNDS.maxDataBytes) return out as unknown as T;
  }
  return minimalData(data, originalBytes);
}
