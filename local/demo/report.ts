import type { StoredEvent } from '../cloud/services/eventbridge/store.js';
import type { InvocationAnswer } from '../harness/deployment.js';
import type { OracleVerdict } from '../harness/dts-oracle.js';

/** Everything the demo saw, for the printed report. */
export interface DemoReport {
  intake: { file: string; answer: InvocationAnswer }[];
  oracle: { step: string; verdict: OracleVerdict; pass: boolean }[];
  edits: string[];
  reconcile: InvocationAnswer | undefined;
  /** The timer run after the Tencent console edit (the same function, reconciling CAM). */
  tencentReconcile?: InvocationAnswer;
  /** A console edit repaired by the drift-event function, before any timer run. */
  eventRepair?: { what: string; seconds: number; timerRuns: number; pass: boolean };
  events: readonly StoredEvent[];
}

interface MessageResultView {
  messageId: string;
  outcome: string;
  ticket?: string;
  codes?: string[];
  roles?: { role: { ownerAccountId: string; roleName: string }; outcome: string }[];
}

const bold = (s: string) => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[0m` : s);
const mark = (pass: boolean) => (pass ? 'ok  ' : 'FAIL');

/** What each sample must end as; the demo fails when it does not. */
const EXPECTED: Record<string, { outcome: string; code?: string }[]> = {
  'mns-tickets-batch.json': [{ outcome: 'declared' }, { outcome: 'declared' }, { outcome: 'declared' }],
  'mns-forged-signature.json': [{ outcome: 'rejected', code: 'TicketSignatureInvalid' }],
  'mns-replay.json': [{ outcome: 'rejected', code: 'TicketReplayed' }],
  'mns-malformed.json': [{ outcome: 'rejected', code: 'MalformedMessage' }],
  'revoke (fresh)': [{ outcome: 'revoked' }],
  'tencent declare': [{ outcome: 'declared' }],
  'tencent revoke': [{ outcome: 'revoked' }],
};

/** Print the report a person reads at a glance; returns true when every step behaved as expected. */
export function printReport(report: DemoReport): boolean {
  let ok = true;
  console.log(bold('\ndts-trust on the local cloud\n'));

  console.log(bold('Tickets (sent to the MNS queue, delivered to the intake by the ticket-queue trigger)'));
  for (const { file, answer } of report.intake) {
    const results = ((answer.body as { results?: MessageResultView[] })?.results ?? []) as MessageResultView[];
    const expected = EXPECTED[file] ?? [];
    const pass =
      answer.statusCode === 200 &&
      !answer.errorType &&
      results.length === expected.length &&
      expected.every((e, i) => results[i]?.outcome === e.outcome && (!e.code || results[i]?.codes?.includes(e.code)));
    ok &&= pass;
    console.log(`  ${mark(pass)} ${file}`);
    for (const r of results) {
      const roles = (r.roles ?? []).map((x) => `${x.role.roleName}@${x.role.ownerAccountId}: ${x.outcome}`).join(', ');
      const why = r.codes?.length ? ` (${r.codes.join(', ')})` : '';
      console.log(`       ${r.outcome}${why}${r.ticket ? ` ticket ${r.ticket}` : ''}${roles ? ` -> ${roles}` : ''}`);
    }
    if (answer.errorType) console.log(`       handler error: ${JSON.stringify(answer.body)}`);
  }

  if (report.eventRepair) {
    const r = report.eventRepair;
    console.log(bold('\nDrift repaired in seconds (ActionTrail RAM change -> EventBridge -> drift-event)'));
    console.log(
      `  ${mark(r.pass)} ${r.what}: repaired ${r.seconds.toFixed(1)} s after the edit, ${r.timerRuns} timer runs before`,
    );
  }
  console.log(bold('\nChanges made in the console behind dts-trust'));
  for (const e of report.edits) console.log(`  - ${e}`);

  console.log(bold('\nDrift reconciler'));
  const run = report.reconcile?.body as
    | {
        roles?: number;
        outcomes?: Record<string, number>;
        failedAccounts?: unknown[];
        apiCalls?: Record<string, number>;
        durationMs?: number;
      }
    | undefined;
  const repaired = run?.outcomes?.repaired ?? 0;
  const created = run?.outcomes?.created ?? 0;
  const reconcilePass = report.reconcile?.statusCode === 200 && !report.reconcile.errorType && repaired + created >= 3;
  ok &&= reconcilePass;
  console.log(`  ${mark(reconcilePass)} ${run?.roles ?? 0} managed roles: ${JSON.stringify(run?.outcomes ?? {})}`);
  console.log(`       API calls ${JSON.stringify(run?.apiCalls ?? {})}, ${run?.durationMs ?? 0} ms`);
  if (report.reconcile?.errorType) console.log(`       handler error: ${JSON.stringify(report.reconcile.body)}`);
  if (report.tencentReconcile) {
    const tencent = report.tencentReconcile.body as { outcomes?: Record<string, number> } | undefined;
    const tencentPass =
      report.tencentReconcile.statusCode === 200 &&
      !report.tencentReconcile.errorType &&
      (tencent?.outcomes?.repaired ?? 0) >= 1;
    ok &&= tencentPass;
    console.log(`  ${mark(tencentPass)} after the Tencent console edit: ${JSON.stringify(tencent?.outcomes ?? {})}`);
  }

  console.log(
    bold('\nDTS oracle (ConfigureDtsJob across accounts; tencent: the console’s cross-account instance listing)'),
  );
  for (const o of report.oracle) {
    ok &&= o.pass;
    const verdict = o.verdict.accepted ? 'accepted' : `refused ${o.verdict.code}`;
    console.log(`  ${mark(o.pass)} ${o.step}: ${verdict}`);
  }

  console.log(bold('\nAudit events on the bus'));
  const byType = new Map<string, number>();
  for (const e of report.events) {
    const type = String(e.event.type);
    byType.set(type, (byType.get(type) ?? 0) + 1);
  }
  for (const [type, n] of [...byType.entries()].sort()) console.log(`  ${String(n).padStart(4)}  ${type}`);
  const repairs = report.events
    .filter((e) => e.event.type === 'dts-trust.role.repaired')
    .map((e) => {
      const data = e.event.data as { diff?: { upToDate?: boolean; summary?: string }; detail?: { applied?: string[] } };
      const trust = data.diff && data.diff.upToDate === false ? `trust: ${data.diff.summary}` : undefined;
      const applied = data.detail?.applied?.join('; ');
      return `${String(e.event.subject)}: ${applied ?? trust ?? 'repaired'}`;
    });
  if (repairs.length > 0) {
    console.log(bold('\nDrift found and repaired'));
    for (const r of repairs) console.log(`  - ${r}`);
  }
  console.log(`\n${ok ? 'Everything behaved as declared.' : 'Something did not behave as declared (see FAIL above).'}`);
  return ok;
}
