import { z } from 'zod';
import { builtOnFirstUse } from '../../domain/built-on-first-use.js';
import { isPlainObject, nonEmptyString, stringList } from '../schema-parts.js';

/**
 * The zod schema of a CAM trust-policy document as CAM accepts and returns it. It reads away CAM's rewrites and
 * the noise: keys in any letter case (CAM writes them lower-case), a string where a list belongs, a lone statement
 * object, effects in any case, condition values as strings.
 */

/** The object with its keys in lower case (the values untouched). */
const lowerKeys = (value: unknown): unknown =>
  isPlainObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v])) : value;

/**
 * The schema of a whole CAM trust-policy document (see the module comment for what it reads away), built on first
 * use: an Alibaba-only deployment never reads a CAM policy.
 */
export const camTrustPolicySchema = builtOnFirstUse(() => {
  const conditionValues = z.preprocess(
    (value) => (Array.isArray(value) ? value : [value]),
    z
      .array(z.union([z.string(), z.number(), z.boolean()], { errorMap: () => ({ message: 'must be a scalar' }) }))
      .transform((values) => values.map(String)),
  );

  const conditionBlock = z.preprocess(
    (value) =>
      isPlainObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]))
        : value,
    z.record(
      nonEmptyString,
      z.record(nonEmptyString, conditionValues, {
        invalid_type_error: 'must be an object of condition keys, e.g. {"sts:external_id":"..."}',
      }),
      { invalid_type_error: 'must be an object of operators, e.g. {"string_equal":{"sts:external_id":"..."}}' },
    ),
  );

  /** Principal kinds a CAM trust policy can carry: root accounts, sub-users, roles and providers (`qcs`), services. */
  const principalBlock = z.preprocess(
    lowerKeys,
    z
      .object(
        { qcs: stringList.optional(), service: stringList.optional() },
        { invalid_type_error: 'must be an object with qcs or service principals', required_error: 'is required' },
      )
      .strict('a CAM principal is "qcs" or "service"')
      .refine((p) => (p.qcs?.length ?? 0) + (p.service?.length ?? 0) > 0, 'must name at least one principal'),
  );

  const effect = z.preprocess(
    (value) => (typeof value === 'string' ? value.toLowerCase() : value),
    z.enum(['allow', 'deny'], { errorMap: () => ({ message: 'must be "allow" or "deny"' }) }),
  );

  const statement = z.preprocess(
    lowerKeys,
    z.object(
      {
        effect,
        action: stringList.refine((actions) => actions.length > 0, 'must name at least one action'),
        principal: principalBlock,
        condition: conditionBlock.optional(),
      },
      { invalid_type_error: 'must be an object', required_error: 'is required' },
    ),
  );

  return z.preprocess(
    lowerKeys,
    z.object(
      {
        version: z.string({
          invalid_type_error: 'must be a string such as "2.0"',
          required_error: 'is required ("2.0")',
        }),
        statement: z.preprocess(
          (value) => (isPlainObject(value) ? [value] : value),
          z.array(statement, { invalid_type_error: 'must be a list of statements', required_error: 'is required' }),
        ),
      },
      { invalid_type_error: 'must be a JSON object with version and statement', required_error: 'is required' },
    ),
  );
});

/** A CAM trust policy after {@link camTrustPolicySchema}. */
export type NormalizedCamTrustPolicy = z.output<ReturnType<typeof camTrustPolicySchema>>;
