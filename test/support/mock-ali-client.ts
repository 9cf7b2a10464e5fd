import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import sinon from 'sinon';

type AnyMethod = (...args: never[]) => unknown;

/** The names of a client's methods. */
export type MethodName<T> = { [K in keyof T]-?: T[K] extends AnyMethod ? K : never }[keyof T] & string;
type MethodOf<T, K extends MethodName<T>> = T[K] extends AnyMethod ? T[K] : never;
type ArgsOf<T, K extends MethodName<T>> = Parameters<MethodOf<T, K>>;
type ResultOf<T, K extends MethodName<T>> = ReturnType<MethodOf<T, K>>;

/** The declared keys of T, without the `[key: string]: any` every Tea model carries. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: 0 };

/** A partial, recursive view of a request model: only the fields given are compared (typos are type errors). */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? [KnownKeys<T>] extends [never]
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : { [K in KnownKeys<T> & keyof T]?: DeepPartial<T[K]> }
    : T;

/** A recorded call of a mocked method (sinon's, with `args`, `firstArg` and `thisValue`, the SDK client). */
export type MockedCall<T, K extends MethodName<T>> = sinon.SinonSpyCall<ArgsOf<T, K>, ResultOf<T, K>>;

/** What a mocked method does for the calls one `on(...)` definition matches. */
export interface MethodBehavior<T, K extends MethodName<T>> {
  resolves(value: Awaited<ResultOf<T, K>>): MethodBehavior<T, K>;
  rejects(error: unknown): MethodBehavior<T, K>;
  callsFake(fake: (...args: ArgsOf<T, K>) => ResultOf<T, K>): MethodBehavior<T, K>;
  /** Answer the next matching call only; once these run out the definition answers with its default, if any. */
  resolvesOnce(value: Awaited<ResultOf<T, K>>): MethodBehavior<T, K>;
  rejectsOnce(error: unknown): MethodBehavior<T, K>;
}

/** A mocked SDK client class: every instance, including those the adapter creates, is intercepted. */
export interface AliClientMock<T> {
  /** Define what `method` does for calls whose first argument (the request model) partially matches `request`. */
  on<K extends MethodName<T>>(method: K, request?: DeepPartial<ArgsOf<T, K>[0]>): MethodBehavior<T, K>;
  /** The calls of `method` (optionally only those whose first argument partially matches `request`). */
  calls<K extends MethodName<T>>(method: K, request?: DeepPartial<ArgsOf<T, K>[0]>): MockedCall<T, K>[];
  /** Forget every definition and every recorded call; methods stay intercepted. */
  reset(): void;
  /** Put the real methods back. */
  restore(): void;
}

type Answer = (args: unknown[]) => unknown;

interface Definition {
  readonly method: string;
  readonly matcher: unknown;
  readonly specificity: number;
  readonly order: number;
  readonly once: Answer[];
  fallback?: Answer;
}

/** True when every field `expected` names is deep-equal in `actual` (arrays element by element, same length). */
export function partiallyMatches(expected: unknown, actual: unknown): boolean {
  if (expected === undefined) return true;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => partiallyMatches(item, actual[i]))
    );
  }
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime();
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return false;
    const fields = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => partiallyMatches(value, fields[key]));
  }
  return Object.is(expected, actual);
}

/** A request for an error message: JSON when it can be, otherwise its string form. */
function describe(request: unknown): string {
  try {
    return JSON.stringify(request) ?? String(request);
  } catch {
    return String(request);
  }
}

/** How many leaf fields a matcher constrains: the more, the more specific. */
function specificityOf(matcher: unknown): number {
  if (matcher === undefined) return 0;
  if (typeof matcher !== 'object' || matcher === null || matcher instanceof Date) return 1;
  return Object.values(matcher).reduce<number>((sum, value) => sum + Math.max(1, specificityOf(value)), 0);
}

/**
 * Mock an Alibaba SDK client class (e.g. `RamSdk.default`) in the style of aws-sdk-client-mock: methods are
 * stubbed on the prototype the first time `on(...)` names them. The most specific matching definition answers
 * (ties: the latest); a stubbed method no definition answers rejects, so no test reaches the network by accident.
 */
export function mockAliClient<T extends object>(clientClass: abstract new (...args: never[]) => T): AliClientMock<T> {
  const sandbox = sinon.createSandbox();
  const prototype = clientClass.prototype as Record<string, unknown>;
  const stubs = new Map<string, sinon.SinonStub>();
  let definitions: Definition[] = [];
  let order = 0;

  const dispatch = (method: string, args: unknown[]): unknown => {
    const candidates = definitions
      .filter((d) => d.method === method && (d.once.length > 0 || d.fallback) && partiallyMatches(d.matcher, args[0]))
      .sort((a, b) => b.specificity - a.specificity || b.order - a.order);
    const chosen = candidates[0];
    if (!chosen) {
      return Promise.reject(new Error(`mockAliClient: nothing defined for ${method}(${describe(args[0])})`));
    }
    const answer = chosen.once.shift() ?? chosen.fallback;
    return answer?.(args);
  };

  const stubFor = (method: string): sinon.SinonStub => {
    let stub = stubs.get(method);
    if (!stub) {
      if (typeof prototype[method] !== 'function') throw new Error(`mockAliClient: ${method} is not a client method`);
      stub = sandbox.stub(prototype, method).callsFake((...args: unknown[]) => dispatch(method, args));
      stubs.set(method, stub);
    }
    return stub;
  };

  return {
    on(method, request) {
      stubFor(method);
      order += 1;
      const definition: Definition = {
        method,
        matcher: request,
        specificity: specificityOf(request),
        order,
        once: [],
      };
      definitions.push(definition);
      const behavior: MethodBehavior<T, typeof method> = {
        resolves: (value) => set(() => Promise.resolve(value)),
        rejects: (error) => set(() => Promise.reject(error)),
        callsFake: (fake) => set((args) => fake(...(args as ArgsOf<T, typeof method>))),
        resolvesOnce: (value) => push(() => Promise.resolve(value)),
        rejectsOnce: (error) => push(() => Promise.reject(error)),
      };
      function set(answer: Answer) {
        definition.fallback = answer;
        return behavior;
      }
      function push(answer: Answer) {
        definition.once.push(answer);
        return behavior;
      }
      return behavior;
    },
    calls(method, request) {
      const stub = stubs.get(method);
      if (!stub) return [];
      return stub.getCalls().filter((call) => partiallyMatches(request, call.args[0])) as MockedCall<
        T,
        typeof method
      >[];
    },
    reset() {
      definitions = [];
      for (const stub of stubs.values()) stub.resetHistory();
    },
    restore() {
      sandbox.restore();
      stubs.clear();
      definitions = [];
    },
  };
}

/** The fields of an error an Alibaba service answers. */
export interface AliErrorInit {
  readonly code: string;
  readonly statusCode: number;
  readonly message?: string;
  readonly requestId?: string;
  /** Seconds the service asks to wait (throttling only). */
  readonly retryAfter?: number;
}

/**
 * The error `@alicloud/openapi-core` throws for a 4xx/5xx answer: ThrottlingError when the code mentions
 * Throttling, ClientError for 4xx, ServerError otherwise, with the same fields and message format.
 */
export function aliClientError(init: AliErrorInit): ClientError | ServerError | ThrottlingError {
  const requestId = init.requestId ?? 'MOCK-REQUEST-ID';
  const data = { Code: init.code, Message: init.message ?? init.code, RequestId: requestId };
  const map = {
    statusCode: init.statusCode,
    code: init.code,
    message: `code: ${init.statusCode}, ${data.Message} request id: ${requestId}`,
    detail: 'undefined',
    description: 'undefined',
    data,
    requestId,
  };
  if (init.code.includes('Throttling')) return new ThrottlingError({ ...map, retryAfter: init.retryAfter });
  if (init.statusCode >= 400 && init.statusCode < 500) return new ClientError({ ...map, accessDeniedDetail: {} });
  return new ServerError(map);
}

/**
 * The error the older Tea SDKs (`@alicloud/eventbridge`) throw for a 4xx/5xx answer: a ResponseError with the
 * code and the answered body as `data`, and no HTTP status.
 */
export function teaResponseError(init: { code: string; message?: string; requestId?: string }): $dara.ResponseError {
  const requestId = init.requestId ?? 'MOCK-REQUEST-ID';
  const message = init.message ?? init.code;
  return new $dara.ResponseError({
    code: init.code,
    message: `[EventBridgeError-${requestId}] ${message}`,
    data: { code: init.code, message, requestId },
  });
}

/**
 * The error a socket reset while the answer is being read gives through `@darabonba/typescript` (a plain
 * Error 'aborted' with code ECONNRESET, as observed against a server destroying the socket mid-body).
 */
export function connectionReset(): Error & { code: 'ECONNRESET' } {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' as const });
}

/**
 * An SDK response model built the way the SDK builds it from the wire JSON (`$dara.cast`), so bodies keep the
 * service's PascalCase names: `aliResponse(RamSdk.GetRoleResponse, { Role: { RoleName: 'r' } })`.
 */
export function aliResponse<R extends $dara.Model>(
  responseClass: new (map?: Record<string, unknown>) => R,
  body: Record<string, unknown>,
  options: { statusCode?: number; headers?: Record<string, string> } = {},
): R {
  return $dara.cast<R>(
    { statusCode: options.statusCode ?? 200, headers: options.headers ?? {}, body },
    new responseClass({}),
  );
}
