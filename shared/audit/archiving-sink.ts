import type { AuditEvent } from '../domain/audit.js';
import { affectsFindings } from '../domain/finding-record.js';
import type { AuditHistory, AuditSink, Clock, FindingLedger, PublishResult } from '../ports.js';

/** The code of a delivery whose events reached the bus but could not be kept in the history. */
export const ARCHIVE_FAILED = 'AuditArchiveFailed';

/** Where delivered events are kept. */
export interface AuditArchive {
  readonly history: AuditHistory;
  readonly findings: FindingLedger;
}

/**
 * A sink that keeps what the bus accepted: each delivered event goes into the history, and each delivered finding
 * or resolution into the findings' state, before the outbox may forget it. When keeping fails, the delivered events
 * are reported as not delivered (a call failure, code {@link ARCHIVE_FAILED}), so they stay in the outbox and the
 * next pass publishes and keeps them again: the bus may see them twice (consumers deduplicate by id), the history
 * never misses one.
 */
export function archivingSink(sink: AuditSink, archive: AuditArchive, clock: Pick<Clock, 'now'>): AuditSink {
  return {
    destination: sink.destination,
    async publish(events: readonly AuditEvent[]): Promise<PublishResult> {
      const result = await sink.publish(events);
      if (result.delivered.length === 0) return result;
      const delivered = new Set(result.delivered);
      const kept = events.filter((e) => delivered.has(e.id));
      try {
        await archive.history.keep(kept, clock.now());
        const findings = kept.filter(affectsFindings);
        if (findings.length > 0) await archive.findings.apply(findings);
        return result;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return {
          delivered: [],
          rejected: result.rejected,
          callFailure: {
            code: ARCHIVE_FAILED,
            message: `the bus accepted ${kept.length} event(s) but the audit history could not keep them: ${message}`,
            notDelivered: [...result.delivered, ...(result.callFailure?.notDelivered ?? [])],
          },
        };
      }
    },
  };
}
