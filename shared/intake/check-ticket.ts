import type { Grant, GrantKey, GrantMode, RoleKey } from '../domain/grant.js';
import { roleId } from '../domain/ownership.js';
import { preflightNotAsked, preflightQuestions, type UncheckedQuestion } from '../domain/preflight.js';
import type { AccountPartition } from '../domain/validation.js';
import type { Clock, GrantStore } from '../ports.js';
import { type AuthenticatedTicket, Rejection } from './authenticate.js';
import type { Guardrails } from './guardrails.js';
import type { AccountPreflight } from './preflight.js';
import { type RoleTicketTarget, roleTicketTarget } from './role-tickets.js';
import { type TencentIntake, tencentReadinessProblems } from './tencent-readiness.js';
import { ticketGrants } from './ticket-grants.js';
import {
  type GrantTicketBody,
  isGrantTicket,
  type ModeTicketBody,
  type ResumeTicketBody,
  TicketAction,
} from './ticket-message.js';

/** An authenticated ticket after every check of its action: what it would change. */
export type CheckedTicket =
  | {
      readonly action: typeof TicketAction.Declare | typeof TicketAction.Revoke;
      readonly body: GrantTicketBody;
      /** The grants it declares (as they would be stored) or revokes. */
      readonly grants: readonly Grant[];
      /** Preflight questions of a declaration that could not be answered (recorded with its grants). */
      readonly unchecked: readonly UncheckedQuestion[];
    }
  | { readonly action: typeof TicketAction.Mode; readonly body: ModeTicketBody; readonly target: RoleTicketTarget }
  | { readonly action: typeof TicketAction.Resume; readonly body: ResumeTicketBody; readonly target: RoleTicketTarget };

/** What checking a ticket reads. */
export interface CheckTicketDeps {
  readonly clock: Pick<Clock, 'now'>;
  readonly guardrails: Guardrails;
  readonly partitions?: Readonly<Record<string, AccountPartition>>;
  /** The partition of an account `partitions` does not list. */
  readonly defaultPartition?: AccountPartition;
  readonly grants: Pick<GrantStore, 'listManagedRoles' | 'listGrantsForRole'>;
  /** The live-account preflight of a declaration (after the rules, before anything is stored). */
  readonly preflight?: Pick<AccountPreflight, 'check'>;
  /** The deployment's Tencent side; absent when Tencent is not configured (Tencent declarations are refused). */
  readonly tencent?: TencentIntake | undefined;
}

/**
 * Every check an authenticated ticket goes through before anything is stored: for `declare`/`revoke` the DTS
 * rules, guardrails and authority ({@link ticketGrants}) and, for a declaration, the live-account preflight; for `resume`/`mode` the role and authority checks
 * ({@link roleTicketTarget}). The intake applies what this returns; a preview shows it. Reads only. Throws
 * `Rejection` with every problem.
 */
export async function checkTicket(ticket: AuthenticatedTicket, deps: CheckTicketDeps): Promise<CheckedTicket> {
  const { body, identity } = ticket;
  if (isGrantTicket(body)) {
    if (body.action === TicketAction.Declare) {
      // First: a deployment that cannot act on the ticket's cloud says so before any rule of that cloud.
      const unready = await tencentReadinessProblems(body.relationship, deps.tencent, 'message.body.relationship');
      if (unready.length > 0) throw new Rejection(unready);
    }
    const grants = await ticketGrants(body, {
      now: deps.clock.now(),
      guardrails: deps.guardrails,
      ...(deps.partitions ? { partitions: deps.partitions } : {}),
      ...(deps.defaultPartition ? { defaultPartition: deps.defaultPartition } : {}),
      grants: deps.grants,
      origin: { system: ticket.system, keyId: identity.keyId, messageId: identity.messageId },
      systems: ticket.systems,
    });
    let unchecked: readonly UncheckedQuestion[] = [];
    if (body.action === TicketAction.Declare && deps.preflight) {
      const verdict = await deps.preflight.check(preflightQuestions(body.relationship, 'message.body.relationship'));
      if (verdict.problems.length > 0) throw new Rejection([...verdict.problems], 'preflight');
      unchecked = [...verdict.unchecked, ...preflightNotAsked(body.relationship)];
    }
    return { action: body.action, body, grants, unchecked };
  }
  const target = await roleTicketTarget(body, { grants: deps.grants, system: ticket.system, systems: ticket.systems });
  return body.action === TicketAction.Mode
    ? { action: TicketAction.Mode, body, target }
    : { action: TicketAction.Resume, body, target };
}

/** The roles a checked ticket touches (reconciled at once after intake), each once, in ticket order. */
export function rolesOf(checked: CheckedTicket): RoleKey[] {
  const keys: readonly RoleKey[] =
    checked.action === TicketAction.Mode || checked.action === TicketAction.Resume
      ? [checked.body.role]
      : checked.grants;
  const roles = new Map<string, RoleKey>();
  for (const k of keys) roles.set(roleId(k), { ownerAccountId: k.ownerAccountId, roleName: k.roleName });
  return [...roles.values()];
}

/** The grant rows a checked ticket would leave: rows to write (declared, or switched to a mode) and keys to remove. */
export function grantChangesOf(checked: CheckedTicket): { put: Grant[]; remove: GrantKey[] } {
  switch (checked.action) {
    case TicketAction.Declare:
      return { put: [...checked.grants], remove: [] };
    case TicketAction.Revoke:
      return { put: [], remove: [...checked.grants] };
    case TicketAction.Mode:
      return {
        put: checked.target.targeted.map((g) => ({ ...g, mode: checked.body.mode as GrantMode })),
        remove: [],
      };
    case TicketAction.Resume:
      return { put: [], remove: [] };
  }
}
