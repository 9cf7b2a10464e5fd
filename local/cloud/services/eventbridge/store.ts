/**
 * EventBridge state of the local cloud: the buses of each account and every event accepted onto them, kept in
 * arrival order so tests and the demo can read them back.
 */
import { z } from 'zod';
import type { CloudCore } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';

/** The module name, also the key of its state bag and options. */
export const EVENTBRIDGE_SERVICE = 'eventbridge';

/** The bus every account has. */
export const DEFAULT_EVENT_BUS = 'default';

/** One event accepted onto a bus, as the local cloud keeps it. */
export interface StoredEvent {
  readonly accountId: string;
  readonly bus: string;
  readonly eventId: string;
  readonly traceId: string;
  /** ISO time the local cloud accepted it. */
  readonly receivedAt: string;
  /** The CloudEvent exactly as the SDK serialised it (`data` parsed for JSON content types, else `data_base64`). */
  readonly event: Readonly<Record<string, unknown>>;
}

/** The in-memory EventBridge state (one per local cloud). */
export interface EventBridgeState {
  /** Bus names by account id (`default` is implicit and never stored). */
  readonly buses: Map<string, Set<string>>;
  readonly events: StoredEvent[];
}

/** The EventBridge state bag of this core, created empty on first use. */
export function eventBridgeState(core: CloudCore): EventBridgeState {
  return core.serviceState<EventBridgeState>(EVENTBRIDGE_SERVICE, () => ({ buses: new Map(), events: [] }));
}

/** True when `bus` exists in `accountId` (`default` always does). */
export function busExists(state: EventBridgeState, accountId: string, bus: string): boolean {
  return bus === DEFAULT_EVENT_BUS || (state.buses.get(accountId)?.has(bus) ?? false);
}

/** Create `bus` in `accountId` if it is not there yet. */
export function createBus(state: EventBridgeState, accountId: string, bus: string): void {
  if (bus === DEFAULT_EVENT_BUS) return;
  const names = state.buses.get(accountId) ?? new Set<string>();
  names.add(bus);
  state.buses.set(accountId, names);
}

/** Which events to read back; omitted fields match everything. */
export interface EventFilter {
  readonly accountId?: string;
  readonly bus?: string;
}

/** The events accepted onto matching buses, oldest first (for in-process tests and the admin route). */
export function readEventBridgeEvents(core: CloudCore, filter: EventFilter = {}): StoredEvent[] {
  return eventBridgeState(core).events.filter(
    (e) =>
      (filter.accountId === undefined || e.accountId === filter.accountId) &&
      (filter.bus === undefined || e.bus === filter.bus),
  );
}

/** Forget stored events matching the filter (buses stay). Returns how many were removed. */
export function clearEventBridgeEvents(core: CloudCore, filter: EventFilter = {}): number {
  const state = eventBridgeState(core);
  const keep = state.events.filter(
    (e) =>
      !(
        (filter.accountId === undefined || e.accountId === filter.accountId) &&
        (filter.bus === undefined || e.bus === filter.bus)
      ),
  );
  const removed = state.events.length - keep.length;
  state.events.splice(0, state.events.length, ...keep);
  return removed;
}

const StoredEventSchema = z.object({
  accountId: z.string(),
  bus: z.string(),
  eventId: z.string(),
  traceId: z.string(),
  receivedAt: z.string(),
  event: z.record(z.unknown()),
});

/** The JSON form of {@link EventBridgeState} written by `--state`. */
export const EventBridgeSnapshotSchema = z.object({
  buses: z.record(z.array(z.string())),
  events: z.array(StoredEventSchema),
});

/** A JSON-serialisable copy of the state. */
export type EventBridgeSnapshot = z.infer<typeof EventBridgeSnapshotSchema>;

/** Copy the state into its JSON form. */
export function snapshotEventBridge(state: EventBridgeState): EventBridgeSnapshot {
  return {
    buses: Object.fromEntries([...state.buses].map(([account, names]) => [account, [...names].sort()])),
    events: state.events.map((e) => ({ ...e, event: { ...e.event } })),
  };
}

/** Replace the state with a snapshot; throws {@link CloudSetupError} naming the bad field when it is malformed. */
export function restoreEventBridge(state: EventBridgeState, data: unknown): void {
  const parsed = EventBridgeSnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(
      `state file: eventbridge.${issue?.path.join('.') ?? ''} is invalid (${issue?.message ?? 'unknown'}); ` +
        'delete the state file or restore it from a run of the same local cloud version',
      { cause: parsed.error },
    );
  }
  const snapshot = parsed.data;
  state.buses.clear();
  for (const [account, names] of Object.entries(snapshot.buses)) state.buses.set(account, new Set(names));
  state.events.splice(0, state.events.length, ...snapshot.events);
}
