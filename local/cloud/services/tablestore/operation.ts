/**
 * The shape every Tablestore operation of the local service takes: decode the request first (so the caller can
 * authorize on the tables it names), then run it against an instance and encode the response.
 */
import { tableNotFound } from './errors.js';
import type { InstanceState, TableState } from './store.js';

/** A decoded request, ready to run. */
export interface PreparedCall {
  /** Tables the request acts on (empty for instance-level operations such as ListTable). */
  readonly tables: readonly string[];
  /** Run against the caller's instance at `nowMs`; returns the protobuf response body. */
  run(instance: InstanceState, nowMs: number): Buffer;
}

/** One operation: decodes its request body. */
export type Operation = (body: Buffer) => PreparedCall;

/** The named table of an instance, or `OTSObjectNotExist`. */
export function requireTable(instance: InstanceState, name: string): TableState {
  const table = instance.tables.get(name);
  if (!table) throw tableNotFound();
  return table;
}
