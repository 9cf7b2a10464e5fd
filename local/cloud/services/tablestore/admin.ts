/**
 * Read-only admin views of the local Tablestore, for tests and the demo:
 * - `GET /__admin/tablestore/tables[?account=<id>]`: every table with its schema, options and row count;
 * - `GET /__admin/tablestore/rows?account=<id>&instance=<name>&table=<name>[&limit=<n>]`: rows in key order, each
 *   column's latest version as JSON (Int64 as a decimal string, binary as base64), expired cells included.
 */
import type { CloudCall, CloudCore, CloudReply } from '../../contract.js';
import { tablestoreState } from './store.js';
import { cellValueToJson } from './values.js';

const DEFAULT_ROW_LIMIT = 1000;

function json(status: number, body: unknown): CloudReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Answer an admin request of the Tablestore module; undefined for an unknown subpath. */
export async function tablestoreAdmin(
  call: CloudCall,
  subpath: string,
  core: CloudCore,
): Promise<CloudReply | undefined> {
  if (call.method !== 'GET') return undefined;
  const params = call.url.searchParams;
  const account = params.get('account');
  const instances = [...tablestoreState(core).instances.values()].filter((i) => !account || i.accountId === account);
  if (subpath === 'tables') {
    return json(200, {
      tables: instances.flatMap((i) =>
        [...i.tables.values()].map((t) => ({
          accountId: i.accountId,
          instance: i.name,
          table: t.name,
          primaryKey: t.primaryKey.map((k) => ({ name: k.name, type: k.type })),
          timeToLive: t.timeToLive,
          maxVersions: t.maxVersions,
          rows: t.rows.length,
        })),
      ),
    });
  }
  if (subpath === 'rows') {
    const instance = instances.find((i) => i.name === params.get('instance'));
    const table = instance?.tables.get(params.get('table') ?? '');
    if (!account || !table) {
      return json(404, {
        error: 'give account, instance and table of an existing table (see /__admin/tablestore/tables)',
      });
    }
    const limit = Number(params.get('limit') ?? DEFAULT_ROW_LIMIT);
    const rows = table.rows.slice(0, Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_ROW_LIMIT).map((r) => ({
      primaryKey: Object.fromEntries(table.primaryKey.map((k, i) => [k.name, cellValueToJson(r.pk[i]!)])),
      columns: Object.fromEntries(
        [...r.columns].flatMap(([name, versions]) =>
          versions[0] ? [[name, { ...cellValueToJson(versions[0].value), ts: versions[0].ts }]] : [],
        ),
      ),
    }));
    return json(200, { total: table.rows.length, rows });
  }
  return undefined;
}
