/**
 * `role-unused-by-dts`: a declared role (one grant: a role trusting one task account) that no live DTS job of its
 * account used in each of the last N inventories. Every inventory is recorded with the grants it found unused;
 * the finding is raised once N recorded inventories in a row found the same grant unused, and resolved when a
 * later inventory finds it used again or no longer declared.
 */
import type { AuditEvent } from '../domain/audit.js';
import { type FindingData, newFindingEvent, newResolvedEvent } from '../domain/finding.js';
import type { FindingRecord } from '../domain/finding-record.js';
import type { Grant } from '../domain/grant.js';
import { grantId, roleArn } from '../domain/ownership.js';
import type { AuditLog, Clock, FindingLedger, InventoryRun, InventoryRuns } from '../ports.js';
import type { DtsInventory } from './dts-inventory.js';

/** What recording an inventory needs. */
export interface UnusedRolesDeps {
  readonly runs: InventoryRuns;
  readonly audit: AuditLog;
  readonly findings: Pick<FindingLedger, 'list'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly newId: () => string;
}

/** What recording an inventory found. */
export interface UnusedRolesReport {
  /** How many inventories in a row a grant must be unused in. */
  readonly inventories: number;
  /** Grants unused in each of the last `inventories` inventories: a finding each. */
  readonly raised: ReadonlyArray<{ readonly grantId: string; readonly findingId: string }>;
  /** Findings of grants now used again or no longer declared: resolved. */
  readonly resolved: readonly string[];
}

/** The grant ids unused in every one of `runs` (none when fewer than `count` runs were recorded). */
export function unusedInEvery(runs: readonly InventoryRun[], count: number): string[] {
  if (runs.length < count || count < 1) return [];
  const [first, ...rest] = runs.slice(0, count);
  return (first?.unusedGrantIds ?? []).filter((id) => rest.every((r) => r.unusedGrantIds.includes(id))).sort();
}

/** The `role-unused-by-dts` finding of one grant; its `findingId` is the same for every repeat. */
export function unusedRoleFinding(
  grant: Grant,
  runs: readonly InventoryRun[],
  ctx: { id: string; time: Date; correlationId: string },
): AuditEvent {
  const since = runs.at(-1)?.takenAt.toISOString();
  return newFindingEvent({
    id: ctx.id,
    kind: 'role-unused-by-dts',
    subject: roleArn(grant),
    about: grant.trustedAccountId,
    time: ctx.time,
    correlationId: ctx.correlationId,
    summary:
      `no live DTS job of ${grant.trustedAccountId} used role ${grant.roleName} in ${grant.ownerAccountId} in the ` +
      `last ${runs.length} inventories (since ${since}): revoke the grant (ticket ${grant.ticket.system}:${grant.ticket.id}) or let it expire`,
    evidence: {
      grantId: grantId(grant),
      trustedAccountId: grant.trustedAccountId,
      inventories: runs.length,
      since,
      ticket: grant.ticket,
      ...(grant.expiresAt === undefined ? {} : { expiresAt: grant.expiresAt }),
    },
  });
}

/**
 * Record `inventory` (the active grants it found unused, among the task accounts it could list), then raise
 * `role-unused-by-dts` for each grant unused in every one of the last `inventories` recorded, and resolve the open
 * ones whose grant this inventory found used or no longer declared (a grant whose account could not be listed, or
 * was not listed by design, is left as it was). Every event goes to the audit log.
 */
export async function recordInventory(
  deps: UnusedRolesDeps,
  inventory: DtsInventory,
  options: { readonly correlationId: string; readonly inventories: number },
): Promise<UnusedRolesReport> {
  const now = deps.clock.now();
  const unlisted = new Set([...inventory.gaps, ...inventory.skipped].map((g) => g.accountId));
  const unused = new Map(
    inventory.usage.unused.filter((g) => !unlisted.has(g.trustedAccountId)).map((g) => [grantId(g), g] as const),
  );
  await deps.runs.record({ takenAt: now, correlationId: options.correlationId, unusedGrantIds: [...unused.keys()] });
  const latest = await deps.runs.latest(options.inventories);
  const persistent = unusedInEvery(latest, options.inventories);
  const raised: { grantId: string; findingId: string }[] = [];
  for (const id of persistent) {
    const grant = unused.get(id);
    if (grant === undefined) continue;
    const event = unusedRoleFinding(grant, latest, {
      id: deps.newId(),
      time: now,
      correlationId: options.correlationId,
    });
    await deps.audit.record(event);
    raised.push({ grantId: id, findingId: (event.data as FindingData).findingId });
  }
  const resolved: string[] = [];
  for await (const record of deps.findings.list({ state: 'open' })) {
    const id = openGrantId(record);
    if (id === undefined || unused.has(id) || unlisted.has(id.split('/')[2] ?? '')) continue;
    await deps.audit.record(
      newResolvedEvent({
        id: deps.newId(),
        kind: 'role-unused-by-dts',
        findingId: record.findingId,
        subject: record.subject,
        time: now,
        correlationId: options.correlationId,
        summary: `the DTS inventory of ${now.toISOString()} found grant ${id} used again, or no longer declared`,
        resolvedBy: 'dts-trust',
      }),
    );
    resolved.push(record.findingId);
  }
  return { inventories: options.inventories, raised, resolved };
}

/** The grant id an open `role-unused-by-dts` finding is about; `undefined` for any other finding. */
function openGrantId(record: FindingRecord): string | undefined {
  if (record.kind !== 'role-unused-by-dts') return undefined;
  const id = record.evidence['grantId'];
  return typeof id === 'string' ? id : undefined;
}
