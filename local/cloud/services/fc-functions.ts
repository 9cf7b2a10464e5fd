/**
 * Function Compute functions of the local cloud: their configuration, the handler signature and context they get
 * (shaped like FC 3.0's Node.js runtime), and the registry of invocations, with an awaitable drain of the
 * asynchronous ones so tests can wait for completion deterministically.
 */
import { z } from 'zod';
import { ConfigError } from '../../../shared/domain/errors.js';
import type { CloudCore } from '../contract.js';

/** The module name, also the key of its state bag and options. */
export const FC_SERVICE = 'fc';

/** The logger FC gives a handler in `context.logger`; lines are kept with the invocation record. */
export interface FcLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  log(...args: unknown[]): void;
}

/** The second handler argument, shaped like FC 3.0's Node.js `context`. */
export interface FcContext {
  readonly requestId: string;
  /** The function role's temporary keys, or the caller's keys when the function has no role. */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly accessKeySecret: string;
    readonly securityToken: string;
  };
  readonly function: {
    readonly name: string;
    readonly handler: string;
    readonly memory: number;
    readonly timeout: number;
    readonly initializer: string;
  };
  readonly service: {
    readonly logProject: string;
    readonly logStore: string;
    readonly qualifier: string;
    readonly versionId: string;
  };
  readonly region: string;
  readonly accountId: string;
  readonly tracing: Readonly<Record<string, unknown>>;
  readonly logger: FcLogger;
  /**
   * Local-cloud extension: the environment FC would set for this instance (the function's variables plus
   * `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/`_SECURITY_TOKEN`, `FC_ACCOUNT_ID`, `FC_FUNCTION_NAME`, `FC_REGION`,
   * ...). Handlers run in the local cloud's process, so `process.env` is left alone; read configuration from here.
   */
  readonly environment: Readonly<Record<string, string>>;
}

/** A function body: the event arrives as a Buffer; return a Buffer (sent as is), a string, or a JSON value. */
export type FcHandler = (event: Buffer, context: FcContext) => unknown;

/** One function of the local cloud. */
export const FcFunctionConfigSchema = z
  .object({
    handler: z.custom<FcHandler>((v) => typeof v === 'function', { message: 'must be a function (event, context)' }),
    /** Environment variables of the function. */
    env: z.record(z.string()).default({}),
    /** The function's role: a role name in its account or `acs:ram::<uid>:role/<name>`; none = caller's keys. */
    role: z.string().min(1).optional(),
    /** The account that owns the function; omitted = the function exists in every account. */
    accountId: z.string().min(1).optional(),
    /** The FC handler string reported in `context.function.handler`. */
    handlerName: z.string().min(1).default('index.handler'),
    memorySize: z.number().int().positive().default(512),
    /** Seconds, reported in `context.function.timeout` (not enforced). */
    timeout: z.number().int().positive().default(60),
  })
  .strict();

/** What a caller may give for one function. */
export type FcFunctionConfig = z.input<typeof FcFunctionConfigSchema>;

/** A validated function configuration. */
export type FcFunction = z.output<typeof FcFunctionConfigSchema>;

/** Options of the FC module (`startLocalCloud({ services: { fc: {...} } })`). */
export const FcOptionsSchema = z
  .object({
    functions: z.record(FcFunctionConfigSchema).default({}),
    /** Region reported to handlers and used in resource ARNs. */
    region: z.string().min(1).default('cn-hangzhou'),
  })
  .strict();

/** What a caller may give as FC options. */
export type FcOptions = z.input<typeof FcOptionsSchema>;

/** One invocation as the local cloud records it. */
export interface FcInvocationRecord {
  readonly requestId: string;
  readonly functionName: string;
  readonly accountId: string;
  readonly invocationType: 'Sync' | 'Async';
  readonly taskId?: string;
  readonly startedAt: string;
  status: 'running' | 'succeeded' | 'failed';
  finishedAt?: string;
  /** `errorType: errorMessage` of a handler that threw. */
  error?: string;
  /** Lines written through `context.logger`. */
  readonly logs: string[];
}

/** The in-memory FC state. */
export interface FcState {
  /** Functions registered after start (admin route or {@link registerFcFunction}); they shadow the options. */
  readonly functions: Map<string, FcFunction>;
  readonly invocations: FcInvocationRecord[];
  /** Asynchronous invocations not finished yet, by request id. */
  readonly inFlight: Map<string, Promise<void>>;
  /** Async task ids already accepted (FC refuses a duplicate with 409). */
  readonly taskIds: Set<string>;
}

/** The FC state bag of this core, created empty on first use. */
export function fcState(core: CloudCore): FcState {
  return core.serviceState<FcState>(FC_SERVICE, () => ({
    functions: new Map(),
    invocations: [],
    inFlight: new Map(),
    taskIds: new Set(),
  }));
}

function describeIssue(prefix: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `${prefix}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`;
}

/** The validated FC options of this core; throws {@link ConfigError} naming the bad field. */
export function fcOptions(core: CloudCore): z.output<typeof FcOptionsSchema> {
  const parsed = FcOptionsSchema.safeParse(core.serviceOptions<unknown>(FC_SERVICE) ?? {});
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    `${describeIssue('services.fc', parsed.error)}; give { functions: { <name>: { handler } }, region? }`,
    { cause: parsed.error },
  );
}

/** The function called `name`, registered at runtime or given in the options. */
export function findFcFunction(core: CloudCore, name: string): FcFunction | undefined {
  return fcState(core).functions.get(name) ?? fcOptions(core).functions[name];
}

/** Register (or replace) a function at runtime; throws {@link ConfigError} naming the bad field. */
export function registerFcFunction(core: CloudCore, name: string, config: FcFunctionConfig): void {
  const parsed = FcFunctionConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new ConfigError(`${describeIssue(`fc function ${name}`, parsed.error)}; fix the function's configuration`, {
      cause: parsed.error,
    });
  }
  fcState(core).functions.set(name, parsed.data);
}

/** Every invocation so far, oldest first. */
export function fcInvocations(core: CloudCore): readonly FcInvocationRecord[] {
  return fcState(core).invocations;
}

/**
 * Wait until every asynchronous invocation accepted so far, and any they start in turn, has finished; returns the
 * records of all invocations.
 */
export async function drainFcInvocations(core: CloudCore): Promise<readonly FcInvocationRecord[]> {
  const state = fcState(core);
  while (state.inFlight.size > 0) await Promise.allSettled([...state.inFlight.values()]);
  return state.invocations;
}
