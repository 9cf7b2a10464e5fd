// Sign a dts-trust ticket in JavaScript: a Jira Forge app or automation web-trigger handler, a ServiceNow-to-MNS
// relay, any Node.js 18+ runtime. `canonicalize` is RFC 8785 (JCS) for I-JSON values: JSON.stringify already
// writes strings and numbers as JCS does; what it adds is the member order (UTF-16 code units, which is what
// JavaScript's default string comparison uses). See docs/ticket-signing.md.
import { createHmac } from 'node:crypto';

/** RFC 8785 canonical JSON of an I-JSON value. */
export function canonicalize(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('not a JSON number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v === undefined ? null : v)).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(value[k])}`).join(',')}}`;
}

/** The dts-trust/v1 message for `body`, signed with the ticketing system's key. */
export function signTicket(body, keyId, secret) {
  const signature = createHmac('sha256', secret).update(canonicalize(body), 'utf8').digest('hex');
  return { schema: 'dts-trust/v1', keyId, signature, body };
}

/** What goes into MNS's <MessageBody>: the message JSON, base64 (the queue's trigger decodes it). */
export function mnsMessageBody(message) {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}
