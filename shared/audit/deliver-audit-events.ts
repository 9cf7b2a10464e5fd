import { randomUUID } from 'node:crypto';
import { type AuditEvent, deterministicEventId } from '../domain/audit.js';
import { findingIdOf, isFindingEvent, newFindingEvent } from '../domain/finding.js';
import { createLogger } from '../logger.js';
import type { AuditOutbox, AuditSink, CallFailure, Clock, Logger, OutboxEntry, RejectedEntry } from '../ports.js';

/** Defaults of a delivery pass. */
export const AUDIT_DELIVERY_DEFAULTS = {
  /** Outbox rows read and published per step. */
  pageSize: 160,
  /** Rows one pass looks at, at most. */
  maxEvents: 10_000,
  /** Passes an event may be refused with a code that might pass before it is set aside. */
  maxAttempts: 5,
  /** A call-level failure while an event has waited this long raises a finding (besides the error log line). */
  alarmAfterMs: 15 * 60 * 1000,
} as const;

/** Settings of one delivery pass. */
export interface AuditDeliveryOptions {
  readonly pageSize?: number;
  readonly maxEvents?: number;
  readonly maxAttempts?: number;
  readonly alarmAfterMs?: number;
  readonly clock?: Pick<Clock, 'now'>;
  /** Where alarms go (error level); JSON lines on stdout when absent. */
  readonly logger?: Logger;
  /** Ties the findings of this pass to the run that delivers; a fresh id when absent. */
  readonly correlationId?: string;
}

/** What one delivery pass did. */
export interface AuditDeliveryReport {
  readonly delivered: number;
  /** Events the pass saw and left in the outbox (refused this time, or not tried after a call failed). */
  readonly pending: number;
  /** Events moved to the dead-letter records. */
  readonly setAside: number;
  /** Codes of the refusals and of the call failure. */
  readonly failureCodes: readonly string[];
  /** Set when PutEvents failed as a whole; the pass stopped there. */
  readonly callFailure?: { readonly code: string; readonly message: string };
}

/**
 * Deliver what the outbox holds to the bus and forget what the bus accepted. The pass walks the outbox once, so
 * an event that fails cannot hold back the ones after it:
 * - an entry the bus refuses for good (size, format), or refuses `maxAttempts` times with any other code, is set
 *   aside (a dead-letter record and a `dts-trust.finding.audit-event-set-aside` event) and delivery goes on;
 * - a row that cannot be read as an event is set aside the same way (`audit-record-corrupt`);
 * - a failure of the whole call (no permission, missing bus, throttling, outage) ends the pass: nothing is set
 *   aside, everything waits for the next run, an error line is logged, and a finding is recorded when an event
 *   has waited longer than `alarmAfterMs`.
 */
export async function deliverAuditEvents(
  outbox: AuditOutbox,
  sink: AuditSink,
  options: AuditDeliveryOptions = {},
): Promise<AuditDeliveryReport> {
  const pass = new DeliveryPass(outbox, sink, options);
  await pass.run();
  return pass.report();
}

class DeliveryPass {
  readonly #outbox: AuditOutbox;
  readonly #sink: AuditSink;
  readonly #pageSize: number;
  readonly #maxEvents: number;
  readonly #maxAttempts: number;
  readonly #alarmAfterMs: number;
  readonly #now: () => Date;
  readonly #logger: Logger;
  readonly #correlationId: string;
  readonly #deliveredIds = new Set<string>();
  #pending = 0;
  #setAside = 0;
  readonly #codes = new Set<string>();
  #callFailure: CallFailure | undefined;
  /** Findings recorded in this pass, published once more at its end so operators hear at once. */
  readonly #findings: AuditEvent[] = [];

  constructor(outbox: AuditOutbox, sink: AuditSink, options: AuditDeliveryOptions) {
    this.#outbox = outbox;
    this.#sink = sink;
    this.#pageSize = options.pageSize ?? AUDIT_DELIVERY_DEFAULTS.pageSize;
    this.#maxEvents = options.maxEvents ?? AUDIT_DELIVERY_DEFAULTS.maxEvents;
    this.#maxAttempts = options.maxAttempts ?? AUDIT_DELIVERY_DEFAULTS.maxAttempts;
    this.#alarmAfterMs = options.alarmAfterMs ?? AUDIT_DELIVERY_DEFAULTS.alarmAfterMs;
    const clock = options.clock;
    this.#now = clock ? () => clock.now() : () => new Date();
    this.#logger = options.logger ?? createLogger({ fields: { component: 'audit-delivery' } });
    this.#correlationId = options.correlationId ?? randomUUID();
  }

  async run(): Promise<void> {
    let seen = 0;
    for await (const page of this.#outbox.entries(this.#pageSize)) {
      seen += page.length;
      await this.#deliverPage(page);
      if (this.#callFailure || seen >= this.#maxEvents) break;
    }
    if (!this.#callFailure && this.#findings.length > 0) await this.#publishFindings();
  }

  report(): AuditDeliveryReport {
    return {
      delivered: this.#deliveredIds.size,
      pending: this.#pending,
      setAside: this.#setAside,
      failureCodes: [...this.#codes],
      ...(this.#callFailure
        ? { callFailure: { code: this.#callFailure.code, message: this.#callFailure.message } }
        : {}),
    };
  }

  async #deliverPage(page: readonly OutboxEntry[]): Promise<void> {
    for (const entry of page.filter((e) => !e.event)) {
      await this.#setAsideEntry(entry, { code: 'CorruptRecord', message: entry.corrupt ?? 'unreadable row' });
    }
    const entries = page.filter((e) => e.event);
    if (entries.length === 0) return;
    const result = await this.#sink.publish(entries.map((e) => e.event!));
    await this.#forget(result.delivered);
    const byId = new Map(entries.map((e) => [e.eventId, e]));
    const counted: { eventId: string; code: string; attempts: number }[] = [];
    for (const rejection of result.rejected) {
      const entry = byId.get(rejection.id);
      if (!entry) continue;
      this.#codes.add(rejection.code);
      const attempts = entry.attempts + 1;
      if (rejection.permanent || attempts >= this.#maxAttempts) {
        await this.#setAsideEntry({ ...entry, attempts }, rejection);
      } else {
        counted.push({ eventId: entry.eventId, code: rejection.code, attempts });
        this.#logger.warn('audit event refused by the bus; it stays in the outbox', {
          eventId: entry.eventId,
          code: rejection.code,
          attempts,
          maxAttempts: this.#maxAttempts,
        });
      }
    }
    if (counted.length > 0) await this.#outbox.recordFailedAttempts(counted, this.#now());
    this.#pending += counted.length;
    if (result.callFailure) await this.#callFailed(result.callFailure, entries);
  }

  /** Move one entry to the dead-letter records and record a finding about it. */
  async #setAsideEntry(entry: OutboxEntry, reason: Pick<RejectedEntry, 'code' | 'message'>): Promise<void> {
    const at = this.#now();
    await this.#outbox.setAside(entry, { code: reason.code, message: reason.message }, at);
    this.#setAside += 1;
    this.#codes.add(reason.code);
    this.#logger.error('audit event set aside: the bus will not take it', {
      eventId: entry.eventId,
      type: entry.event?.type,
      code: reason.code,
      message: reason.message,
      attempts: entry.attempts,
    });
    // A finding about a finding that was set aside would only be set aside in turn: the log line is the alarm.
    if (entry.event && isFindingEvent(entry.event)) return;
    const corrupt = !entry.event;
    const kind = corrupt ? 'audit-record-corrupt' : 'audit-event-set-aside';
    const subject = `dts-trust:audit-event/${entry.eventId}`;
    const finding = newFindingEvent({
      // Racing workers setting aside the same row write one event; a replayed event set aside again is another.
      id: deterministicEventId(
        findingIdOf(kind, subject, reason.code),
        String(entry.recordedAt),
        String(entry.attempts),
      ),
      kind,
      subject,
      about: reason.code,
      time: at,
      correlationId: this.#correlationId,
      summary: corrupt
        ? 'An audit outbox row could not be read as an event; it was set aside in the dead-letter table.'
        : `The event bus refused an audit event (${reason.code}); it was set aside in the dead-letter table.`,
      evidence: {
        eventId: entry.eventId,
        ...(entry.event ? { eventType: entry.event.type, eventSubject: entry.event.subject } : {}),
        code: reason.code,
        message: reason.message,
        attempts: entry.attempts,
        recordedAt: new Date(entry.recordedAt).toISOString(),
        bus: this.#sink.destination,
      },
    });
    await this.#outbox.record(finding);
    this.#findings.push(finding);
  }

  /** A failure of the whole call: log it at error level, and record a finding when events have waited long. */
  async #callFailed(failure: CallFailure, entries: readonly OutboxEntry[]): Promise<void> {
    this.#callFailure = failure;
    this.#codes.add(failure.code);
    this.#pending += failure.notDelivered.length;
    const now = this.#now();
    const oldest = Math.min(...entries.map((e) => e.recordedAt));
    const waitedMs = Math.max(0, now.getTime() - oldest);
    this.#logger.error('audit delivery failed: PutEvents refused the call; events wait in the outbox', {
      bus: this.#sink.destination,
      code: failure.code,
      message: failure.message,
      notDelivered: failure.notDelivered.length,
      oldestWaitingMs: waitedMs,
    });
    if (waitedMs < this.#alarmAfterMs) return;
    const subject = `dts-trust:event-bus/${this.#sink.destination}`;
    const findingId = findingIdOf('audit-delivery-failing', subject, failure.code);
    // One finding event per hour while the failure lasts (every pass in that hour writes the same row).
    const hour = now.toISOString().slice(0, 13);
    await this.#outbox.record(
      newFindingEvent({
        id: deterministicEventId(findingId, hour),
        kind: 'audit-delivery-failing',
        subject,
        about: failure.code,
        time: now,
        correlationId: this.#correlationId,
        summary: `PutEvents to ${this.#sink.destination} keeps failing (${failure.code}); audit events wait in the outbox.`,
        evidence: {
          bus: this.#sink.destination,
          code: failure.code,
          message: failure.message,
          oldestWaitingMs: waitedMs,
          notDeliveredInThisPass: failure.notDelivered.length,
        },
      }),
    );
  }

  /** Publish the findings of this pass now, so operators do not wait for the next run. */
  async #publishFindings(): Promise<void> {
    const waiting = this.#findings.filter((f) => !this.#deliveredIds.has(f.id));
    if (waiting.length === 0) return;
    await this.#forget((await this.#sink.publish(waiting)).delivered);
  }

  async #forget(delivered: readonly string[]): Promise<void> {
    if (delivered.length === 0) return;
    await this.#outbox.remove(delivered);
    for (const id of delivered) this.#deliveredIds.add(id);
  }
}
