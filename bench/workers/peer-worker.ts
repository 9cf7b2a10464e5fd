/**
 * The peer: the same fleet refreshed the way Terraform's alicloud provider refreshes it (docs/benchmarks.md,
 * "The peer"). Every role is two resources, `alicloud_ram_role` (one GetRole) and
 * `alicloud_ram_role_policy_attachment` (one ListPoliciesForRole); one provider per owner account, configured
 * with an `assume_role` block (one AssumeRole each); resources walked in configuration order with a global
 * parallelism of 10 (`terraform -parallelism`'s default); a throttled or failed read waits a fixed 3 s, then 5 s
 * before each further try, without jitter and without reading the retry-after header, for at most a minute.
 * A read still failing then fails its resource: the role is left behind. Bundled by the bench and run without tsx.
 */
import pLimit from 'p-limit';
import { z } from 'zod';
import { measure } from './measure.js';
import { errorCode, isRetryable, type RamClient, RamFleetSchema, RoleRead, ramClientFor, sleep } from './ram-fleet.js';
import { failWorker, readRequest, writeAnswer } from './worker-io.js';

/** The peer's model, with the provider's figures as defaults. */
export const PeerModelSchema = z.object({
  parallelism: z.number().int().min(1).default(10),
  firstWaitMs: z.number().int().min(0).default(3_000),
  nextWaitMs: z.number().int().min(0).default(5_000),
  retryTimeoutMs: z.number().int().min(0).default(60_000),
});

/** What the peer worker is asked. */
export const PeerRequestSchema = z.object({ fleet: RamFleetSchema, model: PeerModelSchema });
/** See {@link PeerRequestSchema}. */
export type PeerRequest = z.input<typeof PeerRequestSchema>;

async function main(): Promise<void> {
  const { fleet, model } = await readRequest(PeerRequestSchema, 'peer-worker');
  const walk = pLimit(model.parallelism);
  let reads = 0;
  let throttled = 0;
  let waitedMs = 0;
  const failedRoles = new Set<string>();
  /** One read as `resource.Retry` with `incrementalWait(3 s, 5 s)` makes it. */
  const read = async (make: () => Promise<unknown>): Promise<boolean> => {
    const deadline = Date.now() + model.retryTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      reads += 1;
      try {
        await make();
        return true;
      } catch (error) {
        if (errorCode(error)?.startsWith('Throttling')) throttled += 1;
        if (!isRetryable(error) || Date.now() >= deadline) return false;
        const wait = attempt === 1 ? model.firstWaitMs : model.nextWaitMs;
        waitedMs += wait;
        await sleep(wait);
      }
    }
  };
  const { measured } = await measure(async () => {
    const providers = new Map<string, Promise<RamClient>>();
    const provider = (accountId: string): Promise<RamClient> => {
      let client = providers.get(accountId);
      if (!client) {
        client = ramClientFor(fleet, accountId);
        providers.set(accountId, client);
      }
      return client;
    };
    const resources = fleet.accounts.flatMap((account) =>
      account.roles.flatMap((roleName) => [
        { account: account.id, roleName, read: RoleRead.getRole },
        { account: account.id, roleName, read: RoleRead.listPolicies },
      ]),
    );
    await Promise.all(
      resources.map((resource) =>
        walk(async () => {
          const ram = await provider(resource.account);
          const ok = await read(() => resource.read(ram, resource.roleName));
          if (!ok) failedRoles.add(`${resource.account}/${resource.roleName}`);
        }),
      ),
    );
  });
  const roles = fleet.accounts.reduce((n, a) => n + a.roles.length, 0);
  writeAnswer({ measured, roles, reads, throttled, waitedMs, rolesLeftBehind: failedRoles.size });
}

main().catch(failWorker);
