/**
 * The local cloud in a child process (`local/harness/local-cloud-main.ts`), so the emulated services and the code under
 * measure each get a core, driven through the local cloud's admin route: faults, the request log, console edits,
 * its CPU time and connection counts, and (with the bundles deployed to its FC) waiting for async invocations.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { AdminEdit } from '../local/cloud/admin.js';
import type { FaultsConfig } from '../local/cloud/faults.js';
import { editInConsole } from '../local/harness/console-edits.js';
import { LOCAL_EVENT_BUS } from '../local/harness/local-environment.js';
import { sYamlHeapLimitMiB } from './s-yaml-heap.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY = /^local cloud listening on (http:\/\/127\.0\.0\.1:\d+)(?:, (https:\/\/127\.0\.0\.1:\d+))?$/m;

/** One entry of the local cloud's request log, as the admin route answers it. */
const LogEntrySchema = z.object({
  time: z.string(),
  durationMs: z.number().optional(),
  service: z.string(),
  action: z.string(),
  accountId: z.string().optional(),
  accessKeyId: z.string().optional(),
  resource: z.string().optional(),
  status: z.number(),
  code: z.string().optional(),
});
/** A request-log entry. */
export type LogEntry = z.infer<typeof LogEntrySchema>;
const LogSchema = z.object({ entries: z.array(LogEntrySchema) });

/** The cloud process's CPU time and what its transport accepted (`GET /__admin/usage`). */
const UsageSchema = z.object({ cpuMs: z.number(), connections: z.number(), tlsSessions: z.number() });
/** See {@link UsageSchema}. */
export type CloudUsage = z.infer<typeof UsageSchema>;

/** The part of the local FC's invocation records the bench reads. */
const InvocationsSchema = z.object({
  invocations: z.array(
    z.object({
      functionName: z.string(),
      invocationType: z.string(),
      taskId: z.string().optional(),
      attempt: z.number(),
      status: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});
/** One FC invocation record. */
export type FcInvocation = z.infer<typeof InvocationsSchema>['invocations'][number];

/** How to start the cloud process. */
export interface CloudProcessOptions {
  /** Also serve https with this certificate (PEM files). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Deploy dist/ to the local FC with s.yaml's heap limit, the functions' environment extended with these. */
  readonly deployBundles?: Readonly<Record<string, string>>;
  /** Deploy this build instead of dist/ (an A/B comparison). */
  readonly distDir?: string | undefined;
}

/** A local cloud running in a child process. */
export interface CloudProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The https port's address, when started with TLS. */
  readonly tls?: { readonly url: string; readonly endpoint: string };
  /** The child's process id. */
  readonly pid: number;
  usage(): Promise<CloudUsage>;
  /** Wait until every asynchronous FC invocation has finished; the invocation records. */
  drainInvocations(): Promise<FcInvocation[]>;
  setFaults(faults: FaultsConfig): Promise<void>;
  /** The request log since it was last cleared. */
  log(): Promise<LogEntry[]>;
  clearLog(): Promise<void>;
  edit(edit: AdminEdit): Promise<void>;
  stop(): Promise<void>;
}

/** Start the local cloud with these accounts in a child process; resolves once it prints its ready line. */
export async function startCloudProcess(
  accountsDocument: unknown,
  options: CloudProcessOptions = {},
): Promise<CloudProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dts-trust-bench-'));
  const accountsFile = path.join(dir, 'accounts.json');
  const servicesFile = path.join(dir, 'services.json');
  await writeFile(accountsFile, JSON.stringify(accountsDocument));
  await writeFile(servicesFile, JSON.stringify({ eventbridge: { buses: [LOCAL_EVENT_BUS] } }));
  const args = ['--import', 'tsx', 'local/harness/local-cloud-main.ts', '--port', '0', '--accounts', accountsFile];
  args.push('--services', servicesFile);
  if (options.tls) args.push('--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile);
  if (options.deployBundles) {
    args.push('--deploy-bundles', ...(options.distDir ? [options.distDir] : []));
    const env = { NODE_OPTIONS: `--max-old-space-size=${sYamlHeapLimitMiB()}`, ...options.deployBundles };
    for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`);
  }
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const { url, tlsUrl } = await readyUrls(child);
  const admin = async (route: string, init: RequestInit = {}): Promise<unknown> => {
    const res = await fetch(`${url}/__admin/${route}`, init);
    if (!res.ok)
      throw new Error(`local cloud admin ${init.method ?? 'GET'} ${route}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url,
    endpoint: url.slice('http://'.length),
    ...(tlsUrl ? { tls: { url: tlsUrl, endpoint: tlsUrl.slice('https://'.length) } } : {}),
    pid: child.pid ?? 0,
    async usage() {
      return UsageSchema.parse(await admin('usage'));
    },
    async drainInvocations() {
      return InvocationsSchema.parse(await admin('fc/drain', { method: 'POST' })).invocations;
    },
    async setFaults(faults) {
      await admin('faults', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
    },
    async log() {
      return LogSchema.parse(await admin('log')).entries;
    },
    async clearLog() {
      await admin('log', { method: 'DELETE' });
    },
    edit: (edit) => editInConsole({ url }, edit),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function readyUrls(child: ChildProcess): Promise<{ url: string; tlsUrl: string | undefined }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error('the local cloud did not start within 60 s')), 60_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = READY.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], tlsUrl: match[2] });
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('exit', (code) => fail(new Error(`the local cloud exited with ${code} before it was ready: ${err}`)));
  });
}
