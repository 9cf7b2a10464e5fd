/**
 * The admin API only the local cloud has, under `/__admin/`: the request log (GET, DELETE), faults (GET, PUT),
 * the process's CPU time and the transport's connection counts (GET `/__admin/usage`),
 * out-of-band edits as a person in the console would make them (POST `/__admin/edits`), a role's stored state
 * (GET `/__admin/accounts/<id>/roles/<name>`), and `/__admin/<module>/<subpath>` delegated to that module.
 */
import { z } from 'zod';
import { ACCOUNT_ID } from './account-id.js';
import { publishRamWrite } from './actiontrail.js';
import type { CloudCall, CloudReply, RequestLogEntry, ServiceModule } from './contract.js';
import type { LocalCloudCore } from './core.js';
import { CloudEmulatorError, LocalCloudError } from './errors.js';
import type { FaultInjector } from './faults.js';
import { findRole, ramDate } from './roles.js';
import { SYSTEM_POLICIES } from './system-policies.js';
import { storedTrustPolicy } from './trust-policy.js';

/** What the admin routes act on. */
export interface AdminContext {
  readonly core: LocalCloudCore;
  readonly log: RequestLogEntry[];
  readonly faults: FaultInjector;
  /** Connections and TLS sessions the server accepted. */
  readonly transport: { readonly connections: number; readonly tlsSessions: number };
  readonly modules: readonly ServiceModule[];
  /** Options of the RAM module (quirks apply to console edits too). */
  readonly ramQuirks: { principalsAsArrays?: boolean };
  /** Called after a state change so persistence can save. */
  markDirty(): void;
}

const Target = {
  accountId: z.string().regex(ACCOUNT_ID, 'accountId is a 16-digit account id'),
  roleName: z.string().min(1),
};

/** Schema of an out-of-band edit. */
export const AdminEditSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('setTrustPolicy'), ...Target, trustPolicy: z.union([z.string(), z.record(z.unknown())]) }),
  z.object({
    kind: z.literal('detachPolicy'),
    ...Target,
    policyName: z.string().min(1),
    policyType: z.enum(['System', 'Custom']).default('System'),
  }),
  z.object({
    kind: z.literal('attachPolicy'),
    ...Target,
    policyName: z.string().min(1),
    policyType: z.enum(['System', 'Custom']).default('System'),
  }),
  z.object({ kind: z.literal('setDescription'), ...Target, description: z.string().max(1024) }),
  z.object({ kind: z.literal('deleteRole'), ...Target }),
]);

/** The RAM operation a console edit is, as ActionTrail records it. */
const CONSOLE_EVENT_NAMES = {
  setTrustPolicy: 'UpdateRole',
  setDescription: 'UpdateRole',
  detachPolicy: 'DetachPolicyFromRole',
  attachPolicy: 'AttachPolicyToRole',
  deleteRole: 'DeleteRole',
} as const satisfies Record<z.output<typeof AdminEditSchema>['kind'], string>;

const CONSOLE = { kind: 'console' } as const;

/** An out-of-band edit (input form). */
export type AdminEdit = z.input<typeof AdminEditSchema>;

function json(status: number, body: unknown): CloudReply {
  return { status, headers: { 'content-type': 'application/json;charset=utf-8' }, body: JSON.stringify(body) };
}

function problem(status: number, code: string, message: string): CloudReply {
  return json(status, { Code: code, Message: message });
}

function readJson(call: CloudCall): unknown {
  if (call.body.length === 0) return {};
  try {
    return JSON.parse(call.body.toString('utf8'));
  } catch {
    throw new LocalCloudError(400, 'InvalidJson', 'The admin request body is not valid JSON.');
  }
}

function applyEdit(ctx: AdminContext, edit: z.output<typeof AdminEditSchema>): unknown {
  const account = ctx.core.accounts.get(edit.accountId);
  if (!account)
    throw new LocalCloudError(404, 'EntityNotExist.Account', `No account ${edit.accountId} in the local cloud.`);
  const role = findRole(account, edit.roleName);
  if (!role) throw new LocalCloudError(404, 'EntityNotExist.Role', `The role not exists: ${edit.roleName}.`);
  const now = ramDate(ctx.core.now());
  switch (edit.kind) {
    case 'setTrustPolicy': {
      const text = typeof edit.trustPolicy === 'string' ? edit.trustPolicy : JSON.stringify(edit.trustPolicy);
      role.trustPolicy = storedTrustPolicy(text, account.id, ctx.ramQuirks);
      break;
    }
    case 'setDescription':
      role.description = edit.description;
      break;
    case 'detachPolicy': {
      const index = role.policies.findIndex((p) => p.name === edit.policyName && p.type === edit.policyType);
      if (index < 0)
        throw new LocalCloudError(
          404,
          'EntityNotExist.Role.Policy',
          `The policy ${edit.policyName} is not attached to the role.`,
        );
      role.policies.splice(index, 1);
      break;
    }
    case 'attachPolicy': {
      if (
        edit.policyType === 'System' ? !SYSTEM_POLICIES[edit.policyName] : !account.customPolicies.has(edit.policyName)
      ) {
        throw new LocalCloudError(404, 'EntityNotExist.Policy', `The policy not exists: ${edit.policyName}.`);
      }
      if (role.policies.some((p) => p.name === edit.policyName && p.type === edit.policyType)) {
        throw new LocalCloudError(
          409,
          'EntityAlreadyExists.Role.Policy',
          `The policy ${edit.policyName} is already attached.`,
        );
      }
      role.policies.push({ name: edit.policyName, type: edit.policyType, attachDate: now });
      break;
    }
    case 'deleteRole':
      account.roles.delete(role.name);
      ctx.markDirty();
      return { deleted: role.name };
  }
  role.updateDate = now;
  ctx.markDirty();
  return { role };
}

async function route(ctx: AdminContext, call: CloudCall, path: string): Promise<CloudReply | undefined> {
  const method = call.method;
  if (path === 'health' && method === 'GET') return json(200, { ok: true });
  if (path === 'usage' && method === 'GET') {
    const cpu = process.cpuUsage();
    return json(200, {
      cpuMs: (cpu.user + cpu.system) / 1000,
      connections: ctx.transport.connections,
      tlsSessions: ctx.transport.tlsSessions,
    });
  }
  if (path === 'log') {
    if (method === 'GET') return json(200, { entries: ctx.log });
    if (method === 'DELETE') {
      const cleared = ctx.log.length;
      ctx.log.length = 0;
      return json(200, { cleared });
    }
  }
  if (path === 'faults') {
    if (method === 'GET') return json(200, ctx.faults.config);
    if (method === 'PUT') {
      ctx.faults.set(readJson(call));
      return json(200, ctx.faults.config);
    }
  }
  if (path === 'edits' && method === 'POST') {
    const parsed = AdminEditSchema.safeParse(readJson(call));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return problem(400, 'InvalidEdit', `${issue?.path.join('.') || 'kind'}: ${issue?.message ?? 'invalid'}`);
    }
    const applied = applyEdit(ctx, parsed.data);
    const { accountId, roleName } = parsed.data;
    publishRamWrite(ctx.core, {
      accountId,
      roleName,
      eventName: CONSOLE_EVENT_NAMES[parsed.data.kind],
      actor: CONSOLE,
    });
    return json(200, applied);
  }
  const roleMatch = /^accounts\/(\d{16})\/roles\/([^/]+)$/.exec(path);
  if (roleMatch && method === 'GET') {
    const account = ctx.core.accounts.get(roleMatch[1] ?? '');
    const role = account && findRole(account, decodeURIComponent(roleMatch[2] ?? ''));
    return role ? json(200, role) : problem(404, 'EntityNotExist.Role', 'No such role.');
  }
  if (path === 'accounts' && method === 'GET') {
    return json(
      200,
      [...ctx.core.accounts.values()].map((a) => ({
        id: a.id,
        name: a.name,
        roles: [...a.roles.keys()],
        users: [...a.users.keys()],
      })),
    );
  }
  const slash = path.indexOf('/');
  const moduleName = slash < 0 ? path : path.slice(0, slash);
  const module = ctx.modules.find((m) => m.name === moduleName);
  if (module?.admin) return module.admin(call, slash < 0 ? '' : path.slice(slash + 1), ctx.core);
  return undefined;
}

/** Answer an admin call (`call.url.pathname` starts with `/__admin/`). */
export async function handleAdmin(ctx: AdminContext, call: CloudCall): Promise<CloudReply> {
  const path = call.url.pathname.slice('/__admin/'.length).replace(/\/+$/, '');
  try {
    return (
      (await route(ctx, call, path)) ?? problem(404, 'NotFound', `No admin route ${call.method} /__admin/${path}.`)
    );
  } catch (error) {
    if (error instanceof LocalCloudError) return problem(error.status, error.code, error.message);
    if (error instanceof CloudEmulatorError) return problem(400, error.code, error.message);
    return problem(500, 'InternalError', (error as Error).message);
  }
}
