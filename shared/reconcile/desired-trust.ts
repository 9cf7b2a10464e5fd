import type { DesiredRole } from '../domain/desired-role.js';
import { ValidationError, type ValidationProblem } from '../domain/errors.js';
import { Cloud } from '../domain/grant.js';
import { type BuiltTrust, type TrustDialect, trustDialectOf } from '../policy/index.js';
import type { ParsedTrustPolicy } from '../policy/types.js';

/** The trust policy a desired role must carry, as text to send and as entries to compare, in its cloud's dialect. */
export interface DesiredTrust {
  readonly text: string;
  readonly parsed: ParsedTrustPolicy;
  readonly dialect: TrustDialect;
}

/** The outcome of building a desired trust policy: the policy, or why it cannot be built. */
export type DesiredTrustResult =
  | { readonly ok: true; readonly trust: DesiredTrust }
  | { readonly ok: false; readonly problems: readonly ValidationProblem[] };

/** Trust policy options without an external ID. */
const NO_OPTIONS = {} as const;

/**
 * The result for each (memoized, read-only) built policy: one object for the many roles that trust the same
 * accounts, built once, not twice per role (observe and plan both ask). A built policy belongs to one dialect.
 */
const builtResults = new WeakMap<BuiltTrust, DesiredTrustResult>();

/**
 * Build the trust policy of a desired role in its cloud's dialect (RAM or CAM); invalid declarations come back as problems, never thrown. An external
 * ID on an Alibaba Cloud grant is refused (`ExternalIdNotSupported`): DTS cannot pass one, so it could never assume
 * the role.
 */
export function desiredTrustOf(desired: DesiredRole): DesiredTrustResult {
  if (desired.cloud === Cloud.Alibaba && desired.externalId !== undefined) {
    return {
      ok: false,
      problems: [
        {
          code: 'ExternalIdNotSupported',
          field: 'externalId',
          message:
            'DTS cannot pass an external ID (ConfigureDtsJob has no ExternalId field), so it could never assume this role',
          fix: 'leave externalId out of Alibaba Cloud DTS grants, then declare the grant again',
        },
      ],
    };
  }
  try {
    const dialect = trustDialectOf(desired.cloud);
    const built = dialect.build(
      desired.trustedAccountIds,
      desired.externalId === undefined ? NO_OPTIONS : { externalId: desired.externalId },
    );
    let result = builtResults.get(built);
    if (result === undefined) {
      result = { ok: true, trust: { ...built, dialect } };
      builtResults.set(built, result);
    }
    return result;
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, problems: error.problems };
    throw error;
  }
}
