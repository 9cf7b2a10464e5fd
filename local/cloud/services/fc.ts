/**
 * Function Compute 3.0 InvokeFunction as `@alicloud/fc20230330` sends it:
 * `POST /2023-03-30/functions/<name>/invocations[?qualifier=..]`, ACS3-HMAC-SHA256 signed, raw body.
 *
 * - Synchronous: 200 with the handler's result (Buffer as is, string as text, anything else as JSON) and
 *   `x-fc-request-id`; a handler that throws gives 200 with `x-fc-error-type: UnhandledInvocationError` and
 *   `{errorMessage, errorType, stackTrace}`, as FC does. `x-fc-log-type: Tail` adds `x-fc-log-result` (base64 of
 *   the last 4 KB of `context.logger` output).
 * - `x-fc-invocation-type: Async`: 202 at once; the handler runs afterwards (no automatic retries); a repeated
 *   `x-fc-async-task-id` is refused with 409. {@link drainFcInvocations} or `POST /__admin/fc/drain` waits for them.
 * - Errors are FC 3.0 JSON `{Code, Message, RequestId}`: FunctionNotFound 404, SignatureNotMatch /
 *   InvalidAccessKeyID / AccessDenied 403, EntityTooLarge 400 (32 MB sync, 128 KB async).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { parseAcs3Authorization, verifyAcs3Signature } from '../auth/acs3.js';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../contract.js';
import { buildFcContext, FcRoleError, functionCredentials } from './fc-context.js';
import {
  drainFcInvocations,
  FC_SERVICE,
  type FcFunction,
  type FcInvocationRecord,
  fcInvocations,
  fcOptions,
  fcState,
  findFcFunction,
  registerFcFunction,
} from './fc-functions.js';

/** The error codes the local FC answers with. */
export const FcErrorCode = {
  FunctionNotFound: 'FunctionNotFound',
  SignatureNotMatch: 'SignatureNotMatch',
  InvalidAccessKeyID: 'InvalidAccessKeyID',
  InvalidSecurityToken: 'InvalidSecurityToken',
  AccessDenied: 'AccessDenied',
  EntityTooLarge: 'EntityTooLarge',
  InvalidArgument: 'InvalidArgument',
  AsyncTaskAlreadyExists: 'AsyncTaskAlreadyExists',
  PathNotSupported: 'PathNotSupported',
} as const;

/** Payload limits of InvokeFunction, in bytes. */
export const FC_PAYLOAD_LIMITS = { Sync: 32 * 1024 * 1024, Async: 128 * 1024 } as const;

/** The error type header of a handler that threw. */
export const UNHANDLED_INVOCATION_ERROR = 'UnhandledInvocationError';

const INVOKE_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const LOG_TAIL_BYTES = 4096;

function requestId(): string {
  return `1-${Date.now().toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

function headerValue(call: CloudCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorReply(status: number, code: string, message: string, id: string = requestId()): CloudReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-fc-request-id': id },
    body: JSON.stringify({ Code: code, Message: message, RequestId: id }),
  };
}

function functionNameOf(call: CloudCall): string | undefined {
  const match = INVOKE_PATH.exec(call.url.pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!;
  }
}

function authenticate(call: CloudCall, core: CloudCore, id: string): Principal | CloudReply {
  const auth = parseAcs3Authorization(headerValue(call, 'authorization'));
  if (!auth)
    return errorReply(403, FcErrorCode.SignatureNotMatch, 'the Authorization header is missing or malformed', id);
  const principal = core.resolveAccessKey(auth.accessKeyId);
  if (!principal) {
    return errorReply(403, FcErrorCode.InvalidAccessKeyID, `invalid access key ID '${auth.accessKeyId}'`, id);
  }
  if (principal.securityToken !== undefined) {
    const expired = principal.expiration !== undefined && principal.expiration.getTime() <= core.now().getTime();
    if (expired || headerValue(call, 'x-acs-security-token') !== principal.securityToken) {
      return errorReply(403, FcErrorCode.InvalidSecurityToken, 'the security token is invalid or expired', id);
    }
  }
  if (verifyAcs3Signature(call, auth, principal.accessKeySecret) !== undefined) {
    return errorReply(
      403,
      FcErrorCode.SignatureNotMatch,
      'The request signature we calculated does not match the signature you provided. Check your access key and signing method',
      id,
    );
  }
  return principal;
}

function isReply(value: Principal | CloudReply): value is CloudReply {
  return 'status' in value;
}

/** The HTTP body and content type FC sends for a handler's return value. */
function encodeResult(result: unknown): { body: Buffer; contentType: string } {
  if (Buffer.isBuffer(result)) return { body: result, contentType: 'application/octet-stream' };
  if (result instanceof Uint8Array) return { body: Buffer.from(result), contentType: 'application/octet-stream' };
  if (result === undefined || result === null) return { body: Buffer.alloc(0), contentType: 'text/plain' };
  if (typeof result === 'string') return { body: Buffer.from(result, 'utf8'), contentType: 'text/plain' };
  return { body: Buffer.from(JSON.stringify(result), 'utf8'), contentType: 'application/json' };
}

/** The body FC's Node.js runtime answers for an unhandled error. */
function errorBody(error: unknown): { errorMessage: string; errorType: string; stackTrace: string[] } {
  if (error instanceof Error) {
    return {
      errorMessage: error.message,
      errorType: error.name,
      stackTrace: (error.stack ?? '')
        .split('\n')
        .slice(1)
        .map((l) => l.trim()),
    };
  }
  return { errorMessage: String(error), errorType: typeof error, stackTrace: [] };
}

/** Run the handler, recording outcome and logs; never throws. */
async function runHandler(
  fn: FcFunction,
  event: Buffer,
  context: Parameters<FcFunction['handler']>[1],
  record: FcInvocationRecord,
  core: CloudCore,
): Promise<{ ok: true; result: unknown } | { ok: false; error: unknown }> {
  try {
    const result = await fn.handler(event, context);
    record.status = 'succeeded';
    return { ok: true, result };
  } catch (error) {
    const body = errorBody(error);
    record.status = 'failed';
    record.error = `${body.errorType}: ${body.errorMessage}`;
    return { ok: false, error };
  } finally {
    record.finishedAt = core.now().toISOString();
  }
}

async function invoke(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  const id = requestId();
  const name = functionNameOf(call);
  if (name === undefined || call.method !== 'POST') {
    return errorReply(
      400,
      FcErrorCode.PathNotSupported,
      `'${call.method}' against '${call.url.pathname}' is not supported`,
      id,
    );
  }
  const principal = authenticate(call, core, id);
  if (isReply(principal)) return principal;

  const opts = fcOptions(core);
  const fn = findFcFunction(core, name);
  const accountId = fn?.accountId ?? principal.accountId;
  if (!fn || accountId !== principal.accountId) {
    return errorReply(404, FcErrorCode.FunctionNotFound, `function '${name}' does not exist`, id);
  }
  const resource = `acs:fc:${opts.region}:${accountId}:functions/${name}`;
  if (!core.isAllowed(principal, 'fc:InvokeFunction', resource)) {
    return errorReply(
      403,
      FcErrorCode.AccessDenied,
      `${principal.arn} is not authorized to perform fc:InvokeFunction on ${resource}`,
      id,
    );
  }
  const invocationType = headerValue(call, 'x-fc-invocation-type')?.toLowerCase() === 'async' ? 'Async' : 'Sync';
  if (call.body.length > FC_PAYLOAD_LIMITS[invocationType]) {
    return errorReply(
      400,
      FcErrorCode.EntityTooLarge,
      `payload size exceeds maximum allowed size (${FC_PAYLOAD_LIMITS[invocationType]} bytes)`,
      id,
    );
  }
  const state = fcState(core);
  const taskId = invocationType === 'Async' ? headerValue(call, 'x-fc-async-task-id') : undefined;
  const taskKey = taskId === undefined ? undefined : `${accountId}/${name}/${taskId}`;
  if (taskKey !== undefined && state.taskIds.has(taskKey)) {
    return errorReply(409, FcErrorCode.AsyncTaskAlreadyExists, `async task '${taskId}' already exists`, id);
  }

  let credentials: ReturnType<typeof functionCredentials>;
  try {
    credentials = functionCredentials(core, fn, accountId, principal, id);
  } catch (error) {
    if (error instanceof FcRoleError) return errorReply(400, FcErrorCode.InvalidArgument, error.message, id);
    throw error;
  }
  const record: FcInvocationRecord = {
    requestId: id,
    functionName: name,
    accountId,
    invocationType,
    ...(taskId !== undefined ? { taskId } : {}),
    startedAt: core.now().toISOString(),
    status: 'running',
    logs: [],
  };
  state.invocations.push(record);
  const context = buildFcContext({
    requestId: id,
    functionName: name,
    fn,
    accountId,
    region: opts.region,
    qualifier: call.url.searchParams.get('qualifier') ?? 'LATEST',
    credentials,
    logLines: record.logs,
  });
  const event = Buffer.from(call.body);

  if (invocationType === 'Async') {
    if (taskKey !== undefined) state.taskIds.add(taskKey);
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => runHandler(fn, event, context, record, core))
      .then(() => undefined)
      .finally(() => state.inFlight.delete(id));
    state.inFlight.set(id, done);
    return { status: 202, headers: { 'x-fc-request-id': id, 'content-type': 'text/plain' }, body: '' };
  }

  const outcome = await runHandler(fn, event, context, record, core);
  const headers: Record<string, string> = { 'x-fc-request-id': id };
  if (headerValue(call, 'x-fc-log-type')?.toLowerCase() === 'tail') {
    const logs = Buffer.from(record.logs.map((l) => `${l}\n`).join(''), 'utf8');
    headers['x-fc-log-result'] = logs.subarray(Math.max(0, logs.length - LOG_TAIL_BYTES)).toString('base64');
  }
  if (!outcome.ok) {
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'application/json', 'x-fc-error-type': UNHANDLED_INVOCATION_ERROR },
      body: JSON.stringify(errorBody(outcome.error)),
    };
  }
  const { body, contentType } = encodeResult(outcome.result);
  return { status: 200, headers: { ...headers, 'content-type': contentType }, body };
}

const AdminFunctionBody = z
  .object({
    name: z.string().min(1),
    /** Path or file URL of an ES module exporting the handler. */
    module: z.string().min(1),
    export: z.string().min(1).default('handler'),
    env: z.record(z.string()).optional(),
    role: z.string().min(1).optional(),
    accountId: z.string().min(1).optional(),
    handlerName: z.string().min(1).optional(),
  })
  .strict();

function adminJson(status: number, body: unknown): CloudReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function registerFromModule(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  let raw: unknown;
  try {
    raw = JSON.parse(call.body.toString('utf8'));
  } catch {
    raw = undefined;
  }
  const body = AdminFunctionBody.safeParse(raw);
  if (!body.success) {
    return adminJson(400, {
      error: 'body must be {"name", "module" (path of an ES module), "export"?, "env"?, "role"?, "accountId"?}',
      issues: body.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    });
  }
  const { name, module, export: exportName, ...rest } = body.data;
  const href = /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href;
  let handler: unknown;
  try {
    handler = ((await import(href)) as Record<string, unknown>)[exportName];
  } catch (error) {
    return adminJson(400, { error: `module ${module} could not be loaded: ${String(error)}` });
  }
  if (typeof handler !== 'function') {
    return adminJson(400, { error: `module ${module} has no function export named ${exportName}` });
  }
  registerFcFunction(core, name, { handler: handler as FcFunction['handler'], ...rest });
  return adminJson(200, { name });
}

async function admin(call: CloudCall, subpath: string, core: CloudCore): Promise<CloudReply | undefined> {
  if (subpath === 'functions' && call.method === 'POST') return registerFromModule(call, core);
  if (subpath === 'functions' && call.method === 'GET') {
    const names = new Set([...Object.keys(fcOptions(core).functions), ...fcState(core).functions.keys()]);
    return adminJson(200, {
      functions: [...names].sort().map((name) => {
        const fn = findFcFunction(core, name)!;
        return { name, handler: fn.handlerName, role: fn.role, accountId: fn.accountId, env: Object.keys(fn.env) };
      }),
    });
  }
  if (subpath === 'invocations' && call.method === 'GET') {
    return adminJson(200, { inFlight: [...fcState(core).inFlight.keys()], invocations: fcInvocations(core) });
  }
  if (subpath === 'drain' && call.method === 'POST')
    return adminJson(200, { invocations: await drainFcInvocations(core) });
  return undefined;
}

/** The Function Compute 3.0 InvokeFunction emulation. */
export const fcService: ServiceModule = {
  name: FC_SERVICE,

  accepts(call: CloudCall): boolean {
    return call.url.pathname.startsWith('/2023-03-30/functions/');
  },

  identify(call: CloudCall, core: CloudCore): CallIdentity {
    const auth = parseAcs3Authorization(headerValue(call, 'authorization'));
    const accountId = auth ? core.resolveAccessKey(auth.accessKeyId)?.accountId : undefined;
    return {
      service: FC_SERVICE,
      action: 'InvokeFunction',
      ...(accountId ? { accountId } : {}),
      ...(auth ? { accessKeyId: auth.accessKeyId } : {}),
    };
  },

  handle: invoke,

  faultReply(fault: { status: number; code: string; message: string }): CloudReply {
    return errorReply(fault.status, fault.code, fault.message);
  },

  admin,
};
