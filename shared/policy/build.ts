import { isAlibabaAccountId } from '../domain/account-id.js';
import { ValidationError, type ValidationProblem } from '../domain/errors.js';
import { dtsServicePrincipal, ExternalIdCondition, ramRootPrincipal, STS_ASSUME_ROLE } from './principals.js';
import type { TrustPolicyDocument, TrustPolicyOptions, TrustStatementDocument } from './types.js';

function problemsOf(trustedAccountIds: readonly string[], options: TrustPolicyOptions): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (trustedAccountIds.length === 0) {
    problems.push({
      code: 'EmptyTrustPolicy',
      field: 'trustedAccountIds',
      message: 'a trust policy needs at least one trusted account',
      fix: 'pass the account IDs of the active grants, or delete the role when none is left',
    });
  }
  trustedAccountIds.forEach((uid, index) => {
    if (!isAlibabaAccountId(uid)) {
      problems.push({
        code: 'AliyunUidFormat',
        field: `trustedAccountIds[${index}]`,
        message: `${JSON.stringify(uid)} is not an Alibaba Cloud account ID`,
        fix: 'use the 16-digit account ID of the account that creates the DTS task',
      });
    }
  });
  if (options.externalId !== undefined && options.externalId.trim() === '') {
    problems.push({
      code: 'InvalidExternalId',
      field: 'externalId',
      message: 'the external ID is empty',
      fix: 'leave externalId out, or give the external ID the trusted account passes to AssumeRole',
    });
  }
  return problems;
}

/**
 * The desired trust policy of a DTS cross-account role: one Allow `sts:AssumeRole` statement trusting
 * `acs:ram::<uid>:root` and `<uid>@dts.aliyuncs.com` for every trusted account (sorted, unique), with an
 * `sts:ExternalId` condition when `options.externalId` is set. Throws {@link ValidationError} on an empty list
 * or an ID that is not a 16-digit account ID.
 */
export function buildTrustPolicy(
  trustedAccountIds: readonly string[],
  options: TrustPolicyOptions = {},
): TrustPolicyDocument {
  const problems = problemsOf(trustedAccountIds, options);
  if (problems.length > 0) throw new ValidationError(problems);
  const accounts = [...new Set(trustedAccountIds)].sort();
  const statement: TrustStatementDocument = {
    Effect: 'Allow',
    Action: STS_ASSUME_ROLE,
    Principal: { RAM: accounts.map(ramRootPrincipal), Service: accounts.map(dtsServicePrincipal) },
    ...(options.externalId === undefined
      ? {}
      : { Condition: { [ExternalIdCondition.operator]: { [ExternalIdCondition.key]: options.externalId } } }),
  };
  return { Version: '1', Statement: [statement] };
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortedKeys<T>(record: Readonly<Record<string, T>>, value: (item: T) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort(byCodePoint)) out[key] = value(record[key] as T);
  return out;
}

/**
 * The document as compact JSON in a stable key order (Version, Statement; Effect, Action, Principal, Condition;
 * principal types and condition keys sorted): the exact text sent to RAM, so equal documents render equal.
 */
export function renderTrustPolicy(document: TrustPolicyDocument): string {
  return JSON.stringify({
    Version: document.Version,
    Statement: document.Statement.map((statement) => ({
      Effect: statement.Effect,
      Action: statement.Action,
      Principal: sortedKeys(statement.Principal, (principals) => principals),
      ...(statement.Condition === undefined
        ? {}
        : { Condition: sortedKeys(statement.Condition, (keys) => sortedKeys(keys, (values) => values)) }),
    })),
  });
}
