/**
 * The preflight: what the guides require of the live accounts before the first role is built, as questions (one
 * RAM read each) and the decision their answers lead to. Pure: the intake asks the questions through ports.
 */
import { ErrorCatalog } from './catalog.js';
import type { ValidationProblem } from './errors.js';
import { Cloud } from './grant.js';
import { Guide, guideRule } from './guides.js';
import { type Relationship, relationshipRoles, taskAccountOf } from './relationship.js';

/** The role DTS creates in an account the first time the account authorizes DTS in the DTS console. */
export const DTS_DEFAULT_ROLE_NAME = 'AliyunDTSDefaultRole';

/** What one preflight question asks of one account. */
export const PreflightCheck = {
  /** GetRole AliyunDTSDefaultRole: the account authorized DTS to access its resources (and so opened DTS). */
  DtsAuthorized: 'dtsAuthorized',
  /** GetUser <role name>: no RAM user carries the name given as the role name. */
  NoUserByRoleName: 'noUserByRoleName',
  /** Not asked: the checks above are Alibaba RAM's, and the account is on another cloud (reported, never passed). */
  NotOnThisCloud: 'notOnThisCloud',
} as const;
/** One of {@link PreflightCheck}. */
export type PreflightCheck = (typeof PreflightCheck)[keyof typeof PreflightCheck];

/** One question: a check on one account, the name it reads, and the ticket field it is about. */
export interface PreflightQuestion {
  readonly accountId: string;
  readonly check: PreflightCheck;
  /** The RAM name read: `AliyunDTSDefaultRole`, or the declared role name (as a user name). */
  readonly name: string;
  /** The ticket field a failure is reported at (`message.body.relationship.source.accountId`). */
  readonly field: string;
  /** The account's part in the relationship (`source owner account`, `task account`). */
  readonly what: string;
}

/** What a read found: the entity is there, it is not, or the account could not be read (and why). */
export type PreflightAnswer =
  | { readonly kind: 'present' }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unchecked'; readonly reason: string };

/** A question the preflight could not answer: reported, never counted as passed. */
export interface UncheckedQuestion {
  readonly accountId: string;
  readonly check: PreflightCheck;
  readonly name: string;
  readonly reason: string;
}

/** The decision: every failed prerequisite as a problem, every question left unanswered. */
export interface PreflightVerdict {
  readonly problems: readonly ValidationProblem[];
  readonly unchecked: readonly UncheckedQuestion[];
}

/** A stable key of a question, for caching its answer within a run. */
export function questionKey(q: Pick<PreflightQuestion, 'accountId' | 'check' | 'name'>): string {
  return `${q.accountId}\u0000${q.check}\u0000${q.name.toLowerCase()}`;
}

/**
 * The questions a relationship raises, each once: every role owner must have authorized DTS and must not have a
 * RAM user by the declared role name; the task account must have opened DTS. Fields start with `prefix`.
 */
export function preflightQuestions(rel: Relationship, prefix: string): PreflightQuestion[] {
  if (rel.cloud === Cloud.Tencent) return [];
  const at = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  const questions = new Map<string, PreflightQuestion>();
  const add = (q: PreflightQuestion) => {
    if (!questions.has(questionKey(q))) questions.set(questionKey(q), q);
  };
  for (const role of relationshipRoles(rel)) {
    const what = `${role.side} owner account`;
    add({
      accountId: role.ownerAccountId,
      check: PreflightCheck.DtsAuthorized,
      name: DTS_DEFAULT_ROLE_NAME,
      field: at(`${role.side}.accountId`),
      what,
    });
    add({
      accountId: role.ownerAccountId,
      check: PreflightCheck.NoUserByRoleName,
      name: role.roleName,
      field: at(`${role.side}.roleName`),
      what,
    });
  }
  const task = taskAccountOf(rel);
  const taskField = rel.taskAccountId !== undefined ? 'taskAccountId' : relationshipRoles(rel)[0]?.trustedField;
  if (task !== undefined && taskField !== undefined) {
    add({
      accountId: task,
      check: PreflightCheck.DtsAuthorized,
      name: DTS_DEFAULT_ROLE_NAME,
      field: at(taskField),
      what: 'task account',
    });
  }
  return [...questions.values()];
}

/** Why a Tencent relationship's accounts are not preflighted. */
export const TENCENT_PREFLIGHT_REASON =
  'not asked on Tencent Cloud: the preflight looks for Alibaba RAM entities (AliyunDTSDefaultRole, a RAM user by the role name), and Tencent DTS documents no service-authorization role to look for in CAM; the first reconcile and the DTS oracle show whether the role works';

/**
 * The accounts of a relationship the preflight does not ask about, each with the reason (empty on Alibaba Cloud):
 * a Tencent relationship's owner and task accounts, recorded with the grant as unchecked, never as passed.
 */
export function preflightNotAsked(rel: Relationship): UncheckedQuestion[] {
  if (rel.cloud !== Cloud.Tencent) return [];
  const accounts = [...relationshipRoles(rel).map((r) => r.ownerAccountId), taskAccountOf(rel)];
  return [...new Set(accounts.filter((a): a is string => a !== undefined))].map((accountId) => ({
    accountId,
    check: PreflightCheck.NotOnThisCloud,
    name: Cloud.Tencent,
    reason: TENCENT_PREFLIGHT_REASON,
  }));
}

const PREREQUISITE = guideRule(Guide.Current, 'prerequisites: DTS may access the cloud resources of the account');

/** The problem a failed question is, or undefined when its answer passes it. */
function problemOf(q: PreflightQuestion, answer: PreflightAnswer): ValidationProblem | undefined {
  if (answer.kind === 'unchecked') return undefined;
  if (q.check === PreflightCheck.DtsAuthorized) {
    if (answer.kind === 'present') return undefined;
    return {
      code: 'AliyunUIDNotFound',
      field: q.field,
      message: `the ${q.what} ${q.accountId} has no ${DTS_DEFAULT_ROLE_NAME}: it never authorized DTS to access its resources, so it has not opened the DTS console and DTS would answer AliyunUIDNotFound (${PREREQUISITE})`,
      fix: `sign in to the DTS console once with account ${q.accountId} and authorize DTS to access its resources (this creates ${DTS_DEFAULT_ROLE_NAME}), then send the ticket again; ${ErrorCatalog.AliyunUIDNotFound.fix}`,
    };
  }
  if (answer.kind === 'absent') return undefined;
  return {
    code: 'RoleNameIsUser',
    field: q.field,
    message: `${JSON.stringify(q.name)} is the name of a RAM user in the ${q.what} ${q.accountId}, not of a role; DTS needs the name of a RAM role (${guideRule(Guide.Current, 'enter only the role name, not the RAM user name')})`,
    fix: `give the name of a RAM role for DTS (for example ram-for-dts), not the user ${JSON.stringify(q.name)}`,
  };
}

/** Decide the preflight from the answers: failures become problems, unanswered questions are reported as such. */
export function judgePreflight(
  questions: readonly PreflightQuestion[],
  answers: ReadonlyMap<string, PreflightAnswer>,
): PreflightVerdict {
  const problems: ValidationProblem[] = [];
  const unchecked: UncheckedQuestion[] = [];
  for (const q of questions) {
    const answer = answers.get(questionKey(q)) ?? { kind: 'unchecked', reason: 'not asked' };
    if (answer.kind === 'unchecked') {
      unchecked.push({ accountId: q.accountId, check: q.check, name: q.name, reason: answer.reason });
      continue;
    }
    const problem = problemOf(q, answer);
    if (problem) problems.push(problem);
  }
  return { problems, unchecked };
}
