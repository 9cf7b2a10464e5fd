/**
 * Function Compute 3.0 InvokeFunction as `@alicloud/fc20230330` sends it:
 * `POST /2023-03-30/functions/<name>/invocations[?qualifier=..]`, ACS3-HMAC-SHA256 signed, raw body.
 *
 * - Synchronous: 200 with the handler's result (Buffer as is, string as text, anything else as JSON) and
 *   `x-fc-request-id`; a handler that throws gives 200 with `x-fc-error-type: UnhandledInvocationError` and
 *   `{errorMessage, errorType, stackTrace}`, as FC does. `x-fc-log-type: Tail` adds `x-fc-log-result` (base64 of
 *   the last 4 KB of `context.logger` output).
 * - `x-fc-invocation-type: Async`: 202 at once; the handler runs afterwards. A failed run is re-run up to
 *   `asyncInvokeConfig.maxAsyncRetryAttempts` times (N+1 runs in all, one record each), then the invocation's
 *   record goes to the `onFailure` destination (an EventBridge bus). `x-fc-async-task-id` needs `asyncTask: true`
 *   and FC's id rule (400 otherwise); a repeated id is refused with 409 (400 with `duplicateTaskStatus: 400`, as
 *   an older FC page documents). GetAsyncTask (`GET .../async-tasks/<taskId>`) reports a task's status. {@link drainFcInvocations} or
 *   `POST /__admin/fc/drain` waits for them all, retries included.
 * - Functions are in-process handlers, or code packages (`codeDir`) run in node processes of their own as FC's
 *   nodejs20 runtime does (instances.ts). `POST /__admin/fc/crash {name, count}` makes the next runs crash.
 * - Errors are FC 3.0 JSON `{Code, Message, RequestId}`: FunctionNotFound 404, SignatureNotMatch /
 *   InvalidAccessKeyID / AccessDenied 403, EntityTooLarge 400 (32 MB sync, 128 KB async).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { parseAcs3Authorization, verifyAcs3Signature } from '../../auth/acs3.js';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../../contract.js';
import {
  buildFcContext,
  type FcContextInput,
  FcRoleError,
  functionCredentials,
  ROLE_CREDENTIAL_SECONDS,
} from './context.js';
import { deliverToDestination } from './destinations.js';
import {
  crashNextInvocations,
  drainFcInvocations,
  FC_SERVICE,
  type FcFunction,
  type FcFunctionConfig,
  type FcInvocationRecord,
  fcInstancePool,
  fcInvocations,
  fcOptions,
  fcState,
  findFcFunction,
  registerFcFunction,
  stopFcInstances,
  takeCrash,
} from './functions.js';
import type { FcErrorBody } from './instances.js';

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
  AsyncTaskNotFound: 'AsyncTaskNotFound',
  PathNotSupported: 'PathNotSupported',
} as const;

/** Payload limits of InvokeFunction, in bytes. */
export const FC_PAYLOAD_LIMITS = { Sync: 32 * 1024 * 1024, Async: 128 * 1024 } as const;

/** The error type header of a handler that threw. */
export const UNHANDLED_INVOCATION_ERROR = 'UnhandledInvocationError';

const INVOKE_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const ASYNC_TASK_PATH = /^\/2023-03-30\/functions\/([^/]+)\/async-tasks\/([^/]+)$/;
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
function errorBody(error: unknown): FcErrorBody {
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

/** What one attempt of an invocation gave. */
type RunOutcome = { ok: true; result: unknown } | { ok: false; error: FcErrorBody };

/** What an injected crash of an in-process function reports (a code package's instance really dies). */
const INJECTED_CRASH: FcErrorBody = {
  errorMessage: 'the function instance exited before the invocation finished (injected crash)',
  errorType: 'InstanceExited',
  stackTrace: [],
};

/** FC's rule for `x-fc-async-task-id`. */
export const ASYNC_TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

/** Everything one attempt needs. */
interface Attempt {
  readonly core: CloudCore;
  readonly name: string;
  readonly fn: FcFunction;
  readonly event: Buffer;
  readonly contextInput: Omit<FcContextInput, 'logLines'>;
  readonly record: FcInvocationRecord;
}

/** Run the function once (in process, or on an instance of its code package), recording outcome and logs. */
async function runAttempt({ core, name, fn, event, contextInput, record }: Attempt): Promise<RunOutcome> {
  let outcome: RunOutcome;
  const context = buildFcContext({ ...contextInput, logLines: record.logs });
  const crash = takeCrash(core, name);
  try {
    if (fn.codeDir === undefined && crash) {
      outcome = { ok: false, error: INJECTED_CRASH };
    } else if (fn.codeDir !== undefined) {
      const { logger: _logger, environment, credentials, ...serialisable } = context;
      const instanceEnv: Record<string, string> = {
        ...environment,
        FC_INSTANCE_ID: randomUUID(),
        ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
      };
      outcome = await fcInstancePool(core, name, { ...fn, codeDir: fn.codeDir }).invoke(
        {
          event,
          context: serialisable,
          timeoutSeconds: fn.timeout,
          onLog: (line) => record.logs.push(line),
          crash,
        },
        () => ({
          env: instanceEnv,
          credentials,
          expiresAt: new Date(core.now().getTime() + ROLE_CREDENTIAL_SECONDS * 1000),
        }),
      );
    } else if (fn.handler !== undefined) {
      outcome = { ok: true, result: await fn.handler(event, context) };
    } else {
      outcome = { ok: false, error: errorBody(new Error(`function ${name} has neither a handler nor a codeDir`)) };
    }
  } catch (error) {
    outcome = { ok: false, error: errorBody(error) };
  }
  record.status = outcome.ok ? 'succeeded' : 'failed';
  if (!outcome.ok) record.error = `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
  record.finishedAt = core.now().toISOString();
  return outcome;
}

/**
 * An asynchronous invocation: up to `maxAsyncRetryAttempts` re-runs after a failed run (N+1 runs in all), then
 * the record goes to the `onFailure` destination (or `onSuccess` after a success), as FC does. Never throws.
 */
async function runAsync(attempt: Omit<Attempt, 'record'>, firstRecord: FcInvocationRecord): Promise<void> {
  const { core, fn, name } = attempt;
  const state = fcState(core);
  const config = fn.asyncInvokeConfig;
  let record = firstRecord;
  let outcome = await runAttempt({ ...attempt, record });
  for (let n = 2; !outcome.ok && n <= config.maxAsyncRetryAttempts + 1; n++) {
    const { error: _error, finishedAt: _finishedAt, ...base } = firstRecord;
    record = { ...base, attempt: n, startedAt: core.now().toISOString(), status: 'running', logs: [] };
    state.invocations.push(record);
    outcome = await runAttempt({ ...attempt, record });
  }
  const destinations = config.destinationConfig;
  const arn = outcome.ok ? destinations?.onSuccess?.destination : destinations?.onFailure?.destination;
  if (arn === undefined) return;
  const { region, accountId, credentials } = attempt.contextInput;
  const delivered = deliverToDestination(core, {
    arn,
    kind: outcome.ok ? 'Success' : 'Failure',
    functionArn: `acs:fc:${region}:${accountId}:functions/${name}`,
    requestId: record.requestId,
    attempts: record.attempt,
    event: attempt.event,
    ...(outcome.ok ? { response: encodeResult(outcome.result).body.toString('utf8') } : { error: outcome.error }),
    credentials,
  });
  record.destination = { arn, ...delivered };
}

/**
 * The caller's function `name`, its account and ARN, when the caller may run `action` on it; otherwise the reply FC
 * answers: 404 for a function that does not exist or is another account's, 403 without the permission.
 */
function permittedFunction(
  core: CloudCore,
  principal: Principal,
  name: string,
  action: 'fc:GetAsyncTask' | 'fc:InvokeFunction',
  id: string,
): { fn: FcFunction; accountId: string; resource: string } | CloudReply {
  const fn = findFcFunction(core, name);
  const accountId = fn?.accountId ?? principal.accountId;
  if (!fn || accountId !== principal.accountId) {
    return errorReply(404, FcErrorCode.FunctionNotFound, `function '${name}' does not exist`, id);
  }
  const resource = `acs:fc:${fcOptions(core).region}:${accountId}:functions/${name}`;
  if (!core.isAllowed(principal, action, resource)) {
    return errorReply(
      403,
      FcErrorCode.AccessDenied,
      `${principal.arn} is not authorized to perform ${action} on ${resource}`,
      id,
    );
  }
  return { fn, accountId, resource };
}

/** The status GetAsyncTask reports for a task, from its attempts' records. */
function taskStatus(core: CloudCore, records: readonly FcInvocationRecord[]): string {
  const last = records.at(-1)!;
  if (last.status === 'running') return 'Running';
  if (last.status === 'succeeded') return 'Succeeded';
  return fcState(core).inFlight.has(last.requestId) ? 'Retrying' : 'Failed';
}

/** GetAsyncTask: `GET /2023-03-30/functions/<name>/async-tasks/<taskId>` (JSON AsyncTask, or 404). */
async function getAsyncTask(call: CloudCall, core: CloudCore, match: RegExpExecArray): Promise<CloudReply> {
  const id = requestId();
  const principal = authenticate(call, core, id);
  if (isReply(principal)) return principal;
  const name = decodeURIComponent(match[1]!);
  const taskId = decodeURIComponent(match[2]!);
  const target = permittedFunction(core, principal, name, 'fc:GetAsyncTask', id);
  if ('status' in target) return target;
  const { accountId, resource } = target;
  const records = fcInvocations(core).filter(
    (r) => r.taskId === taskId && r.functionName === name && r.accountId === accountId,
  );
  if (records.length === 0) {
    return errorReply(404, FcErrorCode.AsyncTaskNotFound, `async task '${taskId}' does not exist`, id);
  }
  const first = records[0]!;
  const last = records.at(-1)!;
  const body = {
    taskId,
    requestId: first.requestId,
    functionArn: resource,
    qualifier: 'LATEST',
    status: taskStatus(core, records),
    alreadyRetriedTimes: last.attempt - 1,
    startedTime: Date.parse(first.startedAt),
    ...(last.finishedAt ? { endTime: Date.parse(last.finishedAt) } : {}),
    ...(last.error ? { taskErrorMessage: last.error } : {}),
  };
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-fc-request-id': id },
    body: JSON.stringify(body),
  };
}

/** Route a call to InvokeFunction or GetAsyncTask. */
function handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  const task = call.method === 'GET' ? ASYNC_TASK_PATH.exec(call.url.pathname) : null;
  return task ? getAsyncTask(call, core, task) : invoke(call, core);
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
  const target = permittedFunction(core, principal, name, 'fc:InvokeFunction', id);
  if ('status' in target) return target;
  const { fn, accountId } = target;
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
  if (taskId !== undefined) {
    if (!fn.asyncInvokeConfig.asyncTask) {
      return errorReply(
        400,
        FcErrorCode.InvalidArgument,
        `x-fc-async-task-id needs async task mode: function '${name}' has no asyncInvokeConfig with asyncTask: true`,
        id,
      );
    }
    if (!ASYNC_TASK_ID.test(taskId)) {
      return errorReply(
        400,
        FcErrorCode.InvalidArgument,
        `x-fc-async-task-id '${taskId}' is invalid: it starts with a letter or _, then letters, digits, _ or -, at most 128 characters`,
        id,
      );
    }
  }
  if (taskKey !== undefined && state.taskIds.has(taskKey)) {
    return errorReply(
      opts.duplicateTaskStatus,
      FcErrorCode.AsyncTaskAlreadyExists,
      `async task '${taskId}' already exists`,
      id,
    );
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
    attempt: 1,
    startedAt: core.now().toISOString(),
    status: 'running',
    logs: [],
  };
  state.invocations.push(record);
  const attempt = {
    core,
    name,
    fn,
    event: Buffer.from(call.body),
    contextInput: {
      requestId: id,
      functionName: name,
      fn,
      accountId,
      region: opts.region,
      qualifier: call.url.searchParams.get('qualifier') ?? 'LATEST',
      credentials,
    },
  };

  if (invocationType === 'Async') {
    if (taskKey !== undefined) state.taskIds.add(taskKey);
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => runAsync(attempt, record))
      .finally(() => state.inFlight.delete(id));
    state.inFlight.set(id, done);
    return { status: 202, headers: { 'x-fc-request-id': id, 'content-type': 'text/plain' }, body: '' };
  }

  const outcome = await runAttempt({ ...attempt, record });
  const headers: Record<string, string> = { 'x-fc-request-id': id };
  if (headerValue(call, 'x-fc-log-type')?.toLowerCase() === 'tail') {
    const logs = Buffer.from(record.logs.map((l) => `${l}\n`).join(''), 'utf8');
    headers['x-fc-log-result'] = logs.subarray(Math.max(0, logs.length - LOG_TAIL_BYTES)).toString('base64');
  }
  if (!outcome.ok) {
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'application/json', 'x-fc-error-type': UNHANDLED_INVOCATION_ERROR },
      body: JSON.stringify(outcome.error),
    };
  }
  const { body, contentType } = encodeResult(outcome.result);
  return { status: 200, headers: { ...headers, 'content-type': contentType }, body };
}

const AdminFunctionBody = z
  .object({
    name: z.string().min(1),
    /** Path or file URL of an ES module exporting the handler (run in the local cloud's process). */
    module: z.string().min(1).optional(),
    export: z.string().min(1).default('handler'),
    /** A code package directory (e.g. dist/<name>), run in node processes of its own. */
    codeDir: z.string().min(1).optional(),
    env: z.record(z.string()).optional(),
    role: z.string().min(1).optional(),
    accountId: z.string().min(1).optional(),
    handlerName: z.string().min(1).optional(),
    memorySize: z.number().int().positive().optional(),
    timeout: z.number().int().positive().optional(),
    asyncInvokeConfig: z.record(z.unknown()).optional(),
  })
  .strict()
  .refine((b) => (b.module === undefined) !== (b.codeDir === undefined), {
    message: 'give exactly one of module or codeDir',
    path: ['module'],
  });

function adminJson(status: number, body: unknown): CloudReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function handlerFromModule(module: string, exportName: string): Promise<FcFunction['handler'] | string> {
  const href = /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href;
  let handler: unknown;
  try {
    handler = ((await import(href)) as Record<string, unknown>)[exportName];
  } catch (error) {
    return `module ${module} could not be loaded: ${String(error)}`;
  }
  if (typeof handler !== 'function') return `module ${module} has no function export named ${exportName}`;
  return handler as FcFunction['handler'];
}

async function registerFunction(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  const body = AdminFunctionBody.safeParse(parseJson(call.body));
  if (!body.success) {
    return adminJson(400, {
      error:
        'body must be {"name", "module" (path of an ES module) or "codeDir" (a code package directory), "export"?, "env"?, "role"?, "accountId"?, "handlerName"?, "timeout"?, "asyncInvokeConfig"?}',
      issues: body.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    });
  }
  const { name, module, export: exportName, codeDir, ...rest } = body.data;
  let source: { handler: FcFunction['handler'] } | { codeDir: string };
  if (module !== undefined) {
    const handler = await handlerFromModule(module, exportName);
    if (typeof handler === 'string') return adminJson(400, { error: handler });
    source = { handler };
  } else {
    source = { codeDir: path.resolve(codeDir!) };
  }
  try {
    registerFcFunction(core, name, { ...source, ...rest } as FcFunctionConfig);
  } catch (error) {
    return adminJson(400, { error: (error as Error).message });
  }
  return adminJson(200, { name });
}

const AdminCrashBody = z.object({ name: z.string().min(1), count: z.number().int().min(0) }).strict();

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function admin(call: CloudCall, subpath: string, core: CloudCore): Promise<CloudReply | undefined> {
  if (subpath === 'functions' && call.method === 'POST') return registerFunction(call, core);
  if (subpath === 'functions' && call.method === 'GET') {
    const names = new Set([...Object.keys(fcOptions(core).functions), ...fcState(core).functions.keys()]);
    return adminJson(200, {
      functions: [...names].sort().map((name) => {
        const fn = findFcFunction(core, name)!;
        return {
          name,
          handler: fn.handlerName,
          ...(fn.codeDir !== undefined ? { codeDir: fn.codeDir } : {}),
          role: fn.role,
          accountId: fn.accountId,
          env: Object.keys(fn.env),
        };
      }),
    });
  }
  if (subpath === 'invocations' && call.method === 'GET') {
    return adminJson(200, { inFlight: [...fcState(core).inFlight.keys()], invocations: fcInvocations(core) });
  }
  if (subpath === 'crash' && call.method === 'POST') {
    const body = AdminCrashBody.safeParse(parseJson(call.body));
    if (!body.success)
      return adminJson(400, { error: 'body must be {"name": <function>, "count": <runs that crash>}' });
    crashNextInvocations(core, body.data.name, body.data.count);
    return adminJson(200, body.data);
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
      action: call.method === 'GET' && ASYNC_TASK_PATH.test(call.url.pathname) ? 'GetAsyncTask' : 'InvokeFunction',
      ...(accountId ? { accountId } : {}),
      ...(auth ? { accessKeyId: auth.accessKeyId } : {}),
    };
  },

  handle,

  faultReply(fault: { status: number; code: string; message: string }): CloudReply {
    return errorReply(fault.status, fault.code, fault.message);
  },

  admin,

  stop: stopFcInstances,
};
