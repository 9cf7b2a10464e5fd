/**
 * `findings` (the open findings, most severe first) and `findings close <findingId> --reason TEXT` (a person ends
 * one; recorded as a `dts-trust.resolved.<kind>` event and delivered). docs/events.md describes the kinds.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';

import type { Services } from '../shared/composition/services.js';
import { ValidationError } from '../shared/domain/errors.js';
import { FINDING_KINDS, FindingSeverity } from '../shared/domain/finding.js';
import { type FindingRecord, FindingState } from '../shared/domain/finding-record.js';
import { livenessGap, RECONCILER_SUBJECT } from '../shared/domain/liveness.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import { CloseFindingRefusal, closeFinding } from '../shared/evidence/close-finding.js';
import { TIMER_RUN } from '../shared/evidence/liveness.js';
import { deliverOutbox } from '../shared/usecases/deliver-outbox.js';
import type { Output } from './commands.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { auditDeliveryJson, type FindingsDocument } from './json-documents.js';
import { type PrintOptions, printJson } from './render.js';

/** Most severe first. */
const SEVERITY_RANK: Readonly<Record<FindingSeverity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

const severities = Object.values(FindingSeverity) as [FindingSeverity, ...FindingSeverity[]];

/** Options of `findings`. */
export const FindingsOptionsSchema = z.object({
  all: z.boolean().default(false),
  severity: z
    .enum(severities, { message: `--severity must be one of ${severities.join(', ')}: the least severe to list` })
    .optional(),
  kind: z
    .string()
    .refine((k) => Object.hasOwn(FINDING_KINDS, k), {
      message: `--kind must be one of ${Object.keys(FINDING_KINDS).join(', ')}`,
    })
    .optional(),
  json: z.boolean().default(false),
});
/** Options of `findings`. */
export type FindingsOptions = z.infer<typeof FindingsOptionsSchema>;

/** Arguments of `findings close`. */
export const CloseOptionsSchema = z.object({
  findingId: z.string().regex(/^fnd-[0-9a-f]{32}$/, 'give a findingId as `findings` lists it (fnd- and 32 hex digits)'),
  reason: z.string().trim().min(3, '--reason must say why the finding is closed (at least 3 characters)').max(1024),
  by: z.string().trim().min(1, '--by must name who closes it').max(128),
});

/** Findings sorted most severe first, then most recently seen first. */
export function sortFindings(records: readonly FindingRecord[]): FindingRecord[] {
  return [...records].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : 0),
  );
}

/** One finding as a table row. */
export function findingLine(f: FindingRecord): string {
  const seen = f.occurrences === 1 ? 'once' : `${f.occurrences}x`;
  const state = f.state === FindingState.Open ? '' : ` ${f.state} by ${f.resolvedBy ?? '?'} at ${f.resolvedAt ?? '?'}`;
  return `${f.findingId}  ${f.severity.padEnd(8)} ${f.kind}  ${f.subject}  seen ${seen}, last ${f.lastSeenAt}${state}  ${f.summary}`;
}

/**
 * List findings: the open ones (or all with `--all`), at least `--severity`, of `--kind`. The timer's liveness is
 * judged now, against the clock (a stopped timer cannot raise its own finding): when no run succeeded within the
 * allowed intervals a `reconciler-not-running` line comes first and the exit code is 1, so a scheduler elsewhere can
 * page on it.
 */
export async function findingsCommand(services: Services, out: Output, options: FindingsOptions): Promise<number> {
  const now = services.clock.now();
  const last = await services.heartbeats.last(TIMER_RUN);
  const gap = livenessGap(last?.succeededAt, now, services.config.liveness);
  const liveness = {
    stale: gap.stale,
    lastSucceededAt: last?.succeededAt.toISOString(),
    gapMinutes: Math.round(gap.gapMs / 60_000),
    missedIntervals: gap.missedIntervals,
  };
  const records: FindingRecord[] = [];
  const floor = options.severity === undefined ? Number.POSITIVE_INFINITY : SEVERITY_RANK[options.severity];
  for await (const record of services.findings.list(options.all ? {} : { state: FindingState.Open })) {
    if (SEVERITY_RANK[record.severity] > floor) continue;
    if (options.kind !== undefined && record.kind !== options.kind) continue;
    records.push(record);
  }
  const sorted = sortFindings(records);
  const code = gap.stale ? 1 : 0;
  if (options.json) {
    printJson(out, { liveness, findings: sorted } satisfies FindingsDocument);
    return code;
  }
  if (gap.stale) {
    out.line(
      `(now)  critical reconciler-not-running  ${RECONCILER_SUBJECT}  no successful run for ${liveness.gapMinutes} minutes ` +
        `(last ${liveness.lastSucceededAt}, ${gap.missedIntervals} timer intervals missed, ${services.config.liveness.allowedIntervals} allowed): ` +
        'check the drift-reconciler function, its timer trigger and its logs',
    );
  }
  for (const f of sorted) out.line(findingLine(f));
  out.line(
    `${sorted.length} ${options.all ? '' : 'open '}finding(s)${gap.stale ? '; the reconciler is not running' : ''}`,
  );
  return code;
}

/**
 * Close one finding (audited), then deliver, so its state changes at once. Exits 1 when nothing was closed, 3 when
 * the closing event has not reached the bus.
 */
export async function closeFindingCommand(
  services: Services,
  out: Output,
  request: z.infer<typeof CloseOptionsSchema>,
  print: PrintOptions = { json: false },
): Promise<number> {
  const correlationId = randomUUID();
  const result = await closeFinding(
    { findings: services.findings, audit: services.outbox, clock: services.clock },
    { findingId: request.findingId, closedBy: request.by, reason: request.reason, correlationId },
  );
  if (!result.closed) {
    const notFound = result.refusal === CloseFindingRefusal.NotFound;
    if (print.json)
      printJson(out, { findingId: request.findingId, closed: false, refusal: notFound ? 'notFound' : 'notOpen' });
    else {
      out.line(
        notFound
          ? `no finding ${request.findingId} (list them with findings --all)`
          : `finding ${request.findingId} is not open; nothing recorded`,
      );
    }
    return ExitCode.Failed;
  }
  const audit = await deliverOutbox(services, correlationId);
  if (print.json) {
    printJson(out, {
      findingId: request.findingId,
      closed: true,
      eventId: result.eventId,
      audit: auditDeliveryJson(audit),
    });
  } else {
    out.line(
      `closed ${request.findingId} (event ${result.eventId}); audit events delivered: ${audit.delivered}, pending: ${audit.pending}`,
    );
  }
  return exitCodeOf({ failed: 0, undelivered: audit.pending + audit.setAside });
}

function validated<T extends z.ZodTypeAny>(schema: T, value: unknown, prefix: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, prefix));
  return parsed.data;
}

/** Register `findings` and `findings close`. */
export function registerFindingCommands(
  program: Command,
  ctx: { out: Output; connect: () => Promise<Services>; done: (code: number) => void },
): void {
  const findings = program
    .command('findings')
    .description('list the open findings, most severe first (docs/events.md)')
    .option('--all', 'also the resolved and closed ones')
    .option('--severity <level>', 'only this severe or worse: low, medium, high, critical')
    .option('--kind <kind>', 'only this kind')
    .option('--json', 'one JSON document')
    .action(async (opts: unknown) => {
      ctx.done(await findingsCommand(await ctx.connect(), ctx.out, validated(FindingsOptionsSchema, opts, 'options')));
    });
  findings
    .command('close <findingId>')
    .description('close a finding a person has dealt with (recorded and delivered as dts-trust.resolved.<kind>)')
    .requiredOption('--reason <text>', 'what was done about it')
    .option('--by <name>', 'who closes it (default: $USER)')
    .option('--json', 'one JSON document')
    .action(async (findingId: unknown, opts: { reason?: unknown; by?: unknown }, command: Command) => {
      const request = validated(
        CloseOptionsSchema,
        { findingId, reason: opts.reason, by: opts.by ?? process.env.USER ?? '' },
        'options',
      );
      // `findings` has a --json of its own: it takes the flag wherever it stands.
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      ctx.done(await closeFindingCommand(await ctx.connect(), ctx.out, request, { json }));
    });
}
