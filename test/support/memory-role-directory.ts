import type { CloudApiError } from '../../shared/domain/errors.js';
import type {
  AccountCredentials,
  AttachedPolicy,
  Clock,
  NewRole,
  ObservedRoleRecord,
  RoleDirectory,
} from '../../shared/ports.js';
import { cloudError } from './cloud-errors.js';

/** The methods of a {@link RoleDirectory}. */
export type DirectoryMethod = keyof RoleDirectory;

/** The {@link RoleDirectory} methods that change RAM (every other one only reads). */
export const DIRECTORY_WRITES: ReadonlySet<DirectoryMethod> = new Set<DirectoryMethod>([
  'createRole',
  'updateTrustPolicy',
  'updateDescription',
  'attachPolicy',
  'detachPolicy',
  'deleteRole',
]);

/** A role as the memory directory keeps it. */
export interface MemoryRole {
  roleName: string;
  description: string;
  trustPolicy: string;
  tags: Record<string, string>;
  policies: AttachedPolicy[];
}

/** One call the directory received. */
export interface DirectoryCall {
  readonly method: DirectoryMethod;
  readonly accountId: string;
  readonly roleName: string;
  /** The clock's time at the call, when the directory has a clock. */
  readonly at?: number;
}

interface Injection {
  readonly method: DirectoryMethod;
  readonly roleName?: string;
  readonly accountId?: string;
  readonly error: CloudApiError;
  remaining: number;
}

const API: Record<DirectoryMethod, string> = {
  getRole: 'ram:GetRole',
  listAttachedPolicies: 'ram:ListPoliciesForRole',
  createRole: 'ram:CreateRole',
  updateTrustPolicy: 'ram:UpdateRole',
  updateDescription: 'ram:UpdateRole',
  attachPolicy: 'ram:AttachPolicyToRole',
  detachPolicy: 'ram:DetachPolicyFromRole',
  deleteRole: 'ram:DeleteRole',
};

/**
 * RAM roles of many accounts in memory, with RAM's semantics (EntityAlreadyExists, EntityNotExist, DeleteConflict
 * while policies are attached, case-insensitive role names). Counts calls per method, logs them, and fails calls on
 * demand with injected `CloudApiError`s. An optional `journal` receives `ram:<method>` for ordering checks.
 */
export class MemoryRoleDirectory implements RoleDirectory {
  readonly calls: DirectoryCall[] = [];
  readonly #accounts = new Map<string, Map<string, MemoryRole>>();
  readonly #injections: Injection[] = [];

  constructor(private readonly options: { clock?: Clock; journal?: string[] } = {}) {}

  /** How many calls of `method` (all methods when omitted) were made. */
  count(method?: DirectoryMethod): number {
    return method === undefined ? this.calls.length : this.calls.filter((c) => c.method === method).length;
  }

  /** Calls that change RAM. */
  writes(): DirectoryCall[] {
    return this.calls.filter((c) => DIRECTORY_WRITES.has(c.method));
  }

  /** Forget the call log (after arranging a scenario). */
  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Fail the next `times` calls of `method` (optionally only for one role or account) with `error`. */
  inject(
    method: DirectoryMethod,
    error: CloudApiError,
    filter: { roleName?: string; accountId?: string; times?: number } = {},
  ): void {
    this.#injections.push({
      method,
      error,
      remaining: filter.times ?? 1,
      ...(filter.roleName === undefined ? {} : { roleName: filter.roleName.toLowerCase() }),
      ...(filter.accountId === undefined ? {} : { accountId: filter.accountId }),
    });
  }

  /** Put a role in place directly (as someone editing by hand would). */
  putRole(accountId: string, role: Partial<MemoryRole> & Pick<MemoryRole, 'roleName' | 'trustPolicy'>): MemoryRole {
    const stored: MemoryRole = { description: '', tags: {}, policies: [], ...role };
    this.#roles(accountId).set(role.roleName.toLowerCase(), stored);
    return stored;
  }

  /** The stored role, for assertions. */
  role(accountId: string, roleName: string): MemoryRole | undefined {
    return this.#roles(accountId).get(roleName.toLowerCase());
  }

  /** Remove a role directly (as someone deleting it by hand would). */
  removeRole(accountId: string, roleName: string): void {
    this.#roles(accountId).delete(roleName.toLowerCase());
  }

  async getRole(account: AccountCredentials, roleName: string): Promise<ObservedRoleRecord | undefined> {
    this.#enter('getRole', account, roleName);
    const role = this.role(account.accountId, roleName);
    return role === undefined ? undefined : this.#record(account.accountId, role);
  }

  async listAttachedPolicies(account: AccountCredentials, roleName: string): Promise<AttachedPolicy[]> {
    this.#enter('listAttachedPolicies', account, roleName);
    return [...(this.role(account.accountId, roleName)?.policies ?? [])];
  }

  async createRole(account: AccountCredentials, role: NewRole): Promise<ObservedRoleRecord> {
    this.#enter('createRole', account, role.roleName);
    if (this.role(account.accountId, role.roleName)) {
      throw cloudError('conflict', 'EntityAlreadyExists.Role', API.createRole, 409);
    }
    const stored = this.putRole(account.accountId, {
      roleName: role.roleName,
      trustPolicy: role.trustPolicy,
      description: role.description,
      tags: { ...role.tags },
    });
    return this.#record(account.accountId, stored);
  }

  async updateTrustPolicy(account: AccountCredentials, roleName: string, trustPolicy: string): Promise<void> {
    this.#enter('updateTrustPolicy', account, roleName);
    this.#existing('updateTrustPolicy', account, roleName).trustPolicy = trustPolicy;
  }

  async updateDescription(account: AccountCredentials, roleName: string, description: string): Promise<void> {
    this.#enter('updateDescription', account, roleName);
    this.#existing('updateDescription', account, roleName).description = description;
  }

  async attachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void> {
    this.#enter('attachPolicy', account, roleName);
    const role = this.#existing('attachPolicy', account, roleName);
    if (role.policies.some((p) => p.policyName === policy.policyName && p.policyType === policy.policyType)) {
      throw cloudError('conflict', 'EntityAlreadyExists.Role.Policy', API.attachPolicy, 409);
    }
    role.policies.push({ ...policy });
  }

  async detachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void> {
    this.#enter('detachPolicy', account, roleName);
    const role = this.#existing('detachPolicy', account, roleName);
    const index = role.policies.findIndex(
      (p) => p.policyName === policy.policyName && p.policyType === policy.policyType,
    );
    if (index < 0) throw cloudError('notFound', 'EntityNotExist.Role.Policy', API.detachPolicy, 404);
    role.policies.splice(index, 1);
  }

  async deleteRole(account: AccountCredentials, roleName: string): Promise<void> {
    this.#enter('deleteRole', account, roleName);
    const role = this.#existing('deleteRole', account, roleName);
    if (role.policies.length > 0) throw cloudError('conflict', 'DeleteConflict.Role.Policy', API.deleteRole, 409);
    this.#roles(account.accountId).delete(roleName.toLowerCase());
  }

  #roles(accountId: string): Map<string, MemoryRole> {
    let roles = this.#accounts.get(accountId);
    if (!roles) {
      roles = new Map();
      this.#accounts.set(accountId, roles);
    }
    return roles;
  }

  #record(accountId: string, role: MemoryRole): ObservedRoleRecord {
    return {
      roleName: role.roleName,
      arn: `acs:ram::${accountId}:role/${role.roleName.toLowerCase()}`,
      description: role.description,
      trustPolicy: role.trustPolicy,
    };
  }

  #existing(method: DirectoryMethod, account: AccountCredentials, roleName: string): MemoryRole {
    const role = this.role(account.accountId, roleName);
    if (!role) throw cloudError('notFound', 'EntityNotExist.Role', API[method], 404);
    return role;
  }

  #enter(method: DirectoryMethod, account: AccountCredentials, roleName: string): void {
    const at = this.options.clock?.now().getTime();
    this.calls.push({ method, accountId: account.accountId, roleName, ...(at === undefined ? {} : { at }) });
    this.options.journal?.push(`ram:${method}`);
    const injection = this.#injections.find(
      (i) =>
        i.remaining > 0 &&
        i.method === method &&
        (i.roleName === undefined || i.roleName === roleName.toLowerCase()) &&
        (i.accountId === undefined || i.accountId === account.accountId),
    );
    if (injection) {
      injection.remaining -= 1;
      throw injection.error;
    }
  }
}
