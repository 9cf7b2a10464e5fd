import type TableStore from 'tablestore';
import type { RoleKey } from '../../domain/grant.js';
import type { RoleStatus, StatusStore } from '../../ports.js';
import { callStore } from './errors.js';
import { attributesOf, long, longToNumber, mustHaveVersion, mustNotExist, rowExists, stringAttr } from './rows.js';

function statusKey(role: RoleKey): TableStore.PrimaryKeyInput {
  return [{ ownerUid: role.ownerAccountId }, { roleName: role.roleName }];
}

/** The role status table: PK (ownerUid, roleName); columns `status` (JSON) and `version` (Long). */
export class TablestoreStatusStore implements StatusStore {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async getStatus(role: RoleKey): Promise<RoleStatus | undefined> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey: statusKey(role), maxVersions: 1 }),
    );
    if (!rowExists(res.row)) return undefined;
    const attrs = attributesOf(res.row);
    const status = JSON.parse(stringAttr(attrs.status) ?? '{}') as RoleStatus;
    return {
      ...status,
      ownerAccountId: role.ownerAccountId,
      roleName: role.roleName,
      version: longToNumber(attrs.version),
    };
  }

  async putStatus(status: RoleStatus, expectedVersion: number): Promise<RoleStatus> {
    const stored: RoleStatus = { ...status, version: expectedVersion + 1 };
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: statusKey(status),
        condition: expectedVersion === 0 ? mustNotExist() : mustHaveVersion('version', expectedVersion),
        attributeColumns: [
          { status: JSON.stringify(stored) },
          { version: long(stored.version) },
          { lastResult: stored.lastResult },
        ],
      }),
    );
    return stored;
  }
}
