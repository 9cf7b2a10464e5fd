import type TableStore from 'tablestore';
import type { Heartbeat, Heartbeats } from '../../ports.js';
import { callStore } from './errors.js';
import { attributesOf, ignoreExistence, long, longToNumber, rowExists, stringAttr } from './rows.js';

/**
 * The heartbeats table: PK `component` STRING; columns `succeededAt` (ms, Long), `correlationId`. One row per
 * component, overwritten by each successful run (the last write wins: runs do not overlap by design, and a lost
 * race only keeps the other run's time of the same minute).
 */
export class TablestoreHeartbeats implements Heartbeats {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async last(component: string): Promise<Heartbeat | undefined> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey: [{ component }], maxVersions: 1 }),
    );
    if (!rowExists(res.row)) return undefined;
    const attrs = attributesOf(res.row);
    return {
      component,
      succeededAt: new Date(longToNumber(attrs.succeededAt)),
      correlationId: stringAttr(attrs.correlationId) ?? '',
    };
  }

  async beat(component: string, at: Date, correlationId: string): Promise<void> {
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: [{ component }],
        condition: ignoreExistence(),
        attributeColumns: [{ succeededAt: long(at.getTime()) }, { correlationId }],
      }),
    );
  }
}
