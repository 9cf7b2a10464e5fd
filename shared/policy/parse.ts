import { PolicyParseError } from '../domain/errors.js';
import { canonicalCondition } from './condition.js';
import { uniqueSortedEntries } from './entries.js';
import { describeIssues, type NormalizedTrustPolicy, TrustPolicySchema } from './schema.js';
import type { ParsedTrustPolicy, PrincipalKind, TrustEntry, TrustPolicyDocument } from './types.js';

const GRAMMAR_HINT =
  'a RAM trust policy is {"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::<uid>:root"]}}]}';

/** Expand a validated document into its set of entries: one per effect, action, principal and statement condition. */
function entriesOf(document: NormalizedTrustPolicy): ParsedTrustPolicy {
  const entries: TrustEntry[] = [];
  for (const statement of document.Statement) {
    const condition = canonicalCondition(statement.Condition);
    for (const action of statement.Action) {
      for (const [kind, principals] of Object.entries(statement.Principal) as [PrincipalKind, string[]][]) {
        for (const principal of principals) {
          entries.push({ effect: statement.Effect, action, principalKind: kind, principal, condition });
        }
      }
    }
  }
  return { version: document.Version, entries: uniqueSortedEntries(entries) };
}

function validated(value: unknown, what: string): NormalizedTrustPolicy {
  const result = TrustPolicySchema.safeParse(value);
  if (!result.success) {
    throw new PolicyParseError(`${what} is malformed: ${describeIssues(result.error.issues)}; ${GRAMMAR_HINT}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * Parse a trust policy as RAM returns it (compact or pretty-printed, any key order, string or list principals,
 * several statements) into its normalized set of entries. Throws {@link PolicyParseError} naming what is wrong.
 */
export function parseTrustPolicy(text: string): ParsedTrustPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicyParseError(`Trust policy is not valid JSON (${reason}); ${GRAMMAR_HINT}`, { cause: error });
  }
  return entriesOf(validated(json, 'Trust policy'));
}

/** The normalized entries of a document we built, so a desired policy can be diffed without a text round trip. */
export function parsedFromDocument(document: TrustPolicyDocument): ParsedTrustPolicy {
  return entriesOf(validated(document, 'Trust policy document'));
}
