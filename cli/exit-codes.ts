import { CloudApiError, ConfigError, ValidationError } from '../shared/domain/errors.js';

/**
 * What the CLI's exit code says (README, "Exit codes"). Scripts can tell "done", "something failed", "nothing
 * done: bad input" and "done, but the audit trail has not reached the bus yet" apart.
 */
export const ExitCode = {
  /** Everything asked for was done, and every audit event reached the bus. */
  Ok: 0,
  /**
   * Something failed or needs a person: a role failed or ended in a conflict, an account could not be entered, the
   * cloud answered an error, the queue refused a ticket, a preview found the ticket would be rejected, `status`
   * found a role failed, paused, drifted or unseen (docs/cli.md lists every case).
   */
  Failed: 1,
  /** Nothing was done: a bad option, argument, file, key or environment variable (the message names it). */
  Usage: 2,
  /** The work was done, but audit events are still undelivered (in the outbox, or set aside): see `set-aside`. */
  AuditUndelivered: 3,
} as const;
/** One of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of a command that did its work with `failed` failures and left `undelivered` audit events. */
export function exitCodeOf(outcome: { readonly failed: number; readonly undelivered: number }): ExitCode {
  if (outcome.failed > 0) return ExitCode.Failed;
  return outcome.undelivered > 0 ? ExitCode.AuditUndelivered : ExitCode.Ok;
}

/**
 * The exit code of an error a command threw: 2 (nothing done) when the input was at fault (an option, a file, a
 * key, an environment variable, no credentials in the environment), 1 when the cloud or the program failed.
 */
export function exitCodeOfError(error: Error): ExitCode {
  if (error instanceof ValidationError || error instanceof ConfigError) return ExitCode.Usage;
  if (error instanceof CloudApiError && error.api.startsWith('credentials:')) return ExitCode.Usage;
  return ExitCode.Failed;
}
