/**
 * CAM's handling of policy documents, the local cloud's own (it imports nothing from the product): the checks CAM
 * makes before it saves a trust policy, the rewrites it applies on save (switchable quirks), and the evaluation of
 * trust and permission documents for STS and for permission checks.
 */
import { tencentError } from './replies.js';

/** CAM's rewrites of what it stores, each switchable (`startLocalCloud({ services: { tencent: { quirks } } })`). */
export interface CamQuirks {
  /** Every string where a list may stand becomes a one-element list (CAM "returns only one format"). Default on. */
  readonly stringsAsLists: boolean;
  /** `qcs::cam::uin/<u>:root` is returned as `qcs::cam::uin/<u>:uin/<u>`. Default on. */
  readonly rootAsUin: boolean;
  /** A role or policy just created is invisible to reads for this long, ms (read-after-write lag). Default 0. */
  readonly readLagMs: number;
}

/** The quirks unless configured. */
export const DEFAULT_CAM_QUIRKS: CamQuirks = { stringsAsLists: true, rootAsUin: true, readLagMs: 0 };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const lowerKeys = (value: Json): Json =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const QCS = /^qcs::cam::uin\/(\d+):(.+)$/;

/** A statement with lower-case keys and every list a list. */
interface Statement {
  effect: string;
  action: string[];
  principal: { qcs: string[]; service: string[] };
  resource: string[];
  condition: Record<string, Record<string, string[]>>;
}

function statementsOf(text: string): { version: unknown; statements: Statement[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw tencentError('InvalidParameter.PolicyDocumentError', 'PolicyDocument is not valid JSON.');
  }
  if (!isObject(doc)) throw tencentError('InvalidParameter.PolicyDocumentError', 'PolicyDocument must be an object.');
  const top = lowerKeys(doc);
  const statements = list(top['statement']).map((raw): Statement => {
    if (!isObject(raw)) throw tencentError('InvalidParameter.StatementError', 'Each statement must be an object.');
    const s = lowerKeys(raw);
    const principal = isObject(s['principal']) ? lowerKeys(s['principal']) : {};
    const condition: Record<string, Record<string, string[]>> = {};
    if (isObject(s['condition'])) {
      for (const [operator, keys] of Object.entries(s['condition'])) {
        if (!isObject(keys)) continue;
        condition[operator.toLowerCase()] = Object.fromEntries(
          Object.entries(keys).map(([k, v]) => [k.toLowerCase(), list(v).map(String)]),
        );
      }
    }
    return {
      effect: String(s['effect'] ?? '').toLowerCase(),
      action: list(s['action']).map(String),
      principal: { qcs: list(principal['qcs']).map(String), service: list(principal['service']).map(String) },
      resource: list(s['resource']).map(String),
      condition,
    };
  });
  return { version: top['version'], statements };
}

/**
 * What CAM stores for a trust policy sent to CreateRole or UpdateAssumeRolePolicy: checked as CAM checks it
 * (version 2.0, an allow or deny effect, an action, principals of accounts that exist) and rewritten by the
 * quirks (lower-case keys and effects always; lists and `:uin/` by switch). Throws CAM's codes.
 */
export function storedTrustDocument(text: string, quirks: CamQuirks, accountExists: (uin: string) => boolean): string {
  const { version, statements } = statementsOf(text);
  if (version !== '2.0') throw tencentError('InvalidParameter.VersionError', 'policy version is not 2.0.');
  if (statements.length === 0) throw tencentError('InvalidParameter.StatementError', 'policy has no statement.');
  const out = statements.map((s) => {
    if (s.effect !== 'allow' && s.effect !== 'deny')
      throw tencentError('InvalidParameter.EffectError', 'effect must be allow or deny.');
    if (s.action.length === 0) throw tencentError('InvalidParameter.ActionError', 'action is required.');
    if (s.principal.qcs.length + s.principal.service.length === 0)
      throw tencentError('InvalidParameter.PrincipalError', 'principal is required.');
    const qcs = s.principal.qcs.map((p) => {
      const match = QCS.exec(p.trim());
      if (p.trim() === '*') return p.trim();
      if (!match) throw tencentError('InvalidParameter.PrincipalError', `principal ${p} is malformed.`);
      const [, uin = '', rest = ''] = match;
      if (!accountExists(uin))
        throw tencentError('InvalidParameter.PrincipalQcsNotExist', `principal qcs ${p} does not exist.`);
      return quirks.rootAsUin && rest === 'root' ? `qcs::cam::uin/${uin}:uin/${uin}` : p.trim();
    });
    const shape = (values: string[]): string | string[] =>
      quirks.stringsAsLists || values.length !== 1 ? values : (values[0] as string);
    const principal: Json = {};
    if (qcs.length > 0) principal['qcs'] = shape(qcs);
    if (s.principal.service.length > 0) principal['service'] = shape(s.principal.service);
    return {
      action: shape(s.action),
      effect: s.effect,
      principal,
      ...(Object.keys(s.condition).length === 0
        ? {}
        : {
            condition: Object.fromEntries(
              Object.entries(s.condition).map(([op, keys]) => [
                op,
                Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, shape(v)])),
              ]),
            ),
          }),
    };
  });
  return JSON.stringify({ version: '2.0', statement: out });
}

/** A permission policy as CAM stores it (checked for version 2.0 and statements, keys lower-cased). */
export function storedPermissionDocument(text: string): string {
  const { version, statements } = statementsOf(text);
  if (version !== '2.0') throw tencentError('InvalidParameter.PolicyDocumentError', 'policy version is not 2.0.');
  if (statements.length === 0) throw tencentError('InvalidParameter.PolicyDocumentError', 'policy has no statement.');
  return JSON.stringify({
    version: '2.0',
    statement: statements.map((s) => ({
      effect: s.effect,
      action: s.action,
      resource: s.resource.length === 0 ? ['*'] : s.resource,
    })),
  });
}

const actionName = (action: string): string => action.replace(/^name\//i, '').toLowerCase();

function globMatches(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i').test(value);
}

/** Who asks to assume a role: a root account, or one of its sub-users. */
export interface TrustCaller {
  readonly rootUin: string;
  readonly subUin?: string | undefined;
}

function principalAdmits(principal: string, caller: TrustCaller): boolean {
  if (principal === '*') return true;
  const match = QCS.exec(principal);
  if (!match) return false;
  const [, uin = '', rest = ''] = match;
  if (uin !== caller.rootUin) return false;
  if (rest === 'root' || rest === `uin/${uin}`) return true;
  return caller.subUin !== undefined && rest === `uin/${caller.subUin}`;
}

function conditionHolds(condition: Record<string, Record<string, string[]>>, externalId: string | undefined): boolean {
  for (const [operator, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      if (operator === 'string_equal' && key === 'sts:external_id') {
        if (externalId === undefined || !values.includes(externalId)) return false;
      } else {
        return false;
      }
    }
  }
  return true;
}

/** True when the stored trust policy lets the caller assume the role with `externalId` (a deny wins). */
export function trustAdmits(stored: string, caller: TrustCaller, externalId: string | undefined): boolean {
  const { statements } = statementsOf(stored);
  let allowed = false;
  for (const s of statements) {
    if (!s.action.some((a) => globMatches(actionName(a), 'sts:assumerole'))) continue;
    if (!s.principal.qcs.some((p) => principalAdmits(p, caller))) continue;
    if (!conditionHolds(s.condition, externalId)) continue;
    if (s.effect === 'deny') return false;
    allowed = true;
  }
  return allowed;
}

/** Preset policies the local cloud knows, as the actions they allow. */
export const PRESET_POLICIES: Readonly<Record<string, readonly string[]>> = {
  AdministratorAccess: ['*'],
  QcloudCamFullAccess: ['cam:*'],
  QcloudCamReadOnlyAccess: ['cam:get*', 'cam:list*', 'cam:describe*'],
  QcloudSTSFullAccess: ['sts:*'],
  QcloudDTSFullAccess: ['dts:*'],
  QcloudDTSReadOnlyAccess: ['dts:describe*'],
  QcloudAccessForMySQLRole: ['cdb:*'],
};

/** True when a preset allows `action` (`cam:GetRole`). */
export function presetAllows(name: string, action: string): boolean {
  return (PRESET_POLICIES[name] ?? []).some((pattern) => globMatches(pattern, action.toLowerCase()));
}

/** True when a permission policy document allows `action` on `resource` (and no statement denies it). */
export function documentAllows(stored: string, action: string, resource: string): boolean | 'deny' {
  const { statements } = statementsOf(stored);
  let allowed = false;
  for (const s of statements) {
    if (!s.action.some((a) => globMatches(actionName(a), action.toLowerCase()))) continue;
    const resources = s.resource.length === 0 ? ['*'] : s.resource;
    if (!resources.some((r) => globMatches(r, resource))) continue;
    if (s.effect === 'deny') return 'deny';
    allowed = true;
  }
  return allowed;
}
