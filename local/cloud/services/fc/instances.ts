/**
 * Function instances of the local FC for functions deployed from a code directory (`codeDir`), run as FC's
 * nodejs20 runtime runs them: the code package unpacked into a directory of its own (so the function can load
 * only what the package ships), one node process per instance started with `runtime/bootstrap.cjs`, settings
 * and the role's keys in `process.env`, the handler `index.handler` loaded once per instance, one invocation at
 * a time per instance. Idle instances stay warm for the next invocation and are stopped after a while, when their
 * keys are about to expire, or when the cloud stops.
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

/** One running node process of a function. */
class Instance {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly credentials: FcCredentials;
  readonly expiresAt: Date;
  #onLog: ((line: string) => void) | undefined;
  #settle: ((outcome: InstanceOutcome) => void) | undefined;
  #next = 1;
  #gone = false;
  idleTimer: NodeJS.Timeout | undefined;

  private constructor(child: ChildProcess, start: InstanceStart, printPrefix: string | undefined) {
    this.#child = child;
    this.credentials = start.credentials;
    this.expiresAt = start.expiresAt;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.#onLog?.(line);
        if (printPrefix) process.stderr.write(`${printPrefix} ${line}\n`);
      });
    }
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#gone = true;
        this.#finish({
          ok: false,
          error: {
            errorMessage: `the function instance exited (code ${code ?? '-'}, signal ${signal ?? '-'}) before the invocation finished`,
            errorType: 'InstanceExited',
            stackTrace: [],
          },
        });
        resolve();
      });
    });
    child.on('message', (message: ResultMessage) => {
      if (message?.type !== 'result') return;
      this.#finish(
        message.ok
          ? { ok: true, result: decodeResult(message.result) }
          : {
              ok: false,
              error: message.error ?? { errorMessage: 'unknown error', errorType: 'Error', stackTrace: [] },
            },
      );
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

  get gone(): boolean {
    return this.#gone;
  }

  #finish(outcome: InstanceOutcome): void {
    const settle = this.#settle;
    this.#settle = undefined;
    this.#onLog = undefined;
    settle?.(outcome);
  }

  /** Run one invocation; a timeout stops the instance, as FC does. */
  invoke(invocation: InstanceInvocation): Promise<InstanceOutcome> {
    const id = this.#next++;
    return new Promise<InstanceOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.#finish({
          ok: false,
          error: {
            errorMessage: `Function timed out after ${invocation.timeoutSeconds} seconds`,
            errorType: 'FunctionTimeout',
            stackTrace: [],
          },
        });
        this.kill();
      }, invocation.timeoutSeconds * 1000);
      this.#onLog = invocation.onLog;
      this.#settle = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      if (invocation.crash) {
        void this.kill();
        return;
      }
      const context = { ...invocation.context, credentials: this.credentials };
      this.#child.send({ type: 'invoke', id, event: invocation.event.toString('base64'), context }, (error) => {
        if (error)
          this.#finish({ ok: false, error: { errorMessage: error.message, errorType: 'Error', stackTrace: [] } });
      });
    });
  }

  /** Stop the process; resolves when it has exited. */
  kill(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (!this.#gone) this.#child.kill('SIGKILL');
    return this.#exited;
  }
}

/** The instances of one function. */
export class FcInstancePool {
  readonly #options: InstancePoolOptions;
  readonly #idle: Instance[] = [];
  readonly #all = new Set<Instance>();
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

  async #take(start: () => InstanceStart): Promise<Instance> {
    const freshUntil = this.#options.now().getTime() + KEY_MARGIN_MS;
    for (;;) {
      const instance = this.#idle.pop();
      if (!instance) break;
      if (instance.idleTimer) clearTimeout(instance.idleTimer);
      if (!instance.gone && instance.expiresAt.getTime() > freshUntil) return instance;
      this.#all.delete(instance);
      void instance.kill();
    }
    const cwd = await this.#codeRoot();
    const prefix = this.#options.printLogs() ? `[${this.#options.functionName}]` : undefined;
    const instance = await Instance.start(cwd, start(), prefix);
    this.#all.add(instance);
    if (this.#stopped) {
      await this.#retire(instance);
      throw new FcInstanceError(`the local cloud is stopping; ${this.#options.functionName} was not run`);
    }
    return instance;
  }

  async #retire(instance: Instance): Promise<void> {
    this.#all.delete(instance);
    await instance.kill();
  }

  #release(instance: Instance): void {
    if (instance.gone || this.#stopped) {
      void this.#retire(instance);
      return;
    }
    instance.idleTimer = setTimeout(() => {
      const at = this.#idle.indexOf(instance);
      if (at !== -1) this.#idle.splice(at, 1);
      void this.#retire(instance);
    }, this.#options.idleMs);
    instance.idleTimer.unref();
    this.#idle.push(instance);
  }

  /**
   * Run one invocation on a warm instance, or on a new one when none is idle (`start` gives the new instance's
   * environment and keys).
   */
  async invoke(invocation: InstanceInvocation, start: () => InstanceStart): Promise<InstanceOutcome> {
    if (this.#stopped)
      throw new FcInstanceError(`the local cloud is stopping; ${this.#options.functionName} was not run`);
    const instance = await this.#take(start);
    try {
      return await instance.invoke(invocation);
    } finally {
      this.#release(instance);
    }
  }

  /** How many instances are running (busy or idle). */
  get size(): number {
    return this.#all.size;
  }

  /** Stop every instance and remove the unpacked code package. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#idle.length = 0;
    await Promise.all([...this.#all].map((i) => this.#retire(i)));
    const dir = await this.#unpacked?.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
