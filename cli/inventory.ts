/**
 * `inventory [--task-account <uid...>] [--json]`: the DTS jobs of every task account the active grants trust, read
 * through each account's management role (DescribeDtsJobs per configured region, then DescribeDtsJobDetail), and
 * what they say about the declared roles: jobs whose role is broken, jobs using a role no grant declares for their
 * account, and declared roles no job uses. Each inventory is recorded; a declared role unused in each of the last
 * `DTS_TRUST_UNUSED_INVENTORIES` raises `role-unused-by-dts` (delivered before the command ends). Tencent Cloud task
 * accounts are skipped with the reason (their jobs are Tencent DTS's, not read yet); their grants are not judged,
 * and the skip alone does not fail the command.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Services } from '../shared/composition/services.js';
import { ALIBABA_ACCOUNT_ID, isTencentRootAccountId } from '../shared/domain/account-id.js';
import type { RoleUse } from '../shared/domain/dts-usage.js';
import { ValidationError } from '../shared/domain/errors.js';
import { grantId } from '../shared/domain/ownership.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import { cachedJobDirectory, takeDtsInventory } from '../shared/evidence/dts-inventory.js';
import { recordInventory } from '../shared/evidence/unused-roles.js';
import { deliverOutbox } from '../shared/usecases/deliver-outbox.js';
import type { Output } from './commands.js';
import { inventoryJson } from './json-documents.js';
import { printJson } from './render.js';

/** One `--task-account`: an Alibaba Cloud account; a Tencent Cloud UIN is refused with the reason. */
const TaskAccount = z.string().superRefine((value, ctx) => {
  if (ALIBABA_ACCOUNT_ID.test(value)) return;
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: isTencentRootAccountId(value)
      ? `${value} is a Tencent Cloud UIN: the inventory lists Alibaba Cloud DTS jobs only (Tencent DTS jobs are not read yet; docs/deploy.md, "The DTS inventory")`
      : '--task-account must be a 16-digit account ID (AliyunUidFormat)',
    params: { fix: 'give the 16-digit ID of an Alibaba Cloud task account' },
  });
});

/** Options of `inventory`. */
export const InventoryOptionsSchema = z.object({
  taskAccount: z.array(TaskAccount).default([]),
  json: z.boolean().default(false),
});

function useLine(u: RoleUse): string {
  const half = u.direction === 'reverse' ? ' reverse' : '';
  return `job ${u.dtsJobId}${half} (${u.region}, ${u.status ?? 'unknown status'}${u.jobName ? `, ${u.jobName}` : ''}) of ${u.taskAccountId} uses ${u.ownerAccountId}/${u.roleName} as its ${u.side}`;
}

/** Take the inventory and print it; exit 1 when a job is broken or undeclared, or an account could not be read. */
export async function inventoryCommand(
  services: Services,
  out: Output,
  options: z.output<typeof InventoryOptionsSchema>,
): Promise<number> {
  const inventory = await takeDtsInventory(
    {
      grants: services.grants,
      broker: services.broker,
      directory: services.directory,
      jobs: cachedJobDirectory(services.dts, services.broker, services.config.dtsRegions),
      clock: services.clock,
    },
    { extraTaskAccounts: options.taskAccount },
  );
  const correlationId = randomUUID();
  const unusedRoles = await recordInventory(
    {
      runs: services.inventories,
      audit: services.outbox,
      findings: services.findings,
      clock: services.clock,
      newId: randomUUID,
    },
    inventory,
    { correlationId, inventories: services.config.unusedInventories },
  );
  await deliverOutbox(services, correlationId);
  const { usage, accounts, gaps, skipped } = inventory;
  const failed = usage.broken.length + usage.undeclared.length + gaps.length + usage.unknownRoles.length > 0;
  if (options.json) {
    printJson(out, inventoryJson(inventory, unusedRoles));
    return failed ? 1 : 0;
  }
  for (const b of usage.broken) {
    const why = b.reason === 'RoleMissing' ? 'the role does not exist' : `the role does not trust ${b.taskAccountId}`;
    out.line(`broken      ${useLine(b)}: ${why}${b.declared ? ' (declared)' : ' (no grant declares it)'}`);
  }
  for (const u of usage.undeclared)
    out.line(`undeclared  ${useLine(u)}: no active grant lets ${u.taskAccountId} use it`);
  for (const g of usage.unused) {
    out.line(
      `unused      ${grantId(g)} (ticket ${g.ticket.system}:${g.ticket.id}${g.expiresAt ? `, expires ${g.expiresAt}` : ''}): no live job of ${g.trustedAccountId} uses it`,
    );
  }
  for (const r of unusedRoles.raised) {
    out.line(
      `long unused ${r.grantId}: unused in each of the last ${unusedRoles.inventories} inventories (finding ${r.findingId}, role-unused-by-dts)`,
    );
  }
  for (const r of usage.unknownRoles) out.line(`unread      ${r.ownerAccountId}/${r.roleName}: ${r.reason}`);
  for (const g of gaps) out.line(`unlisted    account ${g.accountId}: ${g.code} ${g.message}`);
  for (const g of skipped) out.line(`skipped     account ${g.accountId}: ${g.code} ${g.message}`);
  const jobs = accounts.reduce((n, a) => n + a.jobs, 0);
  out.line(
    `${jobs} job(s) in ${accounts.length} task account(s) (regions ${services.config.dtsRegions.join(', ')}): ` +
      `${usage.broken.length} broken, ${usage.undeclared.length} undeclared, ${usage.unused.length} declared role(s) unused` +
      `${gaps.length ? `, ${gaps.length} account(s) not listed` : ''}` +
      `${skipped.length ? `, ${skipped.length} Tencent account(s) skipped` : ''}`,
  );
  return failed ? 1 : 0;
}

/** Register `inventory`. */
export function registerInventoryCommand(
  program: Command,
  ctx: { out: Output; connect: () => Promise<Services>; done: (code: number) => void },
): void {
  program
    .command('inventory')
    .description('DTS jobs against the declared roles: broken and undeclared jobs, declared roles no job uses')
    .option('--task-account <uid...>', 'also list these task accounts (besides those the active grants trust)')
    .option('--json', 'one JSON document')
    .action(async (opts: unknown) => {
      const parsed = InventoryOptionsSchema.safeParse(opts);
      if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'options'));
      ctx.done(await inventoryCommand(await ctx.connect(), ctx.out, parsed.data));
    });
}
