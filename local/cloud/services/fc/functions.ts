/**
 * Function Compute functions of the local cloud: their configuration, the handler signature and context they get
 * (shaped like FC 3.0's Node.js runtime), and the registry of invocations, with an awaitable drain of the
 * asynchronous ones so tests can wait for completion deterministically.
 */
import { z } from 'zod';
import type { CloudCore } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';
import { EVENT_BUS_ARN } from './destinations.js';
import { FcInstancePool } from './instances.js';

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

/**
 * Where FC delivers the record of an asynchronous invocation (the fc3 component's `destinationConfig`). FC also
 * takes MNS queues and topics, functions and RocketMQ; the local cloud models EventBridge buses only.
 */
const DestinationSchema = z
  .object({
    destination: z
      .string()
      .regex(
        EVENT_BUS_ARN,
        'the local cloud delivers to an EventBridge bus only: acs:eventbridge:<region>:<account>:eventbus/<bus>',
      ),
  })
  .strict();

/**
 * The function's asynchronous invocation settings, as the fc3 component's `asyncInvokeConfig` gives them: retries
 * after a failed run (FC's default 3, at most 8), async-task mode (required to send `x-fc-async-task-id`), and the
 * destinations of the invocation record.
 */
export const FcAsyncInvokeConfigSchema = z
  .object({
    maxAsyncRetryAttempts: z.number().int().min(0).max(8).default(3),
    maxAsyncEventAgeInSeconds: z.number().int().min(1).max(2_592_000).optional(),
    asyncTask: z.boolean().default(false),
    destinationConfig: z
      .object({ onFailure: DestinationSchema.optional(), onSuccess: DestinationSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();

/** Validated asynchronous invocation settings. */
export type FcAsyncInvokeConfig = z.output<typeof FcAsyncInvokeConfigSchema>;

/** One function of the local cloud: an in-process `handler`, or a code package run in processes of its own. */
export const FcFunctionConfigSchema = z
  .object({
    handler: z
      .custom<FcHandler>((v) => typeof v === 'function', { message: 'must be a function (event, context)' })
      .optional(),
    /**
     * The code package (a directory such as `dist/<name>`): each instance is a node process of its own that
     * loads `handlerName` from it, as FC's nodejs20 runtime does.
     */
    codeDir: z.string().min(1).optional(),
    /** Environment variables of the function. */
    env: z.record(z.string()).default({}),
    /** The function's role: a role name in its account or `acs:ram::<uid>:role/<name>`; none = caller's keys. */
    role: z.string().min(1).optional(),
    /** The account that owns the function; omitted = the function exists in every account. */
    accountId: z.string().min(1).optional(),
    /** The FC handler string (`<file>.<export>`): what a code package instance loads; reported in the context. */
    handlerName: z
      .string()
      .regex(/^[A-Za-z0-9_./-]+\.[A-Za-z_$][A-Za-z0-9_$]*$/, 'must be <file>.<export>, e.g. index.handler')
      .default('index.handler'),
    memorySize: z.number().int().positive().default(512),
    /** Seconds; enforced for code packages (the instance is stopped), reported in `context.function.timeout`. */
    timeout: z.number().int().positive().default(60),
    /**
     * How many invocations one instance of a code package runs at a time (FC 3.0's `instanceConcurrency`, 1-100 as
     * s.yaml's fc3 component takes it); a new instance starts only when every instance runs this many.
     */
    instanceConcurrency: z.number().int().min(1).max(100).default(1),
    asyncInvokeConfig: FcAsyncInvokeConfigSchema.default({}),
  })
  .strict()
  .refine((f) => (f.handler === undefined) !== (f.codeDir === undefined), {
    message: 'give exactly one of handler (a function) or codeDir (a code package directory)',
    path: ['handler'],
  });

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
    /** Seconds an idle instance of a code package stays warm. */
    instanceIdleSeconds: z.number().int().positive().default(300),
    /** Echo what code-package instances write to the local cloud's stderr (the CLI turns it on). */
    printFunctionLogs: z.boolean().default(false),
    /** The status a repeated async task id is refused with: 409 (FC's current page) or 400 (an older page). */
    duplicateTaskStatus: z.union([z.literal(409), z.literal(400)]).default(409),
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
  /** 1 for the first run of an asynchronous invocation, 2 for its first retry, ... */
  readonly attempt: number;
  readonly startedAt: string;
  status: 'running' | 'succeeded' | 'failed';
  finishedAt?: string;
  /** `errorType: errorMessage` of a handler that threw. */
  error?: string;
  /** Lines written through `context.logger` (and, for code packages, everything the instance printed). */
  readonly logs: string[];
  /** Where the record of a failed asynchronous invocation went, after its last attempt. */
  destination?: { readonly arn: string; readonly status: 'delivered' | 'failed'; readonly error?: string };
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
  /** Instances of code-package functions, by function name. */
  readonly pools: Map<string, FcInstancePool>;
  /** Fault injection: how many of the next runs of a function crash its instance, by function name. */
  readonly crashes: Map<string, number>;
  /** Echo instance output to stderr (overrides the `printFunctionLogs` option when set). */
  printLogs?: boolean;
}

/** The FC state bag of this core, created empty on first use. */
export function fcState(core: CloudCore): FcState {
  return core.serviceState<FcState>(FC_SERVICE, () => ({
    functions: new Map(),
    invocations: [],
    inFlight: new Map(),
    taskIds: new Set(),
    pools: new Map(),
    crashes: new Map(),
  }));
}

function describeIssue(prefix: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `${prefix}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`;
}

/** The validated FC options of this core; throws {@link CloudSetupError} naming the bad field. */
export function fcOptions(core: CloudCore): z.output<typeof FcOptionsSchema> {
  const parsed = FcOptionsSchema.safeParse(core.serviceOptions<unknown>(FC_SERVICE) ?? {});
  if (parsed.success) return parsed.data;
  throw new CloudSetupError(
    `${describeIssue('services.fc', parsed.error)}; give { functions: { <name>: { handler } }, region? }`,
    { cause: parsed.error },
  );
}

/** The function called `name`, registered at runtime or given in the options. */
export function findFcFunction(core: CloudCore, name: string): FcFunction | undefined {
  return fcState(core).functions.get(name) ?? fcOptions(core).functions[name];
}

/** Register (or replace) a function at runtime; throws {@link CloudSetupError} naming the bad field. */
export function registerFcFunction(core: CloudCore, name: string, config: FcFunctionConfig): void {
  const parsed = FcFunctionConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new CloudSetupError(
      `${describeIssue(`fc function ${name}`, parsed.error)}; fix the function's configuration`,
      {
        cause: parsed.error,
      },
    );
  }
  const state = fcState(core);
  state.functions.set(name, parsed.data);
  const stale = state.pools.get(name);
  if (stale) {
    state.pools.delete(name);
    void stale.stop();
  }
  const fn = parsed.data;
  if (fn.codeDir !== undefined) void fcInstancePool(core, name, { ...fn, codeDir: fn.codeDir }).unpack();
}

/**
 * Wait until the code packages of the registered functions are unpacked (registration starts it, as FC unpacks a
 * package when it is deployed); a package that cannot be read fails its first invocation instead.
 */
export async function fcCodeUnpacked(core: CloudCore): Promise<void> {
  await Promise.all([...fcState(core).pools.values()].map((pool) => pool.unpack()));
}

/** The instance pool of a code-package function, created on first use. */
export function fcInstancePool(core: CloudCore, name: string, fn: FcFunction & { codeDir: string }): FcInstancePool {
  const state = fcState(core);
  let pool = state.pools.get(name);
  if (!pool) {
    const opts = fcOptions(core);
    pool = new FcInstancePool({
      functionName: name,
      codeDir: fn.codeDir,
      handlerName: fn.handlerName,
      now: () => core.now(),
      idleMs: opts.instanceIdleSeconds * 1000,
      concurrency: fn.instanceConcurrency,
      printLogs: () => state.printLogs ?? opts.printFunctionLogs,
    });
    state.pools.set(name, pool);
  }
  return pool;
}

/** Stop every function instance (the local cloud is stopping). */
export async function stopFcInstances(core: CloudCore): Promise<void> {
  const state = fcState(core);
  const pools = [...state.pools.values()];
  state.pools.clear();
  await Promise.all(pools.map((p) => p.stop()));
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

/**
 * Fault injection: the next `count` runs of function `name` (retries included) crash their instance as the
 * invocation arrives, before the handler runs, as an instance killed by the platform would. FC answers a
 * synchronous call with an error and retries an asynchronous one.
 */
export function crashNextInvocations(core: CloudCore, name: string, count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new CloudSetupError(`crash count ${count} must be an integer >= 0`);
  const crashes = fcState(core).crashes;
  if (count === 0) crashes.delete(name);
  else crashes.set(name, count);
}

/** Take one pending crash of function `name`, if any. */
export function takeCrash(core: CloudCore, name: string): boolean {
  const crashes = fcState(core).crashes;
  const left = crashes.get(name) ?? 0;
  if (left <= 0) return false;
  if (left === 1) crashes.delete(name);
  else crashes.set(name, left - 1);
  return true;
}

/** Echo what code-package instances print to the local cloud's stderr from now on (the CLI does). */
export function setFcFunctionLogs(core: CloudCore, print = true): void {
  fcState(core).printLogs = print;
}
