/**
 * CLI of the local cloud: `npm run local-cloud -- --port <n> --accounts <file> [--state <file>] [--faults <file>]
 * [--services <file>] [--tls-cert <pem> --tls-key <pem>] [--deploy-bundles [dist]] [--env KEY=VALUE...]`. With
 * `--deploy-bundles` the built code packages are deployed to its FC as s.yaml deploys them, each function in node
 * processes of its own. Prints exactly one ready line, `local cloud listening on http://127.0.0.1:<port>`
 * (with `--tls-cert`, followed by `, https://127.0.0.1:<port>`), and stops cleanly (saving state) on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadAccountsFile } from '../cloud/accounts.js';
import { parseFaults } from '../cloud/faults.js';
import { startLocalCloud } from '../cloud/server.js';
import { setFcFunctionLogs } from '../cloud/services/fc/functions.js';
import type { QueuePoller } from '../cloud/triggers/queue-poller.js';
import { CodePackage, DIST_DIR, deployBundles } from './deployment.js';
import { LOCAL_EVENT_BUS } from './local-environment.js';
import { serveTicketQueue, TICKET_QUEUE } from './ticket-queue.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is an integer 0-65535 (0 picks a free one)');
  return port;
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = await readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot read the ${what} file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the ${what} file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`--env takes KEY=VALUE, not ${pair}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
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
    .option('--tls-cert <file>', 'also serve https, on a port of its own, with this certificate (PEM; needs --tls-key)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option(
      '--deploy-bundles [dist]',
      'deploy the built functions (npm run build) from dist/ as s.yaml does; each runs in node processes of its own',
    )
    .option('--env <KEY=VALUE...>', 'with --deploy-bundles: extra environment variables of the functions')
    .parse([...argv]);
  const opts = program.opts<{
    accounts: string;
    port: number;
    state?: string;
    faults?: string;
    services?: string;
    deployBundles?: string | true;
    env?: string[];
    tlsCert?: string;
    tlsKey?: string;
  }>();
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new InvalidArgumentError('--tls-cert and --tls-key go together: give both files or neither');
  }
  const tls =
    opts.tlsCert && opts.tlsKey
      ? { cert: await readTextFile(opts.tlsCert, 'TLS certificate'), key: await readTextFile(opts.tlsKey, 'TLS key') }
      : undefined;
  const accounts = await loadAccountsFile(opts.accounts);
  const faults = opts.faults ? parseFaults(await readJsonFile(opts.faults, 'faults'), opts.faults) : undefined;
  const services = opts.services
    ? ((await readJsonFile(opts.services, 'services')) as Record<string, unknown>)
    : undefined;
  const extraEnv = parseEnv(opts.env ?? []);
  // The deployed functions deliver their audit events to this bus.
  const withBus =
    opts.deployBundles === undefined
      ? services
      : {
          ...services,
          eventbridge: {
            ...((services?.['eventbridge'] as Record<string, unknown> | undefined) ?? {}),
            buses: [
              ...(((services?.['eventbridge'] as { buses?: string[] } | undefined)?.buses ?? []) as string[]),
              LOCAL_EVENT_BUS,
            ],
          },
        };
  const cloud = await startLocalCloud({
    port: opts.port,
    accounts,
    ...(faults ? { faults } : {}),
    ...(withBus ? { services: withBus } : {}),
    ...(opts.state ? { statePath: opts.state } : {}),
    ...(tls ? { tls } : {}),
  });
  let poller: QueuePoller | undefined;
  if (opts.deployBundles !== undefined) {
    const dist = opts.deployBundles === true ? DIST_DIR : path.resolve(opts.deployBundles);
    const missing = Object.values(CodePackage).filter((name) => !existsSync(path.join(dist, name, 'index.js')));
    if (missing.length > 0) {
      await cloud.stop();
      throw new Error(`${dist} has no ${missing.map((m) => `${m}/index.js`).join(', ')}: run npm run build first`);
    }
    setFcFunctionLogs(cloud.core);
    await deployBundles(cloud, extraEnv, dist);
    poller = await serveTicketQueue(cloud, {
      poller: {
        onDeliveries: (deliveries) => {
          for (const d of deliveries) {
            process.stderr.write(
              `ticket queue: ${d.messageIds.length} message(s) pushed to ticket-intake: ${d.outcome}\n`,
            );
          }
        },
        onError: (error) => process.stderr.write(`ticket queue: ${(error as Error).message}\n`),
      },
    });
    process.stderr.write(
      `deployed ${Object.keys(CodePackage).join(', ')} from ${dist} (function output is printed here, prefixed); ` +
        `the queue ${TICKET_QUEUE} is polled in the background (send with npm run cli -- ticket send, DTS_TRUST_MNS_ENDPOINT=${cloud.url})\n`,
    );
  }
  process.stdout.write(`local cloud listening on ${cloud.url}${cloud.tls ? `, ${cloud.tls.url}` : ''}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    (poller?.stop() ?? Promise.resolve())
      .then(() => cloud.stop())
      .then(
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
