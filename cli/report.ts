/**
 * `report --html FILE [--role OWNER/ROLE] [--days N]`: the evidence report for auditors, one self-contained HTML page
 * (grants by state, roles by outcome, what expires in 7 and 30 days, open findings, drift repaired per day, and the
 * audit trail of one role when `--role` names it).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Services } from '../shared/composition/services.js';
import { isAlibabaAccountId } from '../shared/domain/account-id.js';
import { ValidationError } from '../shared/domain/errors.js';
import { isRamRoleName } from '../shared/domain/role-name.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import { DEFAULT_DRIFT_DAYS, gatherEvidenceReport } from '../shared/evidence/gather-report.js';
import { renderEvidenceReport } from '../shared/evidence/report-html.js';
import type { Output } from './commands.js';

/** True for `OWNER/ROLE`: an account ID by the one account-ID rule, a slash, a RAM role name. */
function isRoleReference(value: string): boolean {
  const [owner, roleName, ...rest] = value.split('/');
  return rest.length === 0 && isAlibabaAccountId(owner ?? '') && isRamRoleName(roleName ?? '');
}

/** Options of `report`. */
export const ReportOptionsSchema = z.object({
  html: z.string({ message: '--html FILE is required: where to write the page' }).min(1, '--html needs a file name'),
  role: z
    .string()
    .refine(isRoleReference, '--role must be OWNER/ROLE, e.g. 1111111111111111/ram-for-dts')
    .transform((s) => {
      const [ownerAccountId = '', roleName = ''] = s.split('/');
      return { ownerAccountId, roleName };
    })
    .optional(),
  days: z.coerce
    .number()
    .int()
    .min(1, '--days must be 1 to 400 (the history keeps 400 days)')
    .max(400, '--days must be 1 to 400 (the history keeps 400 days)')
    .default(DEFAULT_DRIFT_DAYS),
});

/** Write the report page. */
export async function reportCommand(
  services: Services,
  out: Output,
  options: z.output<typeof ReportOptionsSchema>,
): Promise<number> {
  const report = await gatherEvidenceReport(
    {
      grants: services.grants,
      status: services.status,
      findings: services.findings,
      history: services.history,
      clock: services.clock,
    },
    { role: options.role, driftDays: options.days },
  );
  await writeFile(options.html, renderEvidenceReport(report), 'utf8');
  out.line(
    `wrote ${options.html}: ${report.grants.active} active grant(s), ${report.roles.total} role(s), ${report.openFindings.length} open finding(s), ${report.drift.reduce((n, d) => n + d.repaired, 0)} repair(s) in ${options.days} days${report.trail ? `, ${report.trail.lines.length} event(s) of ${report.trail.role}` : ''}`,
  );
  return 0;
}

/** Register `report`. */
export function registerReportCommand(
  program: Command,
  ctx: { out: Output; connect: () => Promise<Services>; done: (code: number) => void },
): void {
  program
    .command('report')
    .description('write the evidence report for auditors as one self-contained HTML page')
    .option('--html <file>', 'where to write the page')
    .option('--role <owner/role>', "add this role's audit trail")
    .option('--days <n>', `days of drift the chart shows (default ${DEFAULT_DRIFT_DAYS})`)
    .action(async (opts: unknown) => {
      const parsed = ReportOptionsSchema.safeParse(opts);
      if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'options'));
      ctx.done(await reportCommand(await ctx.connect(), ctx.out, parsed.data));
    });
}
