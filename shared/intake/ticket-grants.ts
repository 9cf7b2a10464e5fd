import { ErrorCatalog } from '../domain/catalog.js';
import { ValidationError, type ValidationProblem } from '../domain/errors.js';
import type { Grant, GrantOrigin } from '../domain/grant.js';
import { expandRelationship } from '../domain/relationship.js';
import { parseTimestamp } from '../domain/timestamp.js';
import { type AccountPartition, validateGrant, validateRelationship } from '../domain/validation.js';
import type { GrantStore } from '../ports.js';
import { Rejection } from './authenticate.js';
import { authorityProblems, type TicketSystems } from './authority.js';
import { checkGuardrails, type Guardrails, latestExpiry } from './guardrails.js';
import { type GrantTicketBody, TicketAction } from './ticket-message.js';

/** What turning a ticket into grants needs. */
export interface TicketGrantsContext {
  readonly now: Date;
  readonly guardrails: Guardrails;
  readonly partitions?: Readonly<Record<string, AccountPartition>>;
  /** The partition of an account `partitions` does not list. */
  readonly defaultPartition?: AccountPartition;
  readonly grants: Pick<GrantStore, 'listManagedRoles' | 'listGrantsForRole'>;
  /** The authenticated message, recorded on every grant it writes; `origin.system` is the acting system. */
  readonly origin: GrantOrigin;
  /** What every ticketing system may do. */
  readonly systems: TicketSystems;
}

/**
 * The expiry a declared grant gets: its own `expiresAt`, or, without one, the latest the maximum lifetime allows
 * from the message's `issuedAt` (so a grant that would end with its DTS job still ends). Deterministic per
 * message, so a redelivery computes the same grant.
 */
function expiryOf(body: GrantTicketBody, guardrails: Guardrails): string {
  const issuedAt = parseTimestamp(body.issuedAt) ?? 0;
  return body.expiresAt ?? body.relationship.expiresAt ?? latestExpiry(issuedAt, guardrails).toISOString();
}

function lifetimeProblems(
  body: GrantTicketBody,
  grants: readonly Grant[],
  guardrails: Guardrails,
): ValidationProblem[] {
  const latest = latestExpiry(parseTimestamp(body.issuedAt) ?? 0, guardrails);
  return grants.flatMap((g, i) => {
    const expires = g.expiresAt === undefined ? undefined : parseTimestamp(g.expiresAt);
    if (expires === undefined || expires <= latest.getTime()) return [];
    return [
      {
        code: 'GrantLifetimeTooLong',
        field: `message.body.grants[${i}].expiresAt`,
        message: `expiresAt ${g.expiresAt} is more than ${guardrails.maxGrantDays} days after issuedAt (latest ${latest.toISOString()})`,
        fix: ErrorCatalog.GrantLifetimeTooLong.fix,
      },
    ];
  });
}

/** Grants whose role name differs only in case from a role already managed in the same owner account. */
async function caseConflicts(
  grants: readonly Grant[],
  store: Pick<GrantStore, 'listManagedRoles'>,
): Promise<ValidationProblem[]> {
  const problems: ValidationProblem[] = [];
  const owners = new Set(grants.map((g) => g.ownerAccountId));
  for (const owner of owners) {
    const wanted = new Map<string, { name: string; index: number }>();
    grants.forEach((g, index) => {
      if (g.ownerAccountId === owner) wanted.set(g.roleName.toLowerCase(), { name: g.roleName, index });
    });
    for await (const role of store.listManagedRoles({ ownerAccountId: owner })) {
      const match = wanted.get(role.roleName.toLowerCase());
      if (match && match.name !== role.roleName) {
        problems.push({
          code: 'RoleNameCaseConflict',
          field: `message.body.grants[${match.index}].roleName`,
          message: `role ${match.name} differs only in case from the managed role ${role.roleName} in ${owner}`,
          fix: `use ${role.roleName}, or a name that differs in more than case`,
        });
      }
    }
  }
  return problems;
}

/**
 * The grants a ticket declares or revokes, after every DTS rule, guardrail and intake rule: the relationship's
 * rules, the maximum lifetime, protected roles, case conflicts with managed roles and the acting system's
 * authority over the grants and roles it names. Throws {@link Rejection}
 * carrying every problem found.
 */
export async function ticketGrants(body: GrantTicketBody, context: TicketGrantsContext): Promise<Grant[]> {
  const options = {
    now: context.now,
    ...(context.partitions ? { partitions: context.partitions } : {}),
    ...(context.defaultPartition ? { defaultPartition: context.defaultPartition } : {}),
  };
  const declare = body.action === TicketAction.Declare;
  if (declare) {
    const problems = validateRelationship(body.relationship, { ...options, fieldPrefix: 'message.body.relationship' });
    if (problems.length > 0) throw new Rejection(problems);
  }
  let expanded: Grant[];
  try {
    expanded = expandRelationship(body.relationship, body.ticket);
  } catch (error) {
    if (error instanceof ValidationError) throw new Rejection([...error.problems]);
    throw error;
  }
  const grants = expanded.map((g) => ({
    ...g,
    ...(declare ? { expiresAt: expiryOf(body, context.guardrails) } : {}),
    ...(body.mode ? { mode: body.mode } : {}),
    origin: context.origin,
  }));
  const problems = [
    ...(declare
      ? grants.flatMap((g, i) => validateGrant(g, { ...options, fieldPrefix: `message.body.grants[${i}]` }))
      : []),
    ...(declare ? lifetimeProblems(body, grants, context.guardrails) : []),
    ...checkGuardrails(declare ? grants : [], context.guardrails, 'message.body'),
  ];
  if (problems.length > 0) throw new Rejection(problems);
  const stored = [
    ...(declare ? await caseConflicts(grants, context.grants) : []),
    ...(await authorityProblems(grants, body.action, context.origin.system, context.systems, context.grants)),
  ];
  if (stored.length > 0) throw new Rejection(stored);
  return grants;
}
