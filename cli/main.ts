/**
 * The operator CLI: `npm run cli -- <command>`. Reads the same environment variables as the functions
 * (docs/deploy.md) and the caller's own credentials from the default chain (ALIBABA_CLOUD_ACCESS_KEY_ID, ...).
 */
import { Command, CommanderError } from 'commander';
import { defaultChainKeys, staticKeys } from '../shared/alicloud/credentials.js';
import { createServices, type Services } from '../shared/composition/services.js';
import { loadConfig } from '../shared/config/config.js';
import { ValidationError } from '../shared/domain/errors.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import { createLogger } from '../shared/logger.js';
import {
  capLifetimesCommand,
  diagnose,
  EventIdSchema,
  grantsCommand,
  type Output,
  planCommand,
  RoleFilterSchema,
  reconcileCommand,
  replayCommand,
  revokeSystemCommand,
  SystemNameSchema,
  setAsideCommand,
} from './commands.js';
import { ExitCode, exitCodeOfError } from './exit-codes.js';
import { registerFindingCommands } from './findings.js';
import { registerInventoryCommand } from './inventory.js';
import { registerLifecycleCommands } from './lifecycle.js';
import { registerReportCommand } from './report.js';
import { bootstrapCommand, SetupOptionsSchema } from './setup.js';
import { registerTicketCommands } from './ticket.js';

const JSON_OPTION = ['--json', 'print one JSON document on stdout instead of text (docs/cli.md)'] as const;

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: Output = {
    line: (t) => console.log(t),
    diagnostic: (t) => console.error(t),
    interactive: Boolean(process.stdout.isTTY),
  },
): Promise<number> {
  let code = 0;
  let services: Services | undefined;
  const connect = async (): Promise<Services> => {
    if (!services) {
      const config = loadConfig(env);
      const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
      const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
      const token = env.ALIBABA_CLOUD_SECURITY_TOKEN;
      const ownKeys =
        id && secret
          ? staticKeys({ accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) })
          : defaultChainKeys();
      services = createServices(config, {
        ownKeys,
        tablestoreKeys: await ownKeys(),
        logger: createLogger({ write: (line) => diagnose(out, line) }),
      });
    }
    return services;
  };
  const filter = (opts: unknown) => {
    const parsed = RoleFilterSchema.safeParse(opts);
    if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'options'));
    return parsed.data;
  };
  const program = new Command('dts-trust')
    .description('Operate dts-trust: the declared DTS cross-account roles and their reconciliation')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.line(s.trimEnd()), writeErr: (s) => diagnose(out, s.trimEnd()) });
  program
    .command('setup')
    .alias('bootstrap')
    .description(
      'first deploy: create the tables (waiting until ready) and the event bus, and print (or create) the management role of each owner account',
    )
    .option(
      '--owner <uid...>',
      'owner accounts (besides allowedOwnerAccounts of the trust settings and those of stored grants)',
    )
    .option(
      '--task-account <uid...>',
      "task-creating or trusted accounts that need a management role (Alibaba: DTS read-only; Tencent UIN: the sub-users' AssumeRole policies)",
    )
    .option('--create-management-roles', "create the management roles through each account's keys (--credentials)")
    .option(
      '--credentials <file>',
      'JSON {"accounts": {"<uid>": {"accessKeyId", "accessKeySecret"}, "<tencent uin>": {"secretId", "secretKey"}}} for --create-management-roles',
    )
    .option(...JSON_OPTION)
    .action(async (opts: unknown) => {
      const parsed = SetupOptionsSchema.safeParse(opts);
      if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'options'));
      code = await bootstrapCommand(await connect(), out, parsed.data);
    });
  for (const [name, description, run] of [
    ['grants', 'list declared grants', grantsCommand],
    ['plan', 'dry run: what a reconcile would change, role by role (changes nothing)', planCommand],
    ['reconcile', 'reconcile the managed roles now and deliver the audit events', reconcileCommand],
  ] as const) {
    program
      .command(name)
      .description(description)
      .option('--owner <uid>', 'only roles in this owner account')
      .option('--role <name>', 'only this role name')
      .option(...JSON_OPTION)
      .action(async (opts: { json?: boolean }) => {
        code = await run(await connect(), out, filter(opts), { json: opts.json === true });
      });
  }
  program
    .command('set-aside')
    .description('list the audit events set aside because the bus refused them (docs/events.md)')
    .option(...JSON_OPTION)
    .action(async (opts: { json?: boolean }) => {
      code = await setAsideCommand(await connect(), out, { json: opts.json === true });
    });
  program
    .command('replay <eventId>')
    .description('put one set-aside audit event back into the outbox and deliver it')
    .option(...JSON_OPTION)
    .action(async (eventId: unknown, opts: { json?: boolean }) => {
      const parsed = EventIdSchema.safeParse(eventId);
      if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'eventId'));
      code = await replayCommand(await connect(), out, parsed.data, { json: opts.json === true });
    });
  program
    .command('cap-lifetimes')
    .description('upgrade step: give every stored grant without an expiry the maximum lifetime from now')
    .option(...JSON_OPTION)
    .action(async (opts: { json?: boolean }) => {
      code = await capLifetimesCommand(await connect(), out, { json: opts.json === true });
    });
  program
    .command('revoke-system')
    .description('remove every grant a ticketing system declared (a compromised one) and reconcile its roles now')
    .argument('<system>', 'the ticketing system, as named in ticketSystems of the trust settings')
    .option(...JSON_OPTION)
    .action(async (system: unknown, opts: { json?: boolean }) => {
      const parsed = SystemNameSchema.safeParse(system);
      if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'system'));
      code = await revokeSystemCommand(await connect(), out, parsed.data, { json: opts.json === true });
    });
  const evidence = {
    out,
    connect,
    done: (c: number) => {
      code = c;
    },
  };
  registerFindingCommands(program, evidence);
  registerReportCommand(program, evidence);
  registerInventoryCommand(program, evidence);
  registerLifecycleCommands(program, {
    env,
    out,
    connect,
    done: (c) => {
      code = c;
    },
  });
  registerTicketCommands(program, {
    env,
    out,
    done: (c) => {
      code = c;
    },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // Commander has printed its message (help: exit 0); a missing argument or an unknown option is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    if (error instanceof Error) {
      diagnose(out, `error: ${error.message}`);
      return exitCodeOfError(error);
    }
    throw error;
  }
  return code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runCli(process.argv.slice(2));
}
