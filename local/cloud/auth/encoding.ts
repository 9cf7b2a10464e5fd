/**
 * Percent-encoding and request parsing shared by the signature checks, written to match what
 * `@alicloud/openapi-core` signs (its `encode`: encodeURIComponent plus `!'()*`).
 */
import type { CloudCall } from '../contract.js';

/** Percent-encode a value exactly as openapi-core does before signing. */
export function acsEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

/** The query string of a call as a plain object (last value wins for a repeated key). */
export function queryParams(call: CloudCall): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of call.url.searchParams) out[key] = value;
  return out;
}

/** The form-encoded body of a call as a plain object; empty when the body is not a form. */
export function formParams(call: CloudCall): Record<string, string> {
  const out: Record<string, string> = {};
  if (call.body.length === 0) return out;
  const type = call.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return out;
  for (const [key, value] of new URLSearchParams(call.body.toString('utf8'))) out[key] = value;
  return out;
}

/** One header value as a string (repeated headers joined with `,`), or undefined. */
export function headerValue(call: CloudCall, name: string): string | undefined {
  const value = call.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}
