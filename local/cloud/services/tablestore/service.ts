/**
 * The local Tablestore, wire-compatible with the `tablestore` npm SDK: `POST /<Operation>` with a protobuf body
 * (rows in PlainBuffer), signed with `x-ots-signature`; answers protobuf bodies with `x-ots-requestid` and
 * `x-ots-contentmd5`, and errors as protobuf `Error{code, message}` with the service's HTTP status.
 *
 * Behaviour chosen for the local cloud:
 * - Instances are keyed by (signer's account, `x-ots-instancename`) and exist on first use.
 * - Permission is `ots:<Operation>` on `acs:ots:<region>:<account>:instance/<name>/table/<table>` (ListTable: on
 *   `acs:ots:<region>:<account>:instance/<name>`); the region comes from the options (default cn-hangzhou).
 * - `x-ots-date` is not checked against the clock (tests move the clock to expire TTLs).
 * - A table just created answers row operations with `OTSTableNotReady` for `tableLoadSeconds` (default
 *   {@link DEFAULT_TABLE_LOAD_SECONDS}), as the real service does while a new table loads.
 * - Responses carry no response signature (the Node SDK does not check one).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';
import { tablestoreAdmin } from './admin.js';
import { batchGetRow, batchWriteRow } from './batch-ops.js';
import { OtsError, OtsErrorStatus, OtsMessage } from './errors.js';
import type { Operation } from './operation.js';
import { encodeMessage } from './protocol.js';
import { deleteRow, getRange, getRow, putRow, updateRow } from './row-ops.js';
import { contentMd5, headerValue, verifyTablestoreSignature } from './signature.js';
import { restoreTablestore, snapshotTablestore } from './snapshot.js';
import { instanceOf, TABLESTORE_SERVICE, tablestoreState } from './store.js';
import { createTable, deleteTable, describeTable, listTable, updateTable } from './table-ops.js';

/** The operations the local Tablestore serves, by the path the SDK posts to. */
export const TABLESTORE_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateTable: createTable,
  ListTable: listTable,
  DescribeTable: describeTable,
  UpdateTable: updateTable,
  DeleteTable: deleteTable,
  GetRow: getRow,
  PutRow: putRow,
  UpdateRow: updateRow,
  DeleteRow: deleteRow,
  GetRange: getRange,
  BatchGetRow: batchGetRow,
  BatchWriteRow: batchWriteRow,
};

/** How long a new local table loads unless configured: long enough to be seen, short enough for local runs. */
export const DEFAULT_TABLE_LOAD_SECONDS = 1;

/** Options of the Tablestore module (`startLocalCloud({ services: { tablestore: {...} } })`). */
export const TablestoreOptionsSchema = z
  .object({
    /** Region used in the resource ARNs permissions are checked on. */
    region: z.string().min(1).default('cn-hangzhou'),
    /**
     * Seconds a table just created answers row operations with `OTSTableNotReady` (the service documents "in most
     * cases one minute"). The local default is shorter so local runs stay quick; 0 makes tables ready at once.
     */
    tableLoadSeconds: z.number().nonnegative().default(DEFAULT_TABLE_LOAD_SECONDS),
  })
  .strict();

/** What a caller may give as Tablestore options. */
export type TablestoreOptions = z.input<typeof TablestoreOptionsSchema>;

function options(core: CloudCore): z.output<typeof TablestoreOptionsSchema> {
  const parsed = TablestoreOptionsSchema.safeParse(core.serviceOptions<unknown>(TABLESTORE_SERVICE) ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CloudSetupError(
    `services.tablestore.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; ` +
      'see TablestoreOptionsSchema for the accepted fields',
  );
}

const REQUIRED_HEADERS = [
  'x-ots-apiversion',
  'x-ots-instancename',
  'x-ots-accesskeyid',
  'x-ots-date',
  'x-ots-contentmd5',
  'x-ots-signature',
] as const;

function operationName(call: CloudCall): string {
  return call.url.pathname.replace(/^\/+/, '');
}

function reply(status: number, body: Buffer, requestId: string): CloudReply {
  return {
    status,
    headers: {
      'content-type': 'application/x-protobuf',
      'x-ots-requestid': requestId,
      'x-ots-contentmd5': contentMd5(body),
      'x-ots-contenttype': 'protocol buffer',
      'x-ots-date': new Date().toISOString(),
    },
    body,
  };
}

/** A Tablestore error reply: protobuf `Error{code, message}` with the code's HTTP status. */
export function tablestoreErrorReply(code: string, message: string, status: number): CloudReply {
  return reply(status, encodeMessage('main.proto.Error', { code, message }), randomUUID());
}

function errorReply(error: OtsError): CloudReply {
  return tablestoreErrorReply(error.code, error.message, error.status);
}

/** Authenticate the caller: a known key, a matching (unexpired) security token, the signature, the body MD5. */
function authenticate(call: CloudCall, core: CloudCore): Principal {
  for (const name of REQUIRED_HEADERS) {
    if (!headerValue(call.headers, name)) throw new OtsError('OTSParameterInvalid', `Missing header: '${name}'.`);
  }
  const accessKeyId = headerValue(call.headers, 'x-ots-accesskeyid')!;
  const principal = core.resolveAccessKey(accessKeyId);
  if (!principal) throw new OtsError('OTSAuthFailed', OtsMessage.accessKeyNotExist);
  if (principal.securityToken !== undefined) {
    if (headerValue(call.headers, 'x-ots-ststoken') !== principal.securityToken) {
      throw new OtsError('OTSAuthFailed', 'The security token you provided is invalid.');
    }
    if (principal.expiration && principal.expiration.getTime() <= core.now().getTime()) {
      throw new OtsError('OTSAuthFailed', 'The security token you provided has expired.');
    }
  }
  const signature = headerValue(call.headers, 'x-ots-signature')!;
  if (!verifyTablestoreSignature(call.url.pathname, call.method, call.headers, principal.accessKeySecret, signature)) {
    throw new OtsError('OTSAuthFailed', OtsMessage.signatureMismatch);
  }
  if (headerValue(call.headers, 'x-ots-contentmd5') !== contentMd5(call.body)) {
    throw new OtsError('OTSAuthFailed', OtsMessage.md5Mismatch);
  }
  return principal;
}

function authorize(
  core: CloudCore,
  region: string,
  principal: Principal,
  op: string,
  instance: string,
  tables: readonly string[],
) {
  const base = `acs:ots:${region}:${principal.accountId}:instance/${instance}`;
  const resources = tables.length === 0 ? [base] : tables.map((t) => `${base}/table/${t}`);
  for (const resource of resources) {
    if (!core.isAllowed(principal, `ots:${op}`, resource)) {
      throw new OtsError('OTSNoPermissionAccess', OtsMessage.noPermission);
    }
  }
}

/**
 * The Tablestore error for an injected fault: OTS codes pass through; a 500 is `OTSInternalServerError`; any other
 * 5xx and throttling (`Throttling.*`) are `OTSServerBusy` (503), as Tablestore reports overload.
 */
function faultError(fault: { status: number; code: string; message: string }): { code: string; status: number } {
  if (fault.code in OtsErrorStatus) return { code: fault.code, status: fault.status };
  if (fault.status === 500) return { code: 'OTSInternalServerError', status: 500 };
  return { code: 'OTSServerBusy', status: OtsErrorStatus.OTSServerBusy };
}

/** The Tablestore service module of the local cloud. */
export const tablestoreService: ServiceModule = {
  name: TABLESTORE_SERVICE,

  accepts(call) {
    return call.headers['x-ots-apiversion'] !== undefined || call.headers['x-ots-accesskeyid'] !== undefined;
  },

  identify(call, core): CallIdentity {
    const accessKeyId = headerValue(call.headers, 'x-ots-accesskeyid');
    const principal = accessKeyId ? core.resolveAccessKey(accessKeyId) : undefined;
    return {
      service: TABLESTORE_SERVICE,
      action: operationName(call),
      ...(principal ? { accountId: principal.accountId } : {}),
      ...(accessKeyId ? { accessKeyId } : {}),
    };
  },

  async handle(call, core) {
    try {
      if (call.method !== 'POST') throw new OtsError('OTSMethodNotAllowed', OtsMessage.onlyPost);
      const op = operationName(call);
      const operation = Object.hasOwn(TABLESTORE_OPERATIONS, op) ? TABLESTORE_OPERATIONS[op] : undefined;
      if (!operation) throw new OtsError('OTSUnsupportOperation', `Unsupported operation: '${op}'.`);
      const principal = authenticate(call, core);
      const prepared = operation(call.body);
      const instanceName = headerValue(call.headers, 'x-ots-instancename')!;
      const settings = options(core);
      authorize(core, settings.region, principal, op, instanceName, prepared.tables);
      const instance = instanceOf(tablestoreState(core), principal.accountId, instanceName);
      const body = prepared.run(instance, core.now().getTime(), { tableLoadMs: settings.tableLoadSeconds * 1000 });
      return reply(200, body, randomUUID());
    } catch (error) {
      if (error instanceof OtsError) return errorReply(error);
      const message = error instanceof Error ? error.message : String(error);
      return tablestoreErrorReply('OTSInternalServerError', `Internal server error: ${message}`, 500);
    }
  },

  faultReply(fault) {
    const { code, status } = faultError(fault);
    return tablestoreErrorReply(code, fault.message, status);
  },

  admin: tablestoreAdmin,

  snapshot(core) {
    return snapshotTablestore(tablestoreState(core));
  },

  restore(core, data) {
    restoreTablestore(tablestoreState(core), data);
  },
};
