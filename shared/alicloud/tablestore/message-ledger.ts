import type TableStore from 'tablestore';
import { ConcurrentModificationError } from '../../domain/errors.js';
import type { ClaimOptions, Clock, MessageClaim, MessageIdentity, ProcessedMessageLedger } from '../../ports.js';
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

/** The row key of a message: the JSON array `[keyId, messageId]`, which no two identities share. */
export function messageKeyOf(identity: MessageIdentity): string {
  return JSON.stringify([identity.keyId, identity.messageId]);
}

/**
 * The key the release before this one wrote, `<keyId>:<messageId>`, read so its rows keep deduplicating until
 * the TTL removes them. Only unambiguous when the key id holds no `:`; otherwise undefined (never read).
 */
export function legacyMessageKeyOf(identity: MessageIdentity): string | undefined {
  return identity.keyId.includes(':') ? undefined : `${identity.keyId}:${identity.messageId}`;
}

/**
 * Processed intake messages: PK (messageKey, see {@link messageKeyOf}); columns `status`, `outcome`,
 * `leaseUntil` (ms), `version`, `bodyHash`. Rows expire by the table's TTL. Claims are conditional writes, so
 * two workers never both claim a message. A released claim keeps its row (lease 0), so a redelivery after the
 * replay window still finds the message accepted and completes it.
 */
export class TablestoreMessageLedger implements ProcessedMessageLedger {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  private async read(messageKey: string): Promise<TableStore.Row | undefined> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey: [{ messageKey }], maxVersions: 1 }),
    );
    return rowExists(res.row) ? res.row : undefined;
  }

  async claim(identity: MessageIdentity, options: ClaimOptions): Promise<MessageClaim> {
    const messageKey = messageKeyOf(identity);
    const now = this.clock.now().getTime();
    const row = await this.read(messageKey);
    let expectedVersion: number | undefined;
    let resumed = false;
    if (row) {
      const attrs = attributesOf(row);
      const storedHash = stringAttr(attrs.bodyHash);
      if (storedHash !== undefined && storedHash !== options.bodyHash) return { status: 'bodyMismatch' };
      if (stringAttr(attrs.status) === Status.Completed) {
        return { status: 'completed', outcome: stringAttr(attrs.outcome) ?? '' };
      }
      const leaseUntil = longToNumber(attrs.leaseUntil);
      if (leaseUntil > now) return { status: 'inProgress', until: new Date(leaseUntil) };
      expectedVersion = longToNumber(attrs.version);
      resumed = true;
    } else {
      const legacyKey = legacyMessageKeyOf(identity);
      const legacy = legacyKey === undefined ? undefined : await this.read(legacyKey);
      if (legacy) {
        // A row of the previous release (no body hash): its outcome stands; an unfinished one is resumed.
        const attrs = attributesOf(legacy);
        if (stringAttr(attrs.status) === Status.Completed) {
          return { status: 'completed', outcome: stringAttr(attrs.outcome) ?? '' };
        }
        const leaseUntil = longToNumber(attrs.leaseUntil);
        if (leaseUntil > now) return { status: 'inProgress', until: new Date(leaseUntil) };
        resumed = true;
      } else if (!options.createIfAbsent) {
        return { status: 'absent' };
      }
    }
    try {
      await callStore('PutRow', () =>
        this.client.putRow({
          tableName: this.table,
          primaryKey: [{ messageKey }],
          condition: expectedVersion === undefined ? mustNotExist() : mustHaveVersion('version', expectedVersion),
          attributeColumns: [
            { status: Status.InProgress },
            { leaseUntil: long(now + options.leaseMs) },
            { version: long((expectedVersion ?? 0) + 1) },
            { bodyHash: options.bodyHash },
          ],
        }),
      );
      return { status: 'claimed', resumed };
    } catch (error) {
      if (error instanceof ConcurrentModificationError) return this.claim(identity, options);
      throw error;
    }
  }

  async complete(identity: MessageIdentity, outcome: string): Promise<void> {
    await callStore('UpdateRow', () =>
      this.client.updateRow({
        tableName: this.table,
        primaryKey: [{ messageKey: messageKeyOf(identity) }],
        condition: ignoreExistence(),
        updateOfAttributeColumns: [{ PUT: [{ status: Status.Completed }, { outcome }, { leaseUntil: long(0) }] }],
      }),
    );
  }

  async release(identity: MessageIdentity): Promise<void> {
    await callStore('UpdateRow', () =>
      this.client.updateRow({
        tableName: this.table,
        primaryKey: [{ messageKey: messageKeyOf(identity) }],
        condition: ignoreExistence(),
        updateOfAttributeColumns: [{ PUT: [{ leaseUntil: long(0) }] }],
      }),
    );
  }
}
