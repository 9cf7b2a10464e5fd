/**
 * The Tencent side of the local cloud: its accounts, the temporary credentials STS issued, CAM's quirks, and who
 * a SecretId belongs to and what it may do. Kept in the core's `tencent` state bag, built on first use from the
 * `tencent` service options (the accounts file's `tencent` section and the quirks).
 */
import { randomBytes } from 'node:crypto';
import type { CloudCore } from '../../contract.js';
import { buildTencentAccounts, type TencentAccountState } from './accounts.js';
import { type CamQuirks, DEFAULT_CAM_QUIRKS, documentAllows, presetAllows, storedTrustDocument } from './documents.js';
import { tencentError } from './replies.js';

/** The name of the Tencent state bag and options in the core. */
export const TENCENT_SERVICE = 'tencent';

/** The `tencent` service options: the accounts (the accounts file's `tencent` section) and CAM's quirks. */
export interface TencentOptions {
  readonly accounts?: unknown;
  readonly quirks?: Partial<CamQuirks>;
}

/** Credentials STS issued: they act as the role in its owner account until they expire. */
export interface TencentTemporaryCredentials {
  readonly secretId: string;
  readonly secretKey: string;
  readonly token: string;
  readonly ownerUin: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly expiresAt: number;
}

/** Who signed a call. */
export type TencentPrincipal =
  | { readonly kind: 'root'; readonly uin: string; readonly secretKey: string }
  | { readonly kind: 'sub-user'; readonly uin: string; readonly subUin: string; readonly secretKey: string }
  | {
      readonly kind: 'assumed-role';
      readonly uin: string;
      readonly roleName: string;
      readonly secretKey: string;
      readonly token: string;
      readonly expiresAt: number;
    };

/** The Tencent state bag. */
export interface TencentWorld {
  readonly accounts: Map<string, TencentAccountState>;
  readonly temporary: Map<string, TencentTemporaryCredentials>;
  quirks: CamQuirks;
  nextPolicyId: number;
  nextGroupId: number;
}

/** The Tencent state of this cloud, built on first use. */
export function tencentWorld(core: CloudCore): TencentWorld {
  return core.serviceState<TencentWorld>(TENCENT_SERVICE, () => {
    const options = core.serviceOptions<TencentOptions>(TENCENT_SERVICE) ?? {};
    const quirks = { ...DEFAULT_CAM_QUIRKS, ...options.quirks };
    const accounts: Map<string, TencentAccountState> = new Map();
    const built = buildTencentAccounts(options.accounts, core.now(), (text) =>
      storedTrustDocument(text, quirks, (uin) => accounts.has(uin) || uinDeclared(options.accounts, uin)),
    );
    for (const [uin, account] of built) accounts.set(uin, account);
    return { accounts, temporary: new Map(), quirks, nextPolicyId: 100_000_001, nextGroupId: 90_001 };
  });
}

function uinDeclared(section: unknown, uin: string): boolean {
  const accounts = (section as { accounts?: { uin?: unknown }[] } | undefined)?.accounts ?? [];
  return accounts.some((a) => a.uin === uin);
}

/** The account a UIN names; throws `ResourceNotFound.AccountNotExist` otherwise. */
export function accountOf(world: TencentWorld, uin: string): TencentAccountState {
  const account = world.accounts.get(uin);
  if (!account) throw tencentError('ResourceNotFound.AccountNotExist', `account ${uin} does not exist.`);
  return account;
}

/** The root account UIN a SecretId belongs to, without verifying anything (for the request log and faults). */
export function accountOfSecretId(world: TencentWorld, secretId: string): string | undefined {
  for (const account of world.accounts.values()) {
    if (account.keys.some((k) => k.id === secretId)) return account.uin;
    for (const user of account.subUsers.values()) if (user.keys.some((k) => k.id === secretId)) return account.uin;
  }
  return world.temporary.get(secretId)?.ownerUin;
}

/**
 * Who a SecretId belongs to; throws `AuthFailure.SecretIdNotFound` for an unknown one and
 * `AuthFailure.TokenFailure` when temporary credentials expired or came without their token.
 */
export function principalOf(
  world: TencentWorld,
  secretId: string,
  token: string | undefined,
  now: Date,
): TencentPrincipal {
  for (const account of world.accounts.values()) {
    const root = account.keys.find((k) => k.id === secretId);
    if (root) return { kind: 'root', uin: account.uin, secretKey: root.secret };
    for (const user of account.subUsers.values()) {
      const key = user.keys.find((k) => k.id === secretId);
      if (key) return { kind: 'sub-user', uin: account.uin, subUin: user.uin, secretKey: key.secret };
    }
  }
  const temp = world.temporary.get(secretId);
  if (!temp)
    throw tencentError(
      'AuthFailure.SecretIdNotFound',
      'The SecretId is not found, please ensure that your SecretId is correct.',
    );
  if (token !== temp.token || temp.expiresAt <= now.getTime()) {
    throw tencentError('AuthFailure.TokenFailure', 'The token is invalid or has expired.');
  }
  return {
    kind: 'assumed-role',
    uin: temp.ownerUin,
    roleName: temp.roleName,
    secretKey: temp.secretKey,
    token: temp.token,
    expiresAt: temp.expiresAt,
  };
}

/** The policies that apply to a principal: preset names and custom documents. */
function policiesOf(world: TencentWorld, principal: TencentPrincipal): { presets: string[]; documents: string[] } {
  const account = world.accounts.get(principal.uin);
  if (!account) return { presets: [], documents: [] };
  if (principal.kind === 'sub-user') {
    const user = account.subUsers.get(principal.subUin);
    // A policy reaches a sub-user attached to it directly or to a group it is a member of.
    const viaGroups = new Set(
      [...account.groups.values()].filter((g) => g.members.has(principal.subUin)).flatMap((g) => [...g.policies]),
    );
    const documents = [...account.policies.values()]
      .filter((p) => p.users.has(principal.subUin) || viaGroups.has(p.policyId))
      .map((p) => p.document);
    return { presets: user?.presets ?? [], documents };
  }
  if (principal.kind === 'assumed-role') {
    const role = account.roles.get(principal.roleName.toLowerCase());
    const attached = role?.attached ?? [];
    return {
      presets: attached.filter((a) => a.policyType === 'QCS').map((a) => a.policyName),
      documents: attached
        .filter((a) => a.policyType === 'User')
        .map((a) => account.policies.get(a.policyId)?.document)
        .filter((d): d is string => d !== undefined),
    };
  }
  return { presets: [], documents: [] };
}

/** True when the principal may call `action` (`cam:GetRole`) on `resource`: a root account may do anything. */
export function tencentAllows(
  world: TencentWorld,
  principal: TencentPrincipal,
  action: string,
  resource = '*',
): boolean {
  if (principal.kind === 'root') return true;
  const { presets, documents } = policiesOf(world, principal);
  let allowed = presets.some((name) => presetAllows(name, action));
  for (const document of documents) {
    const verdict = documentAllows(document, action, resource);
    if (verdict === 'deny') return false;
    allowed ||= verdict;
  }
  return allowed;
}

/** Refuse the call unless the principal may make it (`UnauthorizedOperation`, CAM's message). */
export function requireAllowed(world: TencentWorld, principal: TencentPrincipal, action: string, resource = '*'): void {
  if (!tencentAllows(world, principal, action, resource)) {
    throw tencentError(
      'UnauthorizedOperation',
      `you are not authorized to perform operation (${action}), resource (${resource}) has no permission`,
    );
  }
}

/** New temporary credentials. */
export function newTemporarySecrets(): { secretId: string; secretKey: string; token: string } {
  return {
    secretId: `AKID${randomBytes(16).toString('hex')}`,
    secretKey: randomBytes(20).toString('base64url'),
    token: randomBytes(48).toString('base64url'),
  };
}
