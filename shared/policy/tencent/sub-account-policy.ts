import { z } from 'zod';
import { builtOnFirstUse } from '../../domain/built-on-first-use.js';
import { PolicyParseError } from '../../domain/errors.js';
import { Ownership } from '../../domain/ownership.js';
import { STS_ASSUME_ROLE } from '../principals.js';
import { describeIssues } from '../schema.js';
import { CAM_ASSUME_ROLE, CAM_POLICY_VERSION, camActionName, camRoleResource } from './principals.js';
import type { CamAssumeRolePolicyDocument } from './types.js';

/**
 * The custom policy a trusted root account attaches to the sub-users that run a DTS task: it allows them
 * `name/sts:AssumeRole` on the owner's role (the guide's optional steps 7-11). dts-trust names it after the role.
 */

/** Every sub-account policy dts-trust creates has a name starting with this. */
export const SUB_ACCOUNT_POLICY_PREFIX = 'dts-trust-';

/** The longest CAM policy name. */
export const CAM_POLICY_NAME_MAX = 128;

/** The name of the sub-account policy for role `roleName` in `ownerUin`: `dts-trust-<ownerUin>-<roleName>`. */
export function subAccountPolicyName(ownerUin: string, roleName: string): string {
  return `${SUB_ACCOUNT_POLICY_PREFIX}${ownerUin}-${roleName}`;
}

/**
 * The description dts-trust creates the sub-account policy of role `roleName` in `ownerUin` with: its ownership
 * marker. Anyone who may write CAM in the trusted account can write it too, so it is a claim (docs/security.md).
 */
export function subAccountPolicyDescription(ownerUin: string, roleName: string): string {
  return `${Ownership.descriptionPrefix}: lets the sub-users that run DTS tasks assume ${roleName} in ${ownerUin}`;
}

/** The policy allowing `name/sts:AssumeRole` on `qcs::cam::uin/<ownerUin>:roleName/<roleName>`, version 2.0. */
export function buildSubAccountPolicy(ownerUin: string, roleName: string): CamAssumeRolePolicyDocument {
  return {
    version: CAM_POLICY_VERSION,
    statement: [{ effect: 'allow', action: [CAM_ASSUME_ROLE], resource: [camRoleResource(ownerUin, roleName)] }],
  };
}

/** The document as compact JSON in a stable key order, the exact text sent to CAM. */
export function renderSubAccountPolicy(document: CamAssumeRolePolicyDocument): string {
  return JSON.stringify(document);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const lowerKeys = (value: unknown): unknown =>
  isPlainObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v])) : value;
/** A sub-user's permission policy as CAM returns it, built on first use: an Alibaba-only deployment reads none. */
const policySchema = builtOnFirstUse(() => {
  const stringList = z.preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(z.string().trim().min(1), { invalid_type_error: 'must be a string or a list of strings' }),
  );

  return z.preprocess(
    lowerKeys,
    z.object({
      version: z.string({ required_error: 'is required ("2.0")' }),
      statement: z.preprocess(
        (value) => (isPlainObject(value) ? [value] : value),
        z.array(
          z.preprocess(
            lowerKeys,
            z.object({
              effect: z.preprocess(
                (value) => (typeof value === 'string' ? value.toLowerCase() : value),
                z.enum(['allow', 'deny']),
              ),
              action: stringList,
              resource: stringList.optional(),
              condition: z.unknown().optional(),
            }),
          ),
        ),
      ),
    }),
  );
});

/** One grant of a permission policy, normalized: effect, action without `name/`, resource, condition (JSON). */
export type PermissionEntry = readonly [effect: string, action: string, resource: string, condition: string];

/**
 * The normalized grants of a CAM permission policy as GetPolicy returns it (strings as lists, keys in any case,
 * `name/` stripped from actions), sorted and unique. Throws {@link PolicyParseError} naming what is wrong.
 */
export function parsePermissionPolicy(text: string): PermissionEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyParseError(`CAM policy is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = policySchema().safeParse(json);
  if (!parsed.success) {
    throw new PolicyParseError(`CAM policy is malformed: ${describeIssues(parsed.error.issues)}`, {
      cause: parsed.error,
    });
  }
  const entries = new Map<string, PermissionEntry>();
  for (const statement of parsed.data.statement) {
    const condition = statement.condition === undefined ? '' : JSON.stringify(statement.condition);
    for (const action of statement.action) {
      const name = camActionName(action);
      const canonical = name.toLowerCase() === STS_ASSUME_ROLE.toLowerCase() ? STS_ASSUME_ROLE : name;
      for (const resource of statement.resource ?? ['*']) {
        const entry: PermissionEntry = [statement.effect, canonical, resource, condition];
        entries.set(JSON.stringify(entry), entry);
      }
    }
  }
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

/** True when the live policy text grants exactly what the sub-account policy of this role grants (meaning, not text). */
export function isSubAccountPolicyUpToDate(liveText: string, ownerUin: string, roleName: string): boolean {
  let live: PermissionEntry[];
  try {
    live = parsePermissionPolicy(liveText);
  } catch {
    return false;
  }
  const desired = parsePermissionPolicy(renderSubAccountPolicy(buildSubAccountPolicy(ownerUin, roleName)));
  return JSON.stringify(live) === JSON.stringify(desired);
}

/**
 * True when the live policy text allows something the sub-account policy of this role does not (another action,
 * another resource, `*`), so repairing it takes access away; an unreadable text counts (what it allows is unknown).
 * A narrower text (a condition added, the statement gone, another role's only) is not.
 */
export function subAccountPolicyAllowsMore(liveText: string, ownerUin: string, roleName: string): boolean {
  let live: PermissionEntry[];
  try {
    live = parsePermissionPolicy(liveText);
  } catch {
    return true;
  }
  const [, action, resource] = parsePermissionPolicy(
    renderSubAccountPolicy(buildSubAccountPolicy(ownerUin, roleName)),
  )[0] as PermissionEntry;
  return live.some(([effect, a, r]) => effect === 'allow' && (a !== action || r !== resource));
}
