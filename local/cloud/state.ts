/**
 * Persistence of the local cloud (`--state <file>`): accounts with their roles and users, temporary credentials,
 * and each service module's own snapshot, written as JSON (atomically, via a temporary file and rename).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AccountState, ServiceModule, TemporaryCredentialState } from './contract.js';
import type { LocalCloudCore } from './core.js';
import { CloudSetupError } from './errors.js';

const Policy = z.object({ name: z.string(), type: z.enum(['System', 'Custom']), attachDate: z.string() });
const Key = z.object({ id: z.string(), secret: z.string() });

const StateSchema = z.object({
  version: z.literal(1),
  accounts: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      accessKeys: z.array(Key),
      roles: z.array(
        z.object({
          name: z.string(),
          roleId: z.string(),
          description: z.string(),
          trustPolicy: z.string(),
          maxSessionDuration: z.number(),
          createDate: z.string(),
          updateDate: z.string(),
          policies: z.array(Policy),
          tags: z.record(z.string()),
        }),
      ),
      users: z.array(
        z.object({ name: z.string(), userId: z.string(), accessKeys: z.array(Key), policies: z.array(Policy) }),
      ),
      customPolicies: z.record(z.string()),
      partition: z.enum(['public', 'finance', 'gov']),
      dtsActivated: z.boolean(),
    }),
  ),
  temporaryCredentials: z.array(
    z.object({
      accessKeyId: z.string(),
      accessKeySecret: z.string(),
      securityToken: z.string(),
      expiration: z.string(),
      accountId: z.string(),
      roleName: z.string(),
      sessionName: z.string(),
    }),
  ),
  services: z.record(z.unknown()),
});

/** The persisted form of the local cloud. */
export type LocalCloudState = z.infer<typeof StateSchema>;

/** Capture the core's accounts, credentials and every module's snapshot. */
export function captureState(core: LocalCloudCore, modules: readonly ServiceModule[]): LocalCloudState {
  const services: Record<string, unknown> = {};
  for (const module of modules) {
    if (module.snapshot) services[module.name] = module.snapshot(core);
  }
  return {
    version: 1,
    accounts: [...core.accounts.values()].map((a) => ({
      id: a.id,
      name: a.name,
      accessKeys: a.accessKeys,
      roles: [...a.roles.values()],
      users: [...a.users.values()],
      customPolicies: Object.fromEntries(a.customPolicies),
      partition: a.partition,
      dtsActivated: a.dtsActivated,
    })),
    temporaryCredentials: [...core.temporaryCredentials.values()].map((c) => ({
      ...c,
      expiration: c.expiration.toISOString(),
    })),
    services,
  };
}

/** Write the state file atomically. */
export async function writeStateFile(path: string, state: LocalCloudState): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), 'utf8');
  await rename(tmp, path);
}

/** Read a state file; undefined when it does not exist yet. Throws {@link CloudSetupError} when it is corrupt. */
export async function readStateFile(path: string): Promise<LocalCloudState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CloudSetupError(`Cannot read the state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CloudSetupError(`The state file ${path} is not valid JSON; delete it to start fresh.`, { cause: error });
  }
  const parsed = StateSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(
      `The state file ${path} is invalid at ${issue?.path.join('.') ?? '(root)'}: ${issue?.message ?? ''}; delete it to start fresh.`,
    );
  }
  return parsed.data;
}

/** Restore a captured state into the core (its accounts replace same-id accounts) and into each module. */
export function restoreState(core: LocalCloudCore, modules: readonly ServiceModule[], state: LocalCloudState): void {
  for (const a of state.accounts) {
    const account: AccountState = {
      id: a.id,
      name: a.name,
      accessKeys: a.accessKeys,
      roles: new Map(a.roles.map((r) => [r.name, r])),
      users: new Map(a.users.map((u) => [u.name, u])),
      customPolicies: new Map(Object.entries(a.customPolicies)),
      partition: a.partition,
      dtsActivated: a.dtsActivated,
    };
    core.accounts.set(a.id, account);
  }
  for (const c of state.temporaryCredentials) {
    const creds: TemporaryCredentialState = { ...c, expiration: new Date(c.expiration) };
    core.temporaryCredentials.set(c.accessKeyId, creds);
  }
  core.reindex();
  for (const module of modules) {
    const data = state.services[module.name];
    if (data !== undefined && module.restore) module.restore(core, data);
  }
}
