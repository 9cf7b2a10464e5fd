import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import {
  judgePreflight,
  type PreflightAnswer,
  PreflightCheck,
  type PreflightQuestion,
  type PreflightVerdict,
  questionKey,
} from '../domain/preflight.js';
import type { Clock, CredentialBroker, Random, RoleDirectory, UserDirectory } from '../ports.js';
import { type RetryPolicy, withRetry } from '../reconcile/retry.js';

/** What the preflight reads through: the management role of each account, its roles and its users. */
export interface PreflightDeps {
  readonly broker: CredentialBroker;
  readonly roles: Pick<RoleDirectory, 'getRole'>;
  readonly users: UserDirectory;
  /**
   * How a throttled or unavailable read is retried inside the invocation (the reconciler's retry rule), before the
   * message goes back to the queue; absent: no retry here, the redelivery asks again.
   */
  readonly retry?: { readonly policy: RetryPolicy; readonly clock: Pick<Clock, 'sleep'>; readonly random: Random };
}

/**
 * Asks the preflight's questions of the live accounts, each through the account's management role and each with
 * one RAM read (GetRole AliyunDTSDefaultRole, GetUser <role name>), and remembers every answer for the rest of the
 * run (one intake invocation). An account whose management role cannot be entered, or that may not make the
 * read, is answered `unchecked` with the reason, never as passed. A throttled or unreachable read is retried by the
 * retry rule (`deps.retry`); if it still fails, its retryable `CloudApiError` is thrown and not remembered, so the
 * redelivery asks again: nothing is guessed.
 */
export class AccountPreflight {
  readonly #deps: PreflightDeps;
  readonly #answers = new Map<string, Promise<PreflightAnswer>>();

  constructor(deps: PreflightDeps) {
    this.#deps = deps;
  }

  /** Ask every question (each at most once per run) and decide. Throws a retryable error for an unreachable account. */
  async check(questions: readonly PreflightQuestion[]): Promise<PreflightVerdict> {
    const answers = new Map<string, PreflightAnswer>();
    for (const q of questions) answers.set(questionKey(q), await this.answer(q));
    return judgePreflight(questions, answers);
  }

  /** The answer to one question, from this run's memory or from one read. */
  answer(q: PreflightQuestion): Promise<PreflightAnswer> {
    const key = questionKey(q);
    let pending = this.#answers.get(key);
    if (!pending) {
      pending = this.#read(q);
      this.#answers.set(key, pending);
      pending.catch(() => this.#answers.delete(key));
    }
    return pending;
  }

  async #read(q: PreflightQuestion): Promise<PreflightAnswer> {
    const ask = async () => {
      const account = await this.#deps.broker.credentialsFor(q.accountId);
      return q.check === PreflightCheck.DtsAuthorized
        ? (await this.#deps.roles.getRole(account, q.name)) !== undefined
        : await this.#deps.users.userExists(account, q.name);
    };
    const retry = this.#deps.retry;
    try {
      const present = await (retry ? withRetry(ask, retry.policy, retry) : ask());
      return { kind: present ? 'present' : 'absent' };
    } catch (error) {
      if (error instanceof CloudApiError && error.kind === CloudErrorKind.NoPermission) {
        return { kind: 'unchecked', reason: `${error.code}: ${error.message}` };
      }
      throw error;
    }
  }
}
