/** `--preview` of the lifecycle commands: the access preview of a ticket, wired to the deployment and printed. */

import { reconcilerFor } from '../shared/composition/reconciler.js';
import { accountsOf, type Services } from '../shared/composition/services.js';
import { AccountPreflight } from '../shared/intake/preflight.js';
import {
  previewTicket as preview,
  type RoleAccessPreview,
  type TicketPreview,
} from '../shared/usecases/ticket-preview.js';
import type { Output } from './commands.js';
import type { PreviewDocument } from './json-documents.js';
import { type PrintOptions, printRows } from './render.js';
import { signedTicket, type TicketKey } from './ticket-file.js';

/** Preview `body` signed with `key` against the deployment's grants, trust settings and RAM. */
export async function previewTicket(
  services: Services,
  body: Record<string, unknown>,
  key: TicketKey,
): Promise<TicketPreview> {
  const settings = await services.settings();
  return preview(JSON.stringify(signedTicket(body, key)), {
    ticketSystems: settings.ticketSystems,
    guardrails: {
      ...services.config.guardrails,
      allowedOwnerAccounts: settings.allowedOwnerAccounts,
      allowedTrustedAccounts: settings.allowedTrustedAccounts,
    },
    partitions: settings.accountPartitions,
    defaultPartition: settings.defaultAccountPartition,
    preflight: new AccountPreflight({
      broker: accountsOf(services).broker,
      roles: accountsOf(services).directory,
      users: services.users,
      retry: { policy: services.config.retry, clock: services.clock, random: services.random },
    }),
    ...(services.tencent ? { tencent: { manages: services.tencent.manages } } : {}),
    grants: services.grants,
    status: services.status,
    clock: services.clock,
    dryRun: (grants, role) => reconcilerFor(services, { grants }).previewRole(role),
  });
}

const list = (accounts: readonly string[]) => (accounts.length === 0 ? '-' : accounts.join(', '));

const COLUMNS = [
  { heading: 'ROLE', cell: (r: RoleAccessPreview) => `${r.ownerAccountId}/${r.roleName}` },
  { heading: 'TRUSTED NOW', cell: (r: RoleAccessPreview) => list(r.trustedBefore) },
  { heading: 'TRUSTED AFTER', cell: (r: RoleAccessPreview) => list(r.trustedAfter) },
  { heading: 'MODE', cell: (r: RoleAccessPreview) => `${r.modeBefore ?? '-'} -> ${r.modeAfter ?? '-'}` },
  {
    heading: 'RAM CHANGES',
    cell: (r: RoleAccessPreview) =>
      r.unreachable !== undefined
        ? `cannot observe: ${r.unreachable}`
        : r.changes.length === 0
          ? 'none'
          : `${r.changes.length}${r.pausedReason === undefined ? '' : ' (flap pause cleared)'}`,
  },
] as const;

/** Print a preview: the refusal with every problem, or a row per role and each RAM change under it. */
export function printPreview(out: Output, options: PrintOptions, result: TicketPreview): void {
  if (result.rejected) {
    printRows(out, options, [], COLUMNS, result, [
      `${result.action} ${result.ticket} would be REJECTED by the intake (nothing sent):`,
      ...result.problems.map((p) => `  ${p.field}: ${p.message} (${p.code}) - ${p.fix}`),
    ]);
    return;
  }
  printRows(out, options, result.roles, COLUMNS, result satisfies PreviewDocument, [
    `${result.action} ${result.ticket}: preview only, nothing sent`,
    ...result.roles.flatMap((r) => r.changes.map((c) => `  ${r.ownerAccountId}/${r.roleName}: ${c}`)),
    ...result.roles
      .filter((r) => r.pausedReason !== undefined)
      .map((r) => `  ${r.ownerAccountId}/${r.roleName}: clears the flap pause (${r.pausedReason})`),
  ]);
}
