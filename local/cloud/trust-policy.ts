/**
 * RAM trust policies (the `AssumeRolePolicyDocument` of a role) in the local cloud: grammar validation as RAM does
 * on save (`MalformedPolicyDocument`), the text RAM stores (its observed quirks), and evaluation of whether a
 * caller may assume the role (used by STS, and by DTS for its service principal).
 */
import { LocalCloudError } from './errors.js';

/** Options reproducing RAM's observed storage quirks. */
export interface TrustPolicyQuirks {
  /** Store string principal values as one-element arrays. */
  readonly principalsAsArrays?: boolean;
}

type PrincipalValue = string | string[];

/** A trust policy statement after validation. */
export interface TrustStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Principal: Partial<Record<'RAM' | 'Service' | 'Federated', PrincipalValue>>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A trust policy document after validation. */
export interface TrustDocument {
  Version: '1';
  Statement: TrustStatement[];
}

const PRINCIPAL_KEYS = new Set(['RAM', 'Service', 'Federated']);
const RAM_PRINCIPAL =
  /^(?:\d{16}|acs:ram::\d{16}:(?:root|role\/[A-Za-z0-9.-]{1,64}|user\/[A-Za-z0-9._@-]{1,64}))$|^\*$/;
const SERVICE_PRINCIPAL = /^(?:\d{16}@)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.aliyuncs\.com$/;
/**
 * Longest trust document the local RAM accepts, in characters of the parameter as sent. RAM documents the error
 * codes but not the number (docs/architecture.md, "Route roles for large fleets"): 4,096 is an assumption.
 */
export const MAX_TRUST_POLICY_LENGTH = 4096;

/** The request parameter a trust document came in: CreateRole's, or UpdateRole's. */
export type TrustPolicyParameter = 'AssumeRolePolicyDocument' | 'NewAssumeRolePolicyDocument';

/**
 * Refuse a trust document longer than {@link MAX_TRUST_POLICY_LENGTH} as RAM's API reference words it:
 * `InvalidParameter.AssumeRolePolicyDocument.Length` (CreateRole) or
 * `InvalidParameter.NewAssumeRolePolicyDocument.Length` (UpdateRole), 400, `The parameter - "<name>" beyond the
 * length limit.`
 */
export function checkTrustPolicyLength(text: string, parameter: TrustPolicyParameter): void {
  if (text.length <= MAX_TRUST_POLICY_LENGTH) return;
  throw new LocalCloudError(
    400,
    `InvalidParameter.${parameter}.Length`,
    `The parameter - "${parameter}" beyond the length limit.`,
  );
}

function malformed(detail: string): LocalCloudError {
  return new LocalCloudError(400, 'MalformedPolicyDocument', `The policy document is malformed: ${detail}`);
}

function isStringList(value: unknown): value is string | string[] {
  return (
    typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
  );
}

function asList(value: PrincipalValue | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * Parse and validate a trust policy as RAM does on save (`parameter`: where it came in); throws the length error
 * of {@link checkTrustPolicyLength} or `MalformedPolicyDocument` naming the problem.
 */
export function parseTrustPolicy(
  text: string,
  parameter: TrustPolicyParameter = 'AssumeRolePolicyDocument',
): TrustDocument {
  checkTrustPolicyLength(text, parameter);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('not valid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw malformed('the document must be a JSON object.');
  const { Version, Statement } = doc as Record<string, unknown>;
  if (Version !== '1') throw malformed('Version must be "1".');
  if (!Array.isArray(Statement) || Statement.length === 0) throw malformed('Statement must be a non-empty array.');
  Statement.forEach((s, i) => {
    const at = `Statement[${i}]`;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw malformed(`${at} must be an object.`);
    const st = s as Record<string, unknown>;
    for (const key of Object.keys(st)) {
      if (!['Effect', 'Action', 'Principal', 'Condition'].includes(key))
        throw malformed(`${at} has an unknown element ${key}.`);
    }
    if (st['Effect'] !== 'Allow' && st['Effect'] !== 'Deny') throw malformed(`${at}.Effect must be "Allow" or "Deny".`);
    if (!isStringList(st['Action'])) throw malformed(`${at}.Action must be a string or a non-empty array of strings.`);
    for (const action of asList(st['Action'] as PrincipalValue)) {
      // RAM accepts STS actions besides AssumeRole in a trust policy (e.g. sts:SetSourceIdentity).
      if (!/^sts:(?:[A-Za-z]+|\*)$|^\*$/.test(action))
        throw malformed(`${at}.Action "${action}" is not an STS action such as sts:AssumeRole.`);
    }
    const principal = st['Principal'];
    if (
      typeof principal !== 'object' ||
      principal === null ||
      Array.isArray(principal) ||
      Object.keys(principal).length === 0
    ) {
      throw malformed(`${at}.Principal must be an object with RAM, Service or Federated.`);
    }
    for (const [key, value] of Object.entries(principal)) {
      if (!PRINCIPAL_KEYS.has(key)) throw malformed(`${at}.Principal.${key} is not RAM, Service or Federated.`);
      if (!isStringList(value))
        throw malformed(`${at}.Principal.${key} must be a string or a non-empty array of strings.`);
      for (const p of asList(value as PrincipalValue)) {
        if (key === 'RAM' && !RAM_PRINCIPAL.test(p))
          throw malformed(`${at}.Principal.RAM "${p}" is not a valid RAM principal.`);
        if (key === 'Service' && !SERVICE_PRINCIPAL.test(p)) {
          throw malformed(`${at}.Principal.Service "${p}" is not a valid service principal.`);
        }
      }
    }
    const condition = st['Condition'];
    if (condition !== undefined) {
      if (typeof condition !== 'object' || condition === null || Array.isArray(condition))
        throw malformed(`${at}.Condition must be an object.`);
      for (const [op, clause] of Object.entries(condition)) {
        if (typeof clause !== 'object' || clause === null || Array.isArray(clause))
          throw malformed(`${at}.Condition.${op} must be an object.`);
        for (const [key, value] of Object.entries(clause)) {
          if (!isStringList(value))
            throw malformed(`${at}.Condition.${op}.${key} must be a string or an array of strings.`);
        }
      }
    }
  });
  return doc as TrustDocument;
}

/**
 * The text RAM stores for a trust policy saved in account `ownerUid`: compact JSON; a service principal naming the
 * owner itself (`<ownerUid>@dts.aliyuncs.com`) is saved as the bare service (`dts.aliyuncs.com`); with
 * `principalsAsArrays`, string principals become arrays.
 */
export function storedTrustPolicy(
  text: string,
  ownerUid: string,
  quirks: TrustPolicyQuirks = {},
  parameter: TrustPolicyParameter = 'AssumeRolePolicyDocument',
): string {
  const doc = parseTrustPolicy(text, parameter);
  const ownPrefix = `${ownerUid}@`;
  for (const statement of doc.Statement) {
    for (const key of Object.keys(statement.Principal) as (keyof TrustStatement['Principal'])[]) {
      const value = statement.Principal[key];
      if (value === undefined) continue;
      let list = asList(value);
      if (key === 'Service') list = list.map((p) => (p.startsWith(ownPrefix) ? p.slice(ownPrefix.length) : p));
      statement.Principal[key] = typeof value === 'string' && !quirks.principalsAsArrays ? (list[0] ?? '') : list;
    }
  }
  return JSON.stringify(doc);
}

/** The document pretty-printed as GetRole sometimes returns it. */
export function prettyTrustPolicy(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 4);
  } catch {
    return text;
  }
}

/** Who asks to assume a role. */
export type TrustCaller =
  | { readonly kind: 'user'; readonly accountId: string; readonly name: string }
  | { readonly kind: 'assumed-role'; readonly accountId: string; readonly name: string }
  | { readonly kind: 'service'; readonly service: string; readonly accountId: string };

function principalMatches(statement: TrustStatement, caller: TrustCaller): boolean {
  if (caller.kind === 'service') {
    return asList(statement.Principal.Service).some(
      (p) => p === caller.service || p === `${caller.accountId}@${caller.service}`,
    );
  }
  return asList(statement.Principal.RAM).some((p) => {
    if (p === '*') return true;
    if (p === caller.accountId || p === `acs:ram::${caller.accountId}:root`) return true;
    const prefix = `acs:ram::${caller.accountId}:${caller.kind === 'user' ? 'user' : 'role'}/`;
    return p.startsWith(prefix) && p.slice(prefix.length).toLowerCase() === caller.name.toLowerCase();
  });
}

function conditionHolds(statement: TrustStatement, context: { externalId?: string | undefined }): boolean {
  if (!statement.Condition) return true;
  for (const [op, clause] of Object.entries(statement.Condition)) {
    for (const [key, value] of Object.entries(clause)) {
      if (op !== 'StringEquals' || key !== 'sts:ExternalId') return false;
      if (context.externalId === undefined || !asList(value).includes(context.externalId)) return false;
    }
  }
  return true;
}

/**
 * Does the stored trust policy let `caller` assume the role (with `externalId` when given)? A matching Deny
 * refuses; otherwise a matching Allow grants. A malformed stored document grants nothing.
 */
export function trustAllows(
  trustPolicyText: string,
  caller: TrustCaller,
  context: { externalId?: string | undefined } = {},
): boolean {
  let doc: TrustDocument;
  try {
    doc = JSON.parse(trustPolicyText) as TrustDocument;
  } catch {
    return false;
  }
  if (!Array.isArray(doc.Statement)) return false;
  let allowed = false;
  for (const statement of doc.Statement) {
    if (!asList(statement.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) continue;
    if (!principalMatches(statement, caller)) continue;
    if (!conditionHolds(statement, context)) continue;
    if (statement.Effect === 'Deny') return false;
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed;
}
