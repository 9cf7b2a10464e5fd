/**
 * The floor: a bare loop making the steady state's RAM calls and nothing else, through the same SDKs, against
 * the same local cloud, over the same transport, with the product's concurrency and per-account pace. Per account:
 * one AssumeRole, then per role GetRole and ListPoliciesForRole, `roleConcurrency` roles at a time and
 * `accountConcurrency` accounts at a time. No Tablestore, no policy comparison, no zod: what the product's CPU per
 * role is held against. Bundled by the bench and run without tsx (bench/workers/run-worker.ts).
 */
import pLimit from 'p-limit';
import { z } from 'zod';
import { measure } from './measure.js';
import { Pacer } from './pacer.js';
import { isRetryable, RamFleetSchema, RoleRead, ramClientFor, retryAfterMs, sleep } from './ram-fleet.js';
import { failWorker, readRequest, writeAnswer } from './worker-io.js';

/** What the floor worker is asked. */
export const FloorRequestSchema = z.object({
  fleet: RamFleetSchema,
  accountConcurrency: z.number().int().min(1),
  roleConcurrency: z.number().int().min(1),
  ratePerSecond: z.number().int().min(1),
});
/** See {@link FloorRequestSchema}. */
export type FloorRequest = z.infer<typeof FloorRequestSchema>;

async function main(): Promise<void> {
  const request = await readRequest(FloorRequestSchema, 'floor-worker');
  const { fleet } = request;
  let calls = 0;
  let retried = 0;
  let roles = 0;
  const call = async <T>(pacer: Pacer, make: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      await pacer.turn();
      calls += 1;
      try {
        return await make();
      } catch (error) {
        if (!isRetryable(error) || attempt >= 10) throw error;
        retried += 1;
        await sleep(retryAfterMs(error) ?? 100);
      }
    }
  };
  const accounts = pLimit(request.accountConcurrency);
  const { measured } = await measure(() =>
    Promise.all(
      fleet.accounts.map((account) =>
        accounts(async () => {
          const ram = await ramClientFor(fleet, account.id);
          const pacer = new Pacer(request.ratePerSecond);
          const inFlight = pLimit(request.roleConcurrency);
          await Promise.all(
            account.roles.map((roleName) =>
              inFlight(async () => {
                await call(pacer, () => RoleRead.getRole(ram, roleName));
                await call(pacer, () => RoleRead.listPolicies(ram, roleName));
                roles += 1;
              }),
            ),
          );
        }),
      ),
    ),
  );
  writeAnswer({ measured, roles, ramCalls: calls, retried });
}

main().catch(failWorker);
