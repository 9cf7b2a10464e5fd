import type TableStore from 'tablestore';
import { ConcurrentModificationError } from '../../domain/errors.js';
import type { Clock, MessageClaim, ProcessedMessageLedger } from '../../ports.js';
import { callStore } from './errors.js';
import {
  attributesOf,
  ignoreExistence,
  long,
  longToNumber,
  mustHaveVersion,
  mustNotExist,
  rowExists,
  stringAttr,
} from './rows.js';

const Status = { InProgress: 'inProgress', Completed: 'completed' } as const;

/**
 * Processed intake messages: PK (messageKey); columns `status`, `outcome`, `leaseUntil` (ms), `version`.
 * Rows expire by the table's TTL. Claims are conditional writes, so two workers never both claim a key.
 */
export class TablestoreMessageLedger implements ProcessedMessageLedger {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async claim(messageKey: string, leaseMs: number): Promise<MessageClaim> {
    const primaryKey = [{ messageKey }];
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey, maxVersions: 1 }),
    );
    const now = this.clock.now().getTime();
    let expectedVersion: number | undefined;
    if (rowExists(res.row)) {
      const attrs = attributesOf(res.row);
      if (stringAttr(attrs.status) === Status.Completed) {
        return { status: 'completed', outcome: stringAttr(attrs.outcome) ?? '' };
      }
      const leaseUntil = longToNumber(attrs.leaseUntil);
      if (leaseUntil > now) return { status: 'inProgress', until: new Date(leaseUntil) };
      expectedVersion = longToNumber(attrs.version);
    }
    try {
      await callStore('PutRow', () =>
        this.client.putRow({
          tableName: this.table,
          primaryKey,
          condition: expectedVersion === undefined ? mustNotExist() : mustHaveVersion('version', expectedVersion),
          attributeColumns: [
            { status: Status.InProgress },
            { leaseUntil: long(now + leaseMs) },
            { version: long((expectedVersion ?? 0) + 1) },
          ],
        }),
      );
      return { status: 'claimed' };
    } catch (error) {
      if (error instanceof ConcurrentModificationError) return this.claim(messageKey, leaseMs);
      throw error;
    }
  }

  async complete(messageKey: string, outcome: string): Promise<void> {
    await callStore('UpdateRow', () =>
      this.client.updateRow({
        tableName: this.table,
        primaryKey: [{ messageKey }],
        condition: ignoreExistence(),
        updateOfAttributeColumns: [{ PUT: [{ status: Status.Completed }, { outcome }, { leaseUntil: long(0) }] }],
      }),
    );
  }

  async release(messageKey: string): Promise<void> {
    await callStore('DeleteRow', () =>
      this.client.deleteRow({ tableName: this.table, primaryKey: [{ messageKey }], condition: ignoreExistence() }),
    );
  }
}
