/**
 * CLI of the local cloud: `npm run local-cloud -- --port <n> --accounts <file> [--state <file>] [--faults <file>]
 * [--services <file>]`. Prints exactly one ready line, `local cloud listening on http://127.0.0.1:<port>`, and
 * stops cleanly (saving state) on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { loadAccountsFile } from './accounts.js';
import { parseFaults } from './faults.js';
import { startLocalCloud } from './server.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is an integer 0-65535 (0 picks a free one)');
  return port;
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the ${what} file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('local-cloud')
    .description(
      'Emulated Alibaba Cloud (RAM, STS, DTS, Tablestore, EventBridge, FC, KMS) over loopback for the real SDKs',
    )
    .requiredOption('--accounts <file>', 'accounts file (see local/accounts.example.json)')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', parsePort, 0)
    .option('--state <file>', 'persist state to this JSON file and reload it on start')
    .option('--faults <file>', 'fault configuration JSON (latency, QPS limits, 5xx rate, outages)')
    .option('--services <file>', 'per-service options JSON, e.g. { "ram": { "prettyPrint": true } }')
    .parse([...argv]);
  const opts = program.opts<{ accounts: string; port: number; state?: string; faults?: string; services?: string }>();
  const accounts = await loadAccountsFile(opts.accounts);
  const faults = opts.faults ? parseFaults(await readJsonFile(opts.faults, 'faults'), opts.faults) : undefined;
  const services = opts.services
    ? ((await readJsonFile(opts.services, 'services')) as Record<string, unknown>)
    : undefined;
  const cloud = await startLocalCloud({
    port: opts.port,
    accounts,
    ...(faults ? { faults } : {}),
    ...(services ? { services } : {}),
    ...(opts.state ? { statePath: opts.state } : {}),
  });
  process.stdout.write(`local cloud listening on ${cloud.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    cloud.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`local cloud: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`local cloud: ${(error as Error).message}\n`);
  process.exit(1);
});
