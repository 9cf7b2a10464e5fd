/**
 * Function instances of the local FC for functions deployed from a code directory (`codeDir`), run as FC's
 * nodejs20 runtime runs them: the code package unpacked into a directory of its own (so the function can load
 * only what the package ships), one node process per instance started with `runtime/bootstrap.cjs`, settings
 * and the role's keys in `process.env`, the handler `index.handler` loaded once per instance, up to the
 * function's `instanceConcurrency` invocations at a time per instance. As FC does, a new instance is started only
 * when every instance (those still starting included) runs as many invocations as it may. Idle instances stay warm
 * for the next invocation and are stopped after a while, when their keys are about to expire, or when the cloud
 * stops.
 *
 * What an instance shared by invocations does, as modelled here: a line it prints goes to the invocation whose
 * request ID it carries (FC's `context.logger` and the product's logger put it in every line), or to every
 * invocation running when it carries none, since nothing else tells them apart; an invocation that runs past its
 * timeout stops the instance, failing the others it was running (InstanceExited), as an instance that dies does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CloudEmulatorError } from '../../errors.js';
import type { FcCredentials } from './context.js';

const BOOTSTRAP = fileURLToPath(new URL('./runtime/bootstrap.cjs', import.meta.url));

/** What a failed invocation reports, as FC's Node.js runtime shapes it. */
export interface FcErrorBody {
  readonly errorMessage: string;
  readonly errorType: string;
  readonly stackTrace: readonly string[];
}

/** The outcome of one invocation on an instance. */
export type InstanceOutcome = { ok: true; result: unknown } | { ok: false; error: FcErrorBody };

/** What a new instance starts with: its environment and the keys it hands the handler. */
export interface InstanceStart {
  readonly env: Readonly<Record<string, string>>;
  readonly credentials: FcCredentials;
  readonly expiresAt: Date;
}

/** The serialisable part of the handler's `context` (the instance adds its logger and credentials). */
export type InstanceContext = Readonly<Record<string, unknown>> & { readonly requestId: string };

/** One invocation handed to the pool. */
export interface InstanceInvocation {
  readonly event: Buffer;
  readonly context: InstanceContext;
  readonly timeoutSeconds: number;
  /** Each line the instance writes (stdout and stderr) while it runs this invocation. */
  readonly onLog: (line: string) => void;
  /** Fault injection: the instance dies as the invocation reaches it (the handler never runs). */
  readonly crash?: boolean;
}

/** How a pool runs one function's instances. */
export interface InstancePoolOptions {
  readonly functionName: string;
  /** The code package: a directory with the handler file (`dist/<name>`). */
  readonly codeDir: string;
  /** `<file>.<export>`, e.g. `index.handler`. */
  readonly handlerName: string;
  readonly now: () => Date;
  /** An idle instance is stopped after this long. */
  readonly idleMs: number;
  /** How many invocations one instance runs at a time (`instanceConcurrency`). */
  readonly concurrency: number;
  /** Echo instance output to this process's stderr, prefixed with the function name (asked as each instance starts). */
  readonly printLogs: () => boolean;
}

/** An instance could not be started (the code package cannot be unpacked, node cannot start). */
export class FcInstanceError extends CloudEmulatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FcInstanceFailed', message, options);
    this.name = 'FcInstanceError';
  }
}

/** Idle keys are renewed (the instance replaced) when they expire within this margin. */
const KEY_MARGIN_MS = 5 * 60_000;

interface ResultMessage {
  readonly type: 'result';
  readonly id: number;
  readonly ok: boolean;
  readonly result?: { kind: 'buffer' | 'string' | 'json' | 'empty'; data?: string };
  readonly error?: FcErrorBody;
}

function decodeResult(encoded: ResultMessage['result']): unknown {
  switch (encoded?.kind) {
    case 'buffer':
      return Buffer.from(encoded.data ?? '', 'base64');
    case 'string':
      return encoded.data ?? '';
    case 'json':
      return JSON.parse(encoded.data ?? 'null');
    default:
      return undefined;
  }
}

/** An invocation an instance is running. */
interface Running {
  readonly requestId: string;
  readonly onLog: (line: string) => void;
  readonly settle: (outcome: InstanceOutcome) => void;
}

/** One running node process of a function. */
class Instance {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly credentials: FcCredentials;
  readonly expiresAt: Date;
  /** The invocations this instance runs now, by message id. */
  readonly #running = new Map<number, Running>();
  #next = 1;
  #gone = false;
  /** Being stopped: it takes no more invocations, though its exit may not have been seen yet. */
  #stopping = false;

  private constructor(child: ChildProcess, start: InstanceStart, printPrefix: string | undefined) {
    this.#child = child;
    this.credentials = start.credentials;
    this.expiresAt = start.expiresAt;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.#log(line);
        if (printPrefix) process.stderr.write(`${printPrefix} ${line}\n`);
      });
    }
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#gone = true;
        for (const id of [...this.#running.keys()]) {
          this.#finish(id, {
            ok: false,
            error: {
              errorMessage: `the function instance exited (code ${code ?? '-'}, signal ${signal ?? '-'}) before the invocation finished`,
              errorType: 'InstanceExited',
              stackTrace: [],
            },
          });
        }
        resolve();
      });
    });
    child.on('message', (message: ResultMessage) => {
      if (message?.type !== 'result') return;
      const outcome: InstanceOutcome = message.ok
        ? { ok: true, result: decodeResult(message.result) }
        : { ok: false, error: message.error ?? { errorMessage: 'unknown error', errorType: 'Error', stackTrace: [] } };
      // What the handler printed before it returned is in the pipe before its answer is on the IPC channel; this
      // turn of the event loop reads both, so the invocation ends after its last lines are kept.
      setImmediate(() => this.#finish(message.id, outcome));
    });
  }

  /** Start a process in `cwd` and wait until it has loaded the handler. */
  static async start(cwd: string, start: InstanceStart, printPrefix: string | undefined): Promise<Instance> {
    const child = spawn(process.execPath, [BOOTSTRAP], {
      cwd,
      env: { ...start.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 50) stderr.push(chunk.toString('utf8'));
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { type?: string }): void => {
        if (message?.type !== 'ready') return;
        cleanup();
        resolve();
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(
          new FcInstanceError(`the function instance exited with code ${code} while starting: ${stderr.join('')}`),
        );
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(new FcInstanceError(`the function instance could not start: ${error.message}`, { cause: error }));
      };
      const cleanup = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
    });
    return new Instance(child, start, printPrefix);
  }

  /** Exited, or being stopped. */
  get gone(): boolean {
    return this.#gone || this.#stopping;
  }

  /** A printed line, to the invocation whose request ID it carries, else to every one running. */
  #log(line: string): void {
    for (const running of this.#running.values()) {
      if (line.includes(running.requestId)) {
        running.onLog(line);
        return;
      }
    }
    for (const running of this.#running.values()) running.onLog(line);
  }

  #finish(id: number, outcome: InstanceOutcome): void {
    const running = this.#running.get(id);
    if (!running) return;
    this.#running.delete(id);
    running.settle(outcome);
  }

  /** Run one invocation beside any others it runs; a timeout stops the instance, as FC does. */
  invoke(invocation: InstanceInvocation): Promise<InstanceOutcome> {
    const id = this.#next++;
    return new Promise<InstanceOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.#finish(id, {
          ok: false,
          error: {
            errorMessage: `Function timed out after ${invocation.timeoutSeconds} seconds`,
            errorType: 'FunctionTimeout',
            stackTrace: [],
          },
        });
        void this.kill();
      }, invocation.timeoutSeconds * 1000);
      this.#running.set(id, {
        requestId: invocation.context.requestId,
        onLog: invocation.onLog,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      });
      if (this.gone) {
        // Died between being handed out and this invocation reaching it (another one it ran crashed it).
        this.#finish(id, {
          ok: false,
          error: {
            errorMessage: 'the function instance exited before the invocation reached it',
            errorType: 'InstanceExited',
            stackTrace: [],
          },
        });
        return;
      }
      if (invocation.crash) {
        void this.kill();
        return;
      }
      const context = { ...invocation.context, credentials: this.credentials };
      this.#child.send({ type: 'invoke', id, event: invocation.event.toString('base64'), context }, (error) => {
        if (!error) return;
        // The channel is gone (EPIPE): the process is dying; nothing more may be sent to it.
        void this.kill();
        this.#finish(id, {
          ok: false,
          error: {
            errorMessage: `the function instance could not be reached: ${error.message}`,
            errorType: 'InstanceExited',
            stackTrace: [],
          },
        });
      });
    });
  }

  /** Stop the process; resolves when it has exited. */
  kill(): Promise<void> {
    this.#stopping = true;
    if (!this.#gone) this.#child.kill('SIGKILL');
    return this.#exited;
  }
}

/**
 * An instance of the pool, from the moment it is started: how many invocations it has been given (those waiting
 * for it to start included) and, once idle, the timer that stops it.
 */
interface PoolEntry {
  readonly ready: Promise<Instance>;
  /** Set once started. */
  instance: Instance | undefined;
  active: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/** The instances of one function. */
export class FcInstancePool {
  readonly #options: InstancePoolOptions;
  /** Every instance, started or starting, oldest first. */
  readonly #entries: PoolEntry[] = [];
  #unpacked: Promise<string> | undefined;
  #stopped = false;

  constructor(options: InstancePoolOptions) {
    this.#options = options;
  }

  /**
   * Unpack the code package now, as FC does when the function is deployed, so that no invocation waits for it;
   * a package that cannot be read fails the first invocation, as before.
   */
  unpack(): Promise<void> {
    return this.#codeRoot().then(
      () => undefined,
      () => undefined,
    );
  }

  /** The code package, copied once into a directory of its own (as FC unpacks it for its instances). */
  #codeRoot(): Promise<string> {
    this.#unpacked ??= (async () => {
      const dir = await mkdtemp(path.join(tmpdir(), `fc-${this.#options.functionName.slice(0, 40)}-`));
      try {
        await cp(this.#options.codeDir, dir, { recursive: true });
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw new FcInstanceError(
          `the code package ${this.#options.codeDir} of ${this.#options.functionName} cannot be read (run npm run build)`,
          { cause: error },
        );
      }
      return dir;
    })();
    return this.#unpacked;
  }

  /** May this instance be given another invocation now? */
  #canTake(entry: PoolEntry, freshUntil: number): boolean {
    if (entry.active >= this.#options.concurrency) return false;
    const instance = entry.instance;
    return instance === undefined || (!instance.gone && instance.expiresAt.getTime() > freshUntil);
  }

  /**
   * An instance for one more invocation: the busiest one that may take it (FC fills instances before it starts
   * new ones), else a new one. Idle instances whose keys are about to expire are stopped on the way.
   */
  #take(start: () => InstanceStart): PoolEntry {
    const freshUntil = this.#options.now().getTime() + KEY_MARGIN_MS;
    let chosen: PoolEntry | undefined;
    for (const entry of [...this.#entries].reverse()) {
      if (this.#canTake(entry, freshUntil)) {
        if (chosen === undefined || entry.active > chosen.active) chosen = entry;
      } else if (entry.active === 0 && entry.instance !== undefined) {
        void this.#retire(entry);
      }
    }
    if (chosen === undefined) {
      const prefix = this.#options.printLogs() ? `[${this.#options.functionName}]` : undefined;
      const entry: PoolEntry = {
        ready: this.#codeRoot().then((cwd) => Instance.start(cwd, start(), prefix)),
        instance: undefined,
        active: 0,
        idleTimer: undefined,
      };
      this.#entries.push(entry);
      entry.ready.then(
        (instance) => {
          entry.instance = instance;
        },
        () => this.#forget(entry),
      );
      chosen = entry;
    }
    if (chosen.idleTimer) clearTimeout(chosen.idleTimer);
    chosen.idleTimer = undefined;
    chosen.active += 1;
    return chosen;
  }

  #forget(entry: PoolEntry): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    const at = this.#entries.indexOf(entry);
    if (at !== -1) this.#entries.splice(at, 1);
  }

  async #retire(entry: PoolEntry): Promise<void> {
    this.#forget(entry);
    const instance = await entry.ready.catch(() => undefined);
    await instance?.kill();
  }

  #release(entry: PoolEntry): void {
    entry.active -= 1;
    // Never started, dead, or the cloud is stopping (which stops every instance anyway): out of the pool.
    if (this.#stopped || entry.instance === undefined || entry.instance.gone) {
      void this.#retire(entry);
      return;
    }
    if (entry.active > 0) return;
    entry.idleTimer = setTimeout(() => void this.#retire(entry), this.#options.idleMs);
    entry.idleTimer.unref();
  }

  /**
   * Run one invocation on an instance that may take it, or on a new one when none may (`start` gives the new
   * instance's environment and keys).
   */
  async invoke(invocation: InstanceInvocation, start: () => InstanceStart): Promise<InstanceOutcome> {
    if (this.#stopped)
      throw new FcInstanceError(`the local cloud is stopping; ${this.#options.functionName} was not run`);
    const entry = this.#take(start);
    try {
      const instance = await entry.ready;
      if (this.#stopped)
        throw new FcInstanceError(`the local cloud is stopping; ${this.#options.functionName} was not run`);
      return await instance.invoke(invocation);
    } finally {
      this.#release(entry);
    }
  }

  /** How many instances are running or starting (busy or idle). */
  get size(): number {
    return this.#entries.length;
  }

  /** Stop every instance and remove the unpacked code package. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#entries].map((entry) => this.#retire(entry)));
    const dir = await this.#unpacked?.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
