/**
 * The local cloud in a child process (`local/harness/local-cloud-main.ts`), so the emulated services and the code under
 * measure each get a core, driven through the local cloud's admin route: faults, the request log, console edits.
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

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY = /^local cloud listening on (http:\/\/127\.0\.0\.1:(\d+))$/m;

/** One entry of the local cloud's request log, as the admin route answers it. */
const LogEntrySchema = z.object({
  service: z.string(),
  action: z.string(),
  accountId: z.string().optional(),
  status: z.number(),
  code: z.string().optional(),
});
/** A request-log entry. */
export type LogEntry = z.infer<typeof LogEntrySchema>;
const LogSchema = z.object({ entries: z.array(LogEntrySchema) });

/** A local cloud running in a child process. */
export interface CloudProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
  setFaults(faults: FaultsConfig): Promise<void>;
  /** The request log since it was last cleared. */
  log(): Promise<LogEntry[]>;
  clearLog(): Promise<void>;
  edit(edit: AdminEdit): Promise<void>;
  stop(): Promise<void>;
}

/** Start the local cloud with these accounts in a child process; resolves once it prints its ready line. */
export async function startCloudProcess(accountsDocument: unknown): Promise<CloudProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dts-trust-bench-'));
  const accountsFile = path.join(dir, 'accounts.json');
  const servicesFile = path.join(dir, 'services.json');
  await writeFile(accountsFile, JSON.stringify(accountsDocument));
  await writeFile(servicesFile, JSON.stringify({ eventbridge: { buses: [LOCAL_EVENT_BUS] } }));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/harness/local-cloud-main.ts',
      '--port',
      '0',
      '--accounts',
      accountsFile,
      '--services',
      servicesFile,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await readyUrl(child);
  const admin = async (route: string, init: RequestInit = {}): Promise<unknown> => {
    const res = await fetch(`${url}/__admin/${route}`, init);
    if (!res.ok)
      throw new Error(`local cloud admin ${init.method ?? 'GET'} ${route}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url,
    endpoint: url.slice('http://'.length),
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

function readyUrl(child: ChildProcess): Promise<string> {
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
        resolve(match[1]);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('exit', (code) => fail(new Error(`the local cloud exited with ${code} before it was ready: ${err}`)));
  });
}
