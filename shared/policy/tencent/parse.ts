import { PolicyParseError } from '../../domain/errors.js';
import { canonicalCondition } from '../condition.js';
import { uniqueSortedEntries } from '../entries.js';
import { STS_ASSUME_ROLE } from '../principals.js';
import { describeIssues } from '../schema.js';
import { type ParsedTrustPolicy, PrincipalKind, type TrustEntry } from '../types.js';
import { camActionName, canonicalQcsPrincipal } from './principals.js';
import { camTrustPolicySchema, type NormalizedCamTrustPolicy } from './schema.js';
import type { CamTrustPolicyDocument } from './types.js';

const GRAMMAR_HINT =
  'a CAM trust policy is {"version":"2.0","statement":[{"action":"name/sts:AssumeRole","effect":"allow","principal":{"qcs":["qcs::cam::uin/<uin>:root"]}}]}';

/** The action as entries compare it: without `name/`, and `sts:AssumeRole` in one spelling whatever its case. */
function canonicalAction(action: string): string {
  const name = camActionName(action);
  return name.toLowerCase() === STS_ASSUME_ROLE.toLowerCase() ? STS_ASSUME_ROLE : name;
}

function entriesOf(document: NormalizedCamTrustPolicy): ParsedTrustPolicy {
  const entries: TrustEntry[] = [];
  for (const statement of document.statement) {
    const condition = canonicalCondition(statement.condition);
    const effect = statement.effect === 'allow' ? 'Allow' : 'Deny';
    for (const action of statement.action) {
      for (const principal of statement.principal.qcs ?? []) {
        entries.push({
          effect,
          action: canonicalAction(action),
          principalKind: PrincipalKind.Qcs,
          principal: canonicalQcsPrincipal(principal),
          condition,
        });
      }
      for (const principal of statement.principal.service ?? []) {
        entries.push({
          effect,
          action: canonicalAction(action),
          principalKind: PrincipalKind.Service,
          principal: principal.trim().toLowerCase(),
          condition,
        });
      }
    }
  }
  return { version: document.version, entries: uniqueSortedEntries(entries) };
}

function validated(value: unknown, what: string): NormalizedCamTrustPolicy {
  const result = camTrustPolicySchema().safeParse(value);
  if (!result.success) {
    throw new PolicyParseError(`${what} is malformed: ${describeIssues(result.error.issues)}; ${GRAMMAR_HINT}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * Parse a CAM trust policy as GetRole returns it into its normalized set of entries, reading CAM's rewrites away:
 * a string as a one-element list, `:uin/<same uin>` as `:root`, keys in any case, the `name/` prefix on actions.
 * Throws {@link PolicyParseError} naming what is wrong.
 */
export function parseCamTrustPolicy(text: string): ParsedTrustPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicyParseError(`CAM trust policy is not valid JSON (${reason}); ${GRAMMAR_HINT}`, { cause: error });
  }
  return entriesOf(validated(json, 'CAM trust policy'));
}

/** The normalized entries of a CAM document we built, so a desired policy can be diffed without a text round trip. */
export function parsedFromCamDocument(document: CamTrustPolicyDocument): ParsedTrustPolicy {
  return entriesOf(validated(document, 'CAM trust policy document'));
}
