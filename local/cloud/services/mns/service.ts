/**
 * The MNS (Simple Message Queue) queue API as `@alicloud/mns` 1.2.0 speaks it: XML over HTTP under `/queues`,
 * headers `x-mns-version: 2015-06-06` and `x-mns-date`, signed `Authorization: MNS <AccessKeyId>:<Signature>` with
 * HMAC-SHA1 over `VERB\nContent-MD5\nContent-Type\nDate\n<x-mns-* headers>\n<path?query>` (base64).
 *
 * Served: CreateQueue, DeleteQueue, ListQueue, GetQueueAttributes, SetQueueAttributes, SendMessage,
 * BatchSendMessage, ReceiveMessage / BatchReceiveMessage (long polling with `waitseconds`), PeekMessage /
 * BatchPeekMessage, DeleteMessage, BatchDeleteMessage, ChangeMessageVisibility. Errors are MNS error XML
 * `<Error><Code/><Message/><RequestId/><HostId/></Error>` with the documented codes and statuses.
 *
 * Choices where the documentation is silent:
 * - The queue's account is the one in the host name (`<uid>.mns.<region>.aliyuncs.com`) when the request names
 *   one, else the signer's: on loopback the SDK is given `endpoint: http://127.0.0.1:<port>`. Another account's
 *   queue is refused with AccessDenied.
 * - Content-MD5 is checked when present, as base64 of the hex digest (what the SDK sends) or of the raw digest.
 * - A BatchSendMessage whose bodies exceed 64 KB together is refused whole (InvalidArgument); a single body over
 *   the queue's MaximumMessageSize fails its own entry (`ErrorCode` in its `<Message>`), the others are sent, and
 *   the reply is 500 with every entry, which the SDK returns without throwing.
 * - A request whose Date is more than 15 minutes from the core's clock is refused with TimeExpired (408);
 *   `maxClockSkewSeconds` changes that.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ACCOUNT_ID } from '../../account-id.js';
import { headerValue } from '../../auth/encoding.js';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../../contract.js';
import { CloudSetupError, LocalCloudError } from '../../errors.js';
import {
  boundedInteger,
  changeVisibility,
  checkOutgoing,
  createQueue,
  deleteMessage,
  deleteQueue,
  findQueue,
  listQueues,
  MessageLimits,
  MNS_SERVICE,
  MnsErrorCode,
  mergeAttributes,
  mnsState,
  nextArrival,
  type OutgoingMessage,
  outOfRange,
  peekMessages,
  queueCounts,
  receiveMessages,
  restoreMns,
  type StoredMessage,
  type StoredQueue,
  sendMessage,
  snapshotMns,
} from './store.js';
import { childText, MalformedXmlError, parseXml, writeXml, type XmlElement, type XmlFields } from './xml.js';

/** The API version every request names in `x-mns-version`. */
export const MNS_API_VERSION = '2015-06-06';

/** Options of the MNS module (`startLocalCloud({ services: { mns: {...} } })`). */
export const MnsOptionsSchema = z
  .object({
    /** Region used in resource ARNs and host ids. */
    region: z.string().min(1).default('cn-hangzhou'),
    /**
     * Longest a request's Date may be from the core's clock (MNS: 15 minutes); 0 turns the check off, for tests
     * that move a fake clock by hours while the SDK dates its requests with the real one.
     */
    maxClockSkewSeconds: z.number().int().min(0).default(900),
    /** Queues that exist from the start: `{ accountId, name, attributes? }`. */
    queues: z
      .array(
        z
          .object({
            accountId: z.string().regex(ACCOUNT_ID, 'a 16-digit account ID'),
            name: z.string().min(1),
            attributes: z.record(z.union([z.string(), z.number(), z.boolean()])).default({}),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** What a caller may give as MNS options. */
export type MnsOptions = z.input<typeof MnsOptionsSchema>;

/** The validated MNS options of a core; creates the configured queues on first use. */
export function mnsOptions(core: CloudCore): z.output<typeof MnsOptionsSchema> {
  const parsed = MnsOptionsSchema.safeParse(core.serviceOptions<unknown>(MNS_SERVICE) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(
      `services.mns.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; give { region?, queues?: [{ accountId, name, attributes? }] }`,
      { cause: parsed.error },
    );
  }
  const state = mnsState(core) as ReturnType<typeof mnsState> & { configured?: boolean };
  if (!state.configured) {
    state.configured = true;
    for (const q of parsed.data.queues) {
      const attributes = Object.fromEntries(Object.entries(q.attributes).map(([k, v]) => [k, String(v)]));
      if (!state.queues.has(`${q.accountId}/${q.name}`))
        createQueue(state, q.accountId, q.name, attributes, core.now());
    }
  }
  return parsed.data;
}

type Action =
  | 'CreateQueue'
  | 'DeleteQueue'
  | 'ListQueue'
  | 'GetQueueAttributes'
  | 'SetQueueAttributes'
  | 'SendMessage'
  | 'BatchSendMessage'
  | 'ReceiveMessage'
  | 'BatchReceiveMessage'
  | 'PeekMessage'
  | 'BatchPeekMessage'
  | 'DeleteMessage'
  | 'BatchDeleteMessage'
  | 'ChangeMessageVisibility';

interface Route {
  readonly action: Action;
  readonly queue?: string | undefined;
}

/** Query parameters by lower-cased name (MNS reads them case-insensitively). */
function query(call: CloudCall): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of call.url.searchParams) out.set(k.toLowerCase(), v);
  return out;
}

function route(call: CloudCall): Route | undefined {
  const parts = call.url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'queues' || parts.length > 3) return undefined;
  const q = query(call);
  const queue = parts[1] === undefined ? undefined : decodeURIComponent(parts[1]);
  if (parts.length === 1) return call.method === 'GET' ? { action: 'ListQueue' } : undefined;
  if (parts.length === 2) {
    switch (call.method) {
      case 'PUT':
        return { action: q.get('metaoverride') === 'true' ? 'SetQueueAttributes' : 'CreateQueue', queue };
      case 'GET':
        return { action: 'GetQueueAttributes', queue };
      case 'DELETE':
        return { action: 'DeleteQueue', queue };
      default:
        return undefined;
    }
  }
  if (parts[2] !== 'messages') return undefined;
  switch (call.method) {
    case 'POST':
      return { action: /<Messages[\s>]/.test(call.body.toString('utf8')) ? 'BatchSendMessage' : 'SendMessage', queue };
    case 'GET': {
      const batch = q.has('numofmessages');
      if (q.get('peekonly') === 'true') return { action: batch ? 'BatchPeekMessage' : 'PeekMessage', queue };
      return { action: batch ? 'BatchReceiveMessage' : 'ReceiveMessage', queue };
    }
    case 'DELETE':
      return { action: q.has('receipthandle') ? 'DeleteMessage' : 'BatchDeleteMessage', queue };
    case 'PUT':
      return { action: 'ChangeMessageVisibility', queue };
    default:
      return undefined;
  }
}

function requestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

function hostId(call: CloudCall): string {
  return `http://${headerValue(call, 'host') ?? 'mns.local-cloud'}`;
}

function baseHeaders(id: string): Record<string, string> {
  return { 'content-type': 'text/xml;charset=utf-8', 'x-mns-request-id': id, 'x-mns-version': MNS_API_VERSION };
}

/** An MNS error reply. */
function errorReply(status: number, code: string, message: string, call: CloudCall): CloudReply {
  const id = requestId();
  return {
    status,
    headers: baseHeaders(id),
    body: writeXml('Error', [
      ['Code', code],
      ['Message', message],
      ['RequestId', id],
      ['HostId', hostId(call)],
    ]),
  };
}

function xmlReply(status: number, root: string, fields: XmlFields): CloudReply {
  return { status, headers: baseHeaders(requestId()), body: writeXml(root, fields) };
}

function emptyReply(status: number, extra: Record<string, string> = {}): CloudReply {
  const headers = baseHeaders(requestId());
  delete headers['content-type'];
  return { status, headers: { ...headers, ...extra }, body: '' };
}

const AUTHORIZATION = /^MNS ([^:\s]+):(\S+)$/;

function fail(status: number, code: string, message: string): never {
  throw new LocalCloudError(status, code, message);
}

/** The string the SDK signs (see the module comment). */
export function mnsStringToSign(call: CloudCall): string {
  const mnsHeaders = Object.keys(call.headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-mns-'))
    .sort()
    .map((k) => `${k}:${headerValue(call, k) ?? ''}\n`)
    .join('');
  return [
    call.method,
    headerValue(call, 'content-md5') ?? '',
    headerValue(call, 'content-type') ?? '',
    headerValue(call, 'date') ?? '',
    `${mnsHeaders}${call.url.pathname}${call.url.search}`,
  ].join('\n');
}

function authenticate(call: CloudCall, core: CloudCore): Principal {
  const authorization = headerValue(call, 'authorization');
  if (!authorization) fail(400, MnsErrorCode.MissingAuthorizationHeader, 'Authorization header is required.');
  const match = AUTHORIZATION.exec(authorization);
  if (!match) fail(400, MnsErrorCode.InvalidAuthorizationHeader, 'The Authorization header format is invalid.');
  const date = headerValue(call, 'date');
  if (!date) fail(400, MnsErrorCode.MissingDateHeader, 'Date header is required.');
  const sent = Date.parse(date);
  if (Number.isNaN(sent)) fail(400, 'InvalidDateHeader', 'The Date header format is invalid.');
  const skew = mnsOptions(core).maxClockSkewSeconds;
  if (skew > 0 && Math.abs(core.now().getTime() - sent) > skew * 1000) {
    fail(408, MnsErrorCode.TimeExpired, 'The http request you sent is expired.');
  }
  const principal = core.resolveAccessKey(match[1]!);
  if (!principal) fail(403, MnsErrorCode.InvalidAccessKeyId, 'The AccessKey Id you provided is not exist.');
  if (principal.securityToken !== undefined) {
    const expired = principal.expiration !== undefined && principal.expiration.getTime() <= core.now().getTime();
    if (expired || headerValue(call, 'security-token') !== principal.securityToken) {
      fail(403, MnsErrorCode.SecurityTokenInvalid, 'The security token you provided is invalid or expired.');
    }
  }
  const expected = createHmac('sha1', principal.accessKeySecret).update(mnsStringToSign(call), 'utf8').digest();
  const given = Buffer.from(match[2]!, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    fail(
      403,
      MnsErrorCode.SignatureDoesNotMatch,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  const md5 = headerValue(call, 'content-md5');
  if (md5 !== undefined && call.body.length > 0) {
    const digest = createHash('md5').update(call.body);
    const raw = digest.copy().digest('base64');
    const ofHex = Buffer.from(digest.digest('hex'), 'utf8').toString('base64');
    if (md5 !== raw && md5 !== ofHex)
      fail(400, MnsErrorCode.InvalidDegist, 'The Content-MD5 you specified is invalid.');
  }
  return principal;
}

/** The account a request's host names (`<uid>.mns[-internal].<region>...`), if any. */
function hostAccount(call: CloudCall): string | undefined {
  return /^(\d{16})\.mns[.-]/.exec(headerValue(call, 'host') ?? '')?.[1];
}

function authorize(core: CloudCore, principal: Principal, call: CloudCall, r: Route): string {
  const accountId = hostAccount(call) ?? principal.accountId;
  const region = mnsOptions(core).region;
  const path = r.queue === undefined ? '/queues' : `/queues/${r.queue}${/Message/.test(r.action) ? '/messages' : ''}`;
  const resource = `acs:mns:${region}:${accountId}:${path}`;
  if (accountId !== principal.accountId || !core.isAllowed(principal, `mns:${r.action}`, resource)) {
    fail(
      403,
      MnsErrorCode.AccessDenied,
      `The OwnerId that your Access Key Id associated to is forbidden for this operation (mns:${r.action} on ${resource}).`,
    );
  }
  return accountId;
}

function parseBody(call: CloudCall, root: string): XmlElement {
  let doc: XmlElement;
  try {
    doc = parseXml(call.body.toString('utf8'));
  } catch (error) {
    if (error instanceof MalformedXmlError) {
      fail(400, MnsErrorCode.MalformedXML, `The XML you provided was not well-formed: ${error.message}.`);
    }
    throw error;
  }
  if (doc.name !== root)
    fail(400, MnsErrorCode.InvalidArgument, `The XML root element must be <${root}>, not <${doc.name}>.`);
  return doc;
}

function outgoing(element: XmlElement): OutgoingMessage {
  const body = childText(element, 'MessageBody');
  if (body === undefined) fail(400, MnsErrorCode.InvalidArgument, 'The MessageBody element is required.');
  const delay = childText(element, 'DelaySeconds');
  const priority = childText(element, 'Priority');
  return {
    body,
    ...(delay !== undefined
      ? { delaySeconds: boundedInteger('DelaySeconds', delay, { min: 0, max: 604_800 }, 'seconds') }
      : {}),
    ...(priority !== undefined ? { priority: boundedInteger('Priority', priority, MessageLimits.priority) } : {}),
  };
}

function receivedFields(m: StoredMessage): XmlFields {
  return [
    ['MessageId', m.id],
    ['ReceiptHandle', m.receiptHandle],
    ['MessageBodyMD5', m.md5],
    ['MessageBody', m.body],
    ['EnqueueTime', m.enqueueTime],
    ['NextVisibleTime', m.visibleAt],
    ['FirstDequeueTime', m.firstDequeueTime],
    ['DequeueCount', m.dequeueCount],
    ['Priority', m.priority],
  ];
}

function peekedFields(m: StoredMessage): XmlFields {
  return [
    ['MessageId', m.id],
    ['MessageBodyMD5', m.md5],
    ['MessageBody', m.body],
    ['EnqueueTime', m.enqueueTime],
    ['FirstDequeueTime', m.firstDequeueTime],
    ['DequeueCount', m.dequeueCount],
    ['Priority', m.priority],
  ];
}

/** Receive with long polling: wait up to `waitSeconds` of the core's time for a message to arrive. */
async function receiveWaiting(core: CloudCore, queue: StoredQueue, max: number, waitSeconds: number) {
  const deadline = core.now().getTime() + waitSeconds * 1000;
  for (;;) {
    const got = receiveMessages(queue, max, core.now());
    const left = deadline - core.now().getTime();
    if (got.length > 0 || left <= 0) return got;
    const nextVisible = Math.min(
      ...[...queue.messages.values()].map((m) => m.visibleAt - core.now().getTime()).filter((ms) => ms > 0),
    );
    const arrival = nextArrival(queue);
    await Promise.race([arrival.arrived, core.sleep(Math.max(1, Math.min(left, nextVisible)))]);
    arrival.cancel();
  }
}

function waitSecondsOf(q: Map<string, string>, queue: StoredQueue): number {
  const raw = q.get('waitseconds');
  return raw === undefined
    ? queue.attributes.PollingWaitSeconds
    : boundedInteger('waitseconds', raw, MessageLimits.waitSeconds, 'seconds');
}

function numberOf(q: Map<string, string>): number {
  return boundedInteger('numOfMessages', q.get('numofmessages') ?? '', { min: 1, max: MessageLimits.batch });
}

function queueAttributesGiven(call: CloudCall): Record<string, string> {
  if (call.body.length === 0) return {};
  const doc = parseBody(call, 'Queue');
  return Object.fromEntries(doc.children.map((c) => [c.name, c.text]));
}

async function act(call: CloudCall, core: CloudCore, r: Route, accountId: string): Promise<CloudReply> {
  const state = mnsState(core);
  const now = core.now();
  const q = query(call);
  if (r.action === 'ListQueue') {
    const limit = boundedInteger('x-mns-ret-number', headerValue(call, 'x-mns-ret-number') ?? '1000', {
      min: 1,
      max: 1000,
    });
    const prefix = headerValue(call, 'x-mns-prefix');
    const marker = headerValue(call, 'x-mns-marker');
    const page = listQueues(state, accountId, {
      limit,
      ...(prefix && prefix !== 'undefined' ? { prefix } : {}),
      ...(marker ? { marker } : {}),
    });
    const base = hostId(call);
    return xmlReply(200, 'Queues', [
      ...page.queues.map((queue) => ['Queue', [['QueueURL', `${base}/queues/${queue.name}`]]] as const),
      ['NextMarker', page.nextMarker],
    ]);
  }
  const name = r.queue as string;
  switch (r.action) {
    case 'CreateQueue': {
      const outcome = createQueue(state, accountId, name, queueAttributesGiven(call), now);
      return emptyReply(outcome === 'created' ? 201 : 204, { location: `${hostId(call)}/queues/${name}` });
    }
    case 'SetQueueAttributes': {
      const queue = findQueue(state, accountId, name);
      queue.attributes = mergeAttributes(queue.attributes, queueAttributesGiven(call));
      queue.lastModifyTime = now.getTime();
      return emptyReply(204);
    }
    case 'GetQueueAttributes': {
      const queue = findQueue(state, accountId, name);
      const counts = queueCounts(queue, now);
      const a = queue.attributes;
      return xmlReply(200, 'Queue', [
        ['QueueName', queue.name],
        ['CreateTime', Math.floor(queue.createTime / 1000)],
        ['LastModifyTime', Math.floor(queue.lastModifyTime / 1000)],
        ['DelaySeconds', a.DelaySeconds],
        ['MaximumMessageSize', a.MaximumMessageSize],
        ['MessageRetentionPeriod', a.MessageRetentionPeriod],
        ['VisibilityTimeout', a.VisibilityTimeout],
        ['PollingWaitSeconds', a.PollingWaitSeconds],
        ['ActiveMessages', counts.active],
        ['InactiveMessages', counts.inactive],
        ['DelayMessages', counts.delayed],
        ['LoggingEnabled', a.LoggingEnabled ? 'True' : 'False'],
      ]);
    }
    case 'DeleteQueue':
      deleteQueue(state, accountId, name);
      return emptyReply(204);
    case 'SendMessage': {
      const queue = findQueue(state, accountId, name);
      const m = sendMessage(state, queue, outgoing(parseBody(call, 'Message')), now);
      return xmlReply(201, 'Message', [
        ['MessageId', m.id],
        ['MessageBodyMD5', m.md5],
      ]);
    }
    case 'BatchSendMessage': {
      const queue = findQueue(state, accountId, name);
      const items = parseBody(call, 'Messages').children.filter((c) => c.name === 'Message');
      if (items.length < 1 || items.length > MessageLimits.batch)
        throw outOfRange('Messages', 1, MessageLimits.batch, '');
      const messages = items.map(outgoing);
      const total = messages.reduce((n, m) => n + Buffer.byteLength(m.body, 'utf8'), 0);
      if (total > MessageLimits.batchBytes) throw outOfRange('MessageBody', 1, MessageLimits.batchBytes, 'bytes');
      let failed = 0;
      const entries = messages.map((m) => {
        try {
          checkOutgoing(queue, m);
        } catch (error) {
          failed += 1;
          const e = error as LocalCloudError;
          return [
            'Message',
            [
              ['ErrorCode', e.code],
              ['ErrorMessage', e.message],
            ],
          ] as const;
        }
        const stored = sendMessage(state, queue, m, now);
        return [
          'Message',
          [
            ['MessageId', stored.id],
            ['MessageBodyMD5', stored.md5],
          ],
        ] as const;
      });
      return xmlReply(failed > 0 ? 500 : 201, 'Messages', entries);
    }
    case 'ReceiveMessage':
    case 'BatchReceiveMessage': {
      const queue = findQueue(state, accountId, name);
      const max = r.action === 'ReceiveMessage' ? 1 : numberOf(q);
      const got = await receiveWaiting(core, queue, max, waitSecondsOf(q, queue));
      if (got.length === 0) fail(404, MnsErrorCode.MessageNotExist, 'Message not exist.');
      if (r.action === 'ReceiveMessage') return xmlReply(200, 'Message', receivedFields(got[0]!));
      return xmlReply(
        200,
        'Messages',
        got.map((m) => ['Message', receivedFields(m)] as const),
      );
    }
    case 'PeekMessage':
    case 'BatchPeekMessage': {
      const queue = findQueue(state, accountId, name);
      const got = peekMessages(queue, r.action === 'PeekMessage' ? 1 : numberOf(q), now);
      if (got.length === 0) fail(404, MnsErrorCode.MessageNotExist, 'Message not exist.');
      if (r.action === 'PeekMessage') return xmlReply(200, 'Message', peekedFields(got[0]!));
      return xmlReply(
        200,
        'Messages',
        got.map((m) => ['Message', peekedFields(m)] as const),
      );
    }
    case 'DeleteMessage': {
      const queue = findQueue(state, accountId, name);
      const handle = q.get('receipthandle');
      if (!handle) fail(400, MnsErrorCode.MissingReceiptHandle, 'ReceiptHandle is required.');
      deleteMessage(queue, handle, now);
      return emptyReply(204);
    }
    case 'BatchDeleteMessage': {
      const queue = findQueue(state, accountId, name);
      const handles = parseBody(call, 'ReceiptHandles').children.filter((c) => c.name === 'ReceiptHandle');
      if (handles.length < 1 || handles.length > MessageLimits.batch) {
        throw outOfRange('ReceiptHandles', 1, MessageLimits.batch, '');
      }
      const errors: XmlFields[number][] = [];
      for (const h of handles) {
        try {
          deleteMessage(queue, h.text, now);
        } catch (error) {
          const e = error as LocalCloudError;
          errors.push([
            'Error',
            [
              ['ErrorCode', e.code],
              ['ErrorMessage', e.message],
              ['ReceiptHandle', h.text],
            ],
          ]);
        }
      }
      return errors.length > 0 ? xmlReply(404, 'Errors', errors) : emptyReply(204);
    }
    case 'ChangeMessageVisibility': {
      const queue = findQueue(state, accountId, name);
      const handle = q.get('receipthandle');
      if (!handle) fail(400, MnsErrorCode.MissingReceiptHandle, 'ReceiptHandle is required.');
      const raw = q.get('visibilitytimeout');
      if (raw === undefined) fail(400, MnsErrorCode.MissingVisibilityTimeout, 'VisibilityTimeout is required.');
      const seconds = boundedInteger('VisibilityTimeout', raw, MessageLimits.visibilityTimeout, 'seconds');
      const changed = changeVisibility(queue, handle, seconds, now);
      return xmlReply(200, 'ChangeVisibility', [
        ['ReceiptHandle', changed.receiptHandle],
        ['NextVisibleTime', changed.nextVisibleTime],
      ]);
    }
  }
  return fail(400, MnsErrorCode.InvalidRequestURL, 'Http request URL format invalid.');
}

async function handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  try {
    const r = route(call);
    if (!r) {
      fail(
        400,
        MnsErrorCode.InvalidRequestURL,
        `Http request URL format invalid (the local cloud serves the queue API only: ${call.method} ${call.url.pathname}).`,
      );
    }
    const principal = authenticate(call, core);
    const accountId = authorize(core, principal, call, r);
    return await act(call, core, r, accountId);
  } catch (error) {
    if (error instanceof LocalCloudError) return errorReply(error.status, error.code, error.message, call);
    throw error;
  }
}

/** The MNS queue API emulation. */
export const mnsService: ServiceModule = {
  name: MNS_SERVICE,

  accepts(call: CloudCall): boolean {
    const auth = headerValue(call, 'authorization') ?? '';
    return (
      (headerValue(call, 'x-mns-version') !== undefined || auth.startsWith('MNS ')) &&
      /^\/(queues|topics)(\/|$)/.test(call.url.pathname)
    );
  },

  identify(call: CloudCall, core: CloudCore): CallIdentity {
    const accessKeyId = AUTHORIZATION.exec(headerValue(call, 'authorization') ?? '')?.[1];
    const accountId = hostAccount(call) ?? (accessKeyId ? core.resolveAccessKey(accessKeyId)?.accountId : undefined);
    return {
      service: MNS_SERVICE,
      action: route(call)?.action ?? '',
      ...(accountId ? { accountId } : {}),
      ...(accessKeyId ? { accessKeyId } : {}),
    };
  },

  handle,

  faultReply(fault, call): CloudReply {
    return errorReply(fault.status, fault.code, fault.message, call);
  },

  snapshot: snapshotMns,
  restore: restoreMns,
};
