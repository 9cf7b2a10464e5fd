import type { ValidationProblem } from '../domain/errors.js';
import type { Grant } from '../domain/grant.js';
import { roleId } from '../domain/ownership.js';
import type { GrantStore } from '../ports.js';
import { Rejection } from './authenticate.js';
import { roleTicketProblems, type TicketSystems } from './authority.js';
import { type ModeTicketBody, type ResumeTicketBody, TicketAction } from './ticket-message.js';

/** Codes of `resume` and `mode` rejections about the role they name. */
export const RoleTicketCode = {
  /** No grant row names the role (never declared, or every grant revoked). */
  RoleNotDeclared: 'RoleNotDeclared',
  /** `trustedAccountIds` names an account no grant of the role trusts. */
  GrantNotFound: 'GrantNotFound',
} as const;

/** What checking a role ticket needs. */
export interface RoleTicketContext {
  readonly grants: Pick<GrantStore, 'listGrantsForRole'>;
  /** The system the signing key authenticates. */
  readonly system: string;
  readonly systems: TicketSystems;
}

/** A `resume` or `mode` ticket after its checks: the role's grants and, for `mode`, those it switches. */
export interface RoleTicketTarget {
  /** Every grant row of the role (active or expired). */
  readonly roleGrants: readonly Grant[];
  /** The grants a `mode` ticket switches (all of the role's unless `trustedAccountIds` names some); empty for `resume`. */
  readonly targeted: readonly Grant[];
}

/**
 * The role a `resume` or `mode` ticket is about and the grants it touches, after the checks: the role has grant
 * rows (exact name; a name that differs in case is named in the fix), every account in `trustedAccountIds` has a
 * grant on it, and the acting system has the authority (see {@link roleTicketProblems}). One range read. Throws
 * {@link Rejection} with every problem.
 */
export async function roleTicketTarget(
  body: ResumeTicketBody | ModeTicketBody,
  context: RoleTicketContext,
): Promise<RoleTicketTarget> {
  // Exact names only: the grants table keys role names with their case, whatever a store compares.
  const roleGrants = (await context.grants.listGrantsForRole(body.role)).filter(
    (g) => g.roleName === body.role.roleName && g.ownerAccountId === body.role.ownerAccountId,
  );
  if (roleGrants.length === 0) {
    throw new Rejection([
      {
        code: RoleTicketCode.RoleNotDeclared,
        field: 'message.body.role',
        message: `no grant declares role ${roleId(body.role)}: there is nothing to ${body.action === TicketAction.Resume ? 'resume' : 'switch'}`,
        fix: 'name a role dts-trust manages, exactly as declared (role names are compared with their case); `status` lists them',
      },
    ]);
  }
  let targeted: Grant[] = [];
  const problems: ValidationProblem[] = [];
  if (body.action === TicketAction.Mode) {
    const wanted = body.trustedAccountIds;
    targeted = wanted === undefined ? roleGrants : roleGrants.filter((g) => wanted.includes(g.trustedAccountId));
    for (const [i, account] of (wanted ?? []).entries()) {
      if (roleGrants.some((g) => g.trustedAccountId === account)) continue;
      problems.push({
        code: RoleTicketCode.GrantNotFound,
        field: `message.body.trustedAccountIds[${i}]`,
        message: `role ${roleId(body.role)} has no grant trusting ${account}`,
        fix: `name accounts the role's grants trust: ${roleGrants.map((g) => g.trustedAccountId).join(', ')}`,
      });
    }
  }
  problems.push(...roleTicketProblems(body.action, roleGrants, targeted, context.system, context.systems));
  if (problems.length > 0) throw new Rejection(problems);
  return { roleGrants, targeted };
}
