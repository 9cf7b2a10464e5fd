import { type ZodIssue, z } from 'zod';
import { isPlainObject, nonEmptyString, stringList } from './schema-parts.js';
import { PrincipalKind } from './types.js';

/**
 * The zod schema of a RAM trust-policy document as RAM accepts and returns it. It normalizes the noise away:
 * a string becomes a one-element list, `"Principal":"*"` becomes `{"RAM":["*"]}`, a lone statement object
 * becomes a one-element `Statement` list, and condition values become strings.
 */

const conditionValue = z.union([z.string(), z.number(), z.boolean()], {
  errorMap: () => ({ message: 'must be a string, a number or a boolean' }),
});

/** Condition values: one scalar or a list of them, normalized to a list of strings. */
const conditionValues = z.preprocess(
  (value) => (Array.isArray(value) ? value : [value]),
  z.array(conditionValue).transform((values) => values.map(String)),
);

const conditionBlock = z.record(
  nonEmptyString,
  z.record(nonEmptyString, conditionValues, {
    invalid_type_error: 'must be an object of condition keys, e.g. {"sts:ExternalId":"..."}',
  }),
  { invalid_type_error: 'must be an object of operators, e.g. {"StringEquals":{"sts:ExternalId":"..."}}' },
);

const principalKey = z.enum([PrincipalKind.Ram, PrincipalKind.Service, PrincipalKind.Federated], {
  errorMap: (_issue, ctx) => ({
    message: `${JSON.stringify(ctx.data)} is not a principal type; use RAM, Service or Federated (case-sensitive)`,
  }),
});

const principalBlock = z.preprocess(
  (value) => (value === '*' ? { [PrincipalKind.Ram]: ['*'] } : value),
  z
    .record(principalKey, stringList, {
      invalid_type_error: 'must be "*" or an object with RAM, Service or Federated principals',
      required_error: 'is required',
    })
    .refine((principal) => Object.keys(principal).length > 0, 'must name at least one principal'),
);

const effect = z.enum(['Allow', 'Deny'], {
  errorMap: (issue, ctx) => ({
    message:
      issue.code === 'invalid_type' && ctx.data === undefined
        ? 'is required ("Allow" or "Deny")'
        : `must be "Allow" or "Deny", not ${JSON.stringify(ctx.data)}`,
  }),
});

const statement = z.object(
  {
    Effect: effect,
    Action: stringList.refine((actions) => actions.length > 0, 'must name at least one action'),
    Principal: principalBlock,
    Condition: conditionBlock.optional(),
  },
  { invalid_type_error: 'must be an object', required_error: 'is required' },
);

/** The schema of a whole trust-policy document (see the module comment for the normalization). */
export const TrustPolicySchema = z.object(
  {
    Version: z.string({ invalid_type_error: 'must be a string such as "1"', required_error: 'is required ("1")' }),
    Statement: z.preprocess(
      (value) => (isPlainObject(value) ? [value] : value),
      z.array(statement, { invalid_type_error: 'must be a list of statements', required_error: 'is required' }),
    ),
  },
  { invalid_type_error: 'must be a JSON object with Version and Statement', required_error: 'is required' },
);

/** A trust-policy document after {@link TrustPolicySchema}: every list a list, every condition value a string. */
export type NormalizedTrustPolicy = z.output<typeof TrustPolicySchema>;

/** A normalized statement. */
export type NormalizedStatement = NormalizedTrustPolicy['Statement'][number];

/** Where in the document an issue is, e.g. `Statement[0].Principal.RAM[1]`; `document` for the root. */
export function issueLocation(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? 'document' : out;
}

/** One line per zod issue: `Statement[0].Effect: must be "Allow" or "Deny", not "Maybe"`. */
export function describeIssues(issues: readonly ZodIssue[]): string {
  return issues.map((issue) => `${issueLocation(issue.path)}: ${issue.message}`).join('; ');
}
