/**
 * The shape every Tablestore operation of the local service takes: decode the request first (so the caller can
 * authorize on the tables it names), then run it against an instance and encode the response.
 */
import { tableNotFound, tableNotReady } from './errors.js';
import type { InstanceState, TableState } from './store.js';

/** A decoded request, ready to run. */
export interface PreparedCall {
  /** Tables the request acts on (empty for instance-level operations such as ListTable). */
  readonly tables: readonly string[];
  /** Run against the caller's instance at `nowMs`; returns the protobuf response body. */
  run(instance: InstanceState, nowMs: number, settings: OperationSettings): Buffer;
}

/** Service settings an operation may need (from the module's options). */
export interface OperationSettings {
  /** How long a new table answers row operations with `OTSTableNotReady` (ms). */
  readonly tableLoadMs: number;
}

/** One operation: decodes its request body. */
export type Operation = (body: Buffer) => PreparedCall;

/** The named table of an instance, or `OTSObjectNotExist`. */
export function requireTable(instance: InstanceState, name: string): TableState {
  const table = instance.tables.get(name);
  if (!table) throw tableNotFound();
  return table;
}

/** The named table, ready for row operations at `nowMs`: `OTSObjectNotExist`, or `OTSTableNotReady` while it loads. */
export function requireReadyTable(instance: InstanceState, name: string, nowMs: number): TableState {
  const table = requireTable(instance, name);
  if (!isLoaded(table, nowMs)) throw tableNotReady();
  return table;
}

/** True once a table has finished loading (tables without a load time, e.g. restored ones, are loaded). */
export function isLoaded(table: TableState, nowMs: number): boolean {
  return table.readyAt === undefined || nowMs >= table.readyAt;
}
