import { describe, expect, it } from 'vitest';
import {
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
