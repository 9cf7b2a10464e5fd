/**
 * The local cloud's HTTP server: one node:http server on 127.0.0.1 serving every emulated service (with `tls`, a
 * node:https server on a second port serves the same, sharing state, faults and log). Each request
 * goes to the admin API (`/__admin/...`) or to the first service module that accepts it; for a service call the
 * core identifies it, applies faults (latency, throttling, 5xx, outages), lets the module handle it, and appends
 * a small entry to the request log.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildAccountStates } from './accounts.js';
import { type AdminContext, handleAdmin } from './admin.js';
import { rpcErrorReply } from './auth/rpc-reply.js';
import type { AccountState, CallIdentity, CloudCall, CloudReply, RequestLogEntry, ServiceModule } from './contract.js';
import { type CloudClock, createCloudCore, type LocalCloudCore } from './core.js';
import { LocalCloudError } from './errors.js';
import { FaultInjector, type FaultsConfig } from './faults.js';
import { serviceModules } from './services/index.js';
import { captureState, readStateFile, restoreState, writeStateFile } from './state.js';

/** How to start the local cloud. */
export interface LocalCloudOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** The accounts document (the accounts file's JSON) or ready account states. */
  readonly accounts: unknown;
  readonly faults?: FaultsConfig;
  /** Per-service options, e.g. `{ ram: { prettyPrint: true } }`. */
  readonly services?: Readonly<Record<string, unknown>>;
  /** JSON file to persist state to (written after changes, at intervals and on stop; reloaded on start). */
  readonly statePath?: string;
  readonly clock?: CloudClock;
  /** Service modules, in routing order (default: all of services/index.ts). */
  readonly modules?: readonly ServiceModule[];
  /** Most request-log entries kept (oldest dropped); default 200,000. */
  readonly logLimit?: number;
  /** Also serve https, on a port of its own (0, the default, picks a free one), with this key and certificate (PEM). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer; readonly port?: number };
}

/** What the server's transport has done since it started (`GET /__admin/usage` adds the process CPU). */
export interface TransportCounters {
  /** TCP connections accepted. */
  connections: number;
  /** TLS sessions established (https only): a client that reuses its connections opens few. */
  tlsSessions: number;
}

/** A running local cloud. */
export interface LocalCloud {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, what SDK configs take as `endpoint`. */
  readonly endpoint: string;
  /** Where the same services answer over https, when started with {@link LocalCloudOptions.tls}. */
  readonly tls?: { readonly url: string; readonly port: number; readonly endpoint: string };
  /** Served requests, oldest first (cleared with `log.length = 0` or DELETE /__admin/log). */
  readonly log: RequestLogEntry[];
  readonly core: LocalCloudCore;
  /** Replace the fault configuration (validated). */
  setFaults(faults: FaultsConfig): void;
  /** Save state now (when a state path is set). */
  saveState(): Promise<void>;
  /** Stop serving, save state, close connections. */
  stop(): Promise<void>;
}

const MUTATION =
  /^(Create|Update|Delete|Attach|Detach|Tag|Untag|Put|Configure|Modify|Set|Add|Remove|Assume|Start|Stop|Batch|Invoke|Send|Receive|Change)/;
const STATE_DEBOUNCE_MS = 250;
const STATE_INTERVAL_MS = 5_000;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: CloudReply): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.byteLength) });
  res.end(body);
}

function errorCodeOf(reply: CloudReply): string | undefined {
  if (reply.status < 400) return undefined;
  const text = typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body).toString('utf8');
  const xmlCode = /^<\?xml[^>]*>\s*<Error\b[^>]*>[\s\S]*?<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  if (xmlCode) return xmlCode;
  try {
    const body = JSON.parse(text) as { Code?: unknown; code?: unknown; ErrorCode?: unknown };
    const code = body.Code ?? body.code ?? body.ErrorCode;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function withHeaders(reply: CloudReply, headers: Readonly<Record<string, string>> | undefined): CloudReply {
  return headers ? { ...reply, headers: { ...reply.headers, ...headers } } : reply;
}

/** The service options, with the accounts document's `tencent` section handed to the Tencent module. */
function withTencentAccounts(options: LocalCloudOptions): Readonly<Record<string, unknown>> | undefined {
  const section = options.accounts instanceof Map ? undefined : (options.accounts as { tencent?: unknown }).tencent;
  if (section === undefined) return options.services;
  const tencent = (options.services?.['tencent'] ?? {}) as Record<string, unknown>;
  return { ...options.services, tencent: { accounts: section, ...tencent } };
}

/** Start the local cloud; resolves once it listens. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const clock = options.clock ?? { now: () => new Date() };
  const accounts =
    options.accounts instanceof Map
      ? (options.accounts as Map<string, AccountState>)
      : buildAccountStates(options.accounts, clock.now());
  const services = withTencentAccounts(options);
  const core = createCloudCore({ accounts, clock, ...(services ? { services } : {}) });
  const modules = options.modules ?? serviceModules;
  const faults = new FaultInjector(() => core.now(), options.faults);
  const log: RequestLogEntry[] = [];
  const logLimit = options.logLimit ?? 200_000;
  const statePath = options.statePath;

  if (statePath) {
    const saved = await readStateFile(statePath);
    if (saved) restoreState(core, modules, saved);
  }

  let dirty = false;
  let saveTimer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();
  const saveState = async (): Promise<void> => {
    if (!statePath) return;
    dirty = false;
    const state = captureState(core, modules);
    saving = saving.then(() => writeStateFile(statePath, state)).catch(() => undefined);
    await saving;
  };
  const markDirty = (): void => {
    if (!statePath) return;
    dirty = true;
    if (saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      void saveState();
    }, STATE_DEBOUNCE_MS);
    saveTimer.unref();
  };
  const interval = statePath
    ? setInterval(() => {
        if (dirty) void saveState();
      }, STATE_INTERVAL_MS)
    : undefined;
  interval?.unref();

  const ramOptions = (options.services?.['ram'] ?? {}) as { principalsAsArrays?: boolean };
  const transport: TransportCounters = { connections: 0, tlsSessions: 0 };
  const adminContext: AdminContext = {
    core,
    log,
    faults,
    transport,
    modules,
    ramQuirks: { principalsAsArrays: ramOptions.principalsAsArrays === true },
    markDirty,
  };

  const record = (id: CallIdentity, status: number, code: string | undefined, startedAt?: number): void => {
    if (log.length >= logLimit) log.splice(0, Math.ceil(logLimit / 4));
    const now = core.now();
    const entry: RequestLogEntry = { time: now.toISOString(), service: id.service, action: id.action, status };
    if (startedAt !== undefined) entry.durationMs = now.getTime() - startedAt;
    if (id.accountId !== undefined) entry.accountId = id.accountId;
    if (id.accessKeyId !== undefined) entry.accessKeyId = id.accessKeyId;
    if (id.resource !== undefined) entry.resource = id.resource;
    if (code !== undefined) entry.code = code;
    log.push(entry);
  };

  const serve = async (call: CloudCall): Promise<CloudReply> => {
    if (call.url.pathname.startsWith('/__admin/')) return handleAdmin(adminContext, call);
    const module = modules.find((m) => m.accepts(call));
    if (!module) {
      const id = {
        service: 'unknown',
        action: call.headers['x-acs-action']?.toString() ?? call.url.searchParams.get('Action') ?? '',
      };
      const reply = rpcErrorReply(
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
      );
      record(id, 404, 'InvalidAction.NotFound');
      return reply;
    }
    const startedAt = core.now().getTime();
    let id: CallIdentity;
    try {
      id = module.identify(call, core);
    } catch {
      id = { service: module.name, action: '' };
    }
    const decision = faults.decide(id);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    let reply: CloudReply;
    if (decision.fault) {
      const { headers, ...fault } = decision.fault;
      reply = withHeaders(module.faultReply(fault, call), headers);
      record(id, reply.status, fault.code, startedAt);
      return reply;
    }
    try {
      reply = await module.handle(call, core);
    } catch (error) {
      reply =
        error instanceof LocalCloudError
          ? module.faultReply({ status: error.status, code: error.code, message: error.message }, call)
          : module.faultReply(
              {
                status: 500,
                code: 'InternalError',
                message: `The request processing has failed: ${(error as Error).message}`,
              },
              call,
            );
    }
    record(id, reply.status, errorCodeOf(reply), startedAt);
    if (statePath && reply.status < 400 && MUTATION.test(id.action)) markDirty();
    return reply;
  };

  let base = '';
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req)
      .then((body) =>
        serve({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', base), headers: req.headers, body }),
      )
      .then(
        (reply) => send(res, reply),
        (error: unknown) =>
          send(res, rpcErrorReply(500, 'InternalError', `Local cloud failure: ${(error as Error).message}`)),
      );
  };
  const server = createServer(listener);
  const tlsServer = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : undefined;
  const servers = tlsServer ? [server, tlsServer] : [server];
  for (const each of servers) {
    each.on('connection', () => {
      transport.connections += 1;
    });
    each.keepAliveTimeout = 30_000;
  }
  tlsServer?.on('secureConnection', () => {
    transport.tlsSessions += 1;
  });
  const listen = (each: (typeof servers)[number], port: number): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      each.once('error', reject);
      each.listen(port, '127.0.0.1', () => {
        each.off('error', reject);
        resolve((each.address() as AddressInfo).port);
      });
    });
  const port = await listen(server, options.port ?? 0);
  base = `http://127.0.0.1:${port}`;
  const tlsPort = tlsServer ? await listen(tlsServer, options.tls?.port ?? 0) : undefined;

  let stopped: Promise<void> | undefined;
  return {
    url: base,
    port,
    endpoint: `127.0.0.1:${port}`,
    ...(tlsPort === undefined
      ? {}
      : { tls: { url: `https://127.0.0.1:${tlsPort}`, port: tlsPort, endpoint: `127.0.0.1:${tlsPort}` } }),
    log,
    core,
    setFaults: (f) => faults.set(f),
    saveState,
    stop(): Promise<void> {
      stopped ??= (async () => {
        if (saveTimer) clearTimeout(saveTimer);
        if (interval) clearInterval(interval);
        const closed = servers.map((each) => new Promise<void>((resolve) => each.close(() => resolve())));
        for (const each of servers) each.closeAllConnections();
        await Promise.all(closed);
        await Promise.all(modules.map((m) => m.stop?.(core)));
        if (statePath) await saveState();
      })();
      return stopped;
    },
  };
}
