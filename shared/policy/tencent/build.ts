import { isTencentAccountId } from '../../domain/account-id.js';
import { ValidationError, type ValidationProblem } from '../../domain/errors.js';
import { STS_ASSUME_ROLE } from '../principals.js';
import { PrincipalKind, type TrustEntry, type TrustPolicyOptions } from '../types.js';
import { CAM_ASSUME_ROLE, CAM_POLICY_VERSION, CamExternalIdCondition, qcsRootPrincipal } from './principals.js';
import type { CamTrustPolicyDocument, CamTrustStatementDocument } from './types.js';

function problemsOf(trustedUins: readonly string[], options: TrustPolicyOptions): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (trustedUins.length === 0) {
    problems.push({
      code: 'EmptyTrustPolicy',
      field: 'trustedAccountIds',
      message: 'a trust policy needs at least one trusted root account',
      fix: 'pass the root account UINs of the active grants, or delete the role when none is left',
    });
  }
  trustedUins.forEach((uin, index) => {
    if (!isTencentAccountId(uin)) {
      problems.push({
        code: 'InvalidAccountId',
        field: `trustedAccountIds[${index}]`,
        message: `${JSON.stringify(uin)} is not a Tencent Cloud root account UIN`,
        fix: 'use the numeric UIN of the root account that creates the DTS task (a root account even when a sub-user runs it)',
      });
    }
  });
  if (options.externalId !== undefined && options.externalId.trim() === '') {
    problems.push({
      code: 'InvalidExternalId',
      field: 'externalId',
      message: 'the external ID is empty',
      fix: 'leave externalId out, or give the external ID the DTS sync task passes (RoleExternalId)',
    });
  }
  return problems;
}

/**
 * The desired trust policy of a Tencent DTS cross-account role: one `allow` `name/sts:AssumeRole` statement
 * trusting `qcs::cam::uin/<uin>:root` for every trusted root account (sorted, unique), with the
 * `string_equal sts:external_id` condition when `options.externalId` is set. Throws {@link ValidationError} on an
 * empty list or a UIN that is not numeric.
 */
export function buildCamTrustPolicy(
  trustedUins: readonly string[],
  options: TrustPolicyOptions = {},
): CamTrustPolicyDocument {
  const problems = problemsOf(trustedUins, options);
  if (problems.length > 0) throw new ValidationError(problems);
  const statement: CamTrustStatementDocument = {
    action: CAM_ASSUME_ROLE,
    effect: 'allow',
    principal: { qcs: [...new Set(trustedUins)].sort().map(qcsRootPrincipal) },
    ...(options.externalId === undefined
      ? {}
      : { condition: { [CamExternalIdCondition.operator]: { [CamExternalIdCondition.key]: options.externalId } } }),
  };
  return { version: CAM_POLICY_VERSION, statement: [statement] };
}

/** The document as compact JSON in a stable key order: the exact text sent to CAM, so equal documents render equal. */
export function renderCamTrustPolicy(document: CamTrustPolicyDocument): string {
  return JSON.stringify({
    version: document.version,
    statement: document.statement.map((s) => ({
      action: s.action,
      effect: s.effect,
      principal: {
        ...(s.principal.qcs === undefined ? {} : { qcs: s.principal.qcs }),
        ...(s.principal.service === undefined ? {} : { service: s.principal.service }),
      },
      ...(s.condition === undefined ? {} : { condition: s.condition }),
    })),
  });
}

/** The CAM action of an entry (`sts:AssumeRole` gets CAM's `name/` prefix back). */
function camActionOf(entry: TrustEntry): string {
  return entry.action === STS_ASSUME_ROLE ? CAM_ASSUME_ROLE : entry.action;
}

/**
 * A CAM document holding exactly the given entries (grouped into one statement per effect, action and condition):
 * what the engine writes when it narrows a live trust policy step by step.
 */
export function camDocumentOf(entries: readonly TrustEntry[]): CamTrustPolicyDocument {
  const groups = new Map<string, { qcs: string[]; service: string[]; entry: TrustEntry }>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.effect, entry.action, entry.condition]);
    const group = groups.get(key) ?? { qcs: [], service: [], entry };
    (entry.principalKind === PrincipalKind.Service ? group.service : group.qcs).push(entry.principal);
    groups.set(key, group);
  }
  return {
    version: CAM_POLICY_VERSION,
    statement: [...groups.values()].map(({ qcs, service, entry }) => ({
      action: camActionOf(entry),
      effect: entry.effect === 'Allow' ? 'allow' : 'deny',
      principal: { ...(qcs.length > 0 ? { qcs } : {}), ...(service.length > 0 ? { service } : {}) },
      ...(entry.condition === '' ? {} : { condition: conditionBlockOf(entry.condition) }),
    })),
  };
}

/** A canonical condition back as a block (a list of one value written as the value, as CAM writes it). */
function conditionBlockOf(condition: string): Record<string, Record<string, string | string[]>> {
  const blocks = JSON.parse(condition) as Record<string, Record<string, string[]>>;
  const out: Record<string, Record<string, string | string[]>> = {};
  for (const [operator, keys] of Object.entries(blocks)) {
    const block: Record<string, string | string[]> = {};
    for (const [key, values] of Object.entries(keys)) block[key] = values.length === 1 ? (values[0] as string) : values;
    out[operator] = block;
  }
  return out;
}
