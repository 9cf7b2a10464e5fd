/**
 * The access preview of a signed ticket before it is sent (`declare --preview`, ...): the intake's own
 * authentication and checks (so a ticket the intake would refuse is shown refused, with the same codes), then,
 * for every role the ticket touches, who is trusted now and after, the mode now and after, and what the dry run
 * against the grants as they would be would change in RAM. Changes nothing.
 */
import { desiredRoleFromGrants } from '../domain/desired-role.js';
import type { ValidationProblem } from '../domain/errors.js';
import type { GrantMode, RoleKey } from '../domain/grant.js';
import { roleArn, roleId } from '../domain/ownership.js';
import type { AccountPartition } from '../domain/validation.js';
import { authenticateTicket, Rejection } from '../intake/authenticate.js';
import type { TicketSystems } from '../intake/authority.js';
import {
  type CheckedTicket,
  type CheckTicketDeps,
  checkTicket,
  grantChangesOf,
  rolesOf,
} from '../intake/check-ticket.js';
import type { Guardrails } from '../intake/guardrails.js';
import { TicketAction } from '../intake/ticket-message.js';
import type { Clock, GrantStore, StatusStore } from '../ports.js';
import { describeAction, type RolePreview } from '../reconcile/index.js';
import { GrantOverlay } from './grant-overlay.js';

/** What the preview of one role shows. */
export interface RoleAccessPreview extends RoleKey {
  readonly arn: string;
  /** Accounts the role's active grants trust now, and after the ticket. */
  readonly trustedBefore: readonly string[];
  readonly trustedAfter: readonly string[];
  /** The role's mode now and after (absent: no active grant). */
  readonly modeBefore?: GrantMode;
  readonly modeAfter?: GrantMode;
  /** The flap pause a `resume` would clear. */
  readonly pausedReason?: string;
  /** What a reconcile would do in RAM once the ticket is in (held-back changes prefixed `held back:`). */
  readonly changes: readonly string[];
  /** Why the role could not be observed, when it could not. */
  readonly unreachable?: string;
}

/** The preview of one ticket. */
export interface TicketPreview {
  readonly action: string;
  /** `system:id`. */
  readonly ticket: string;
  /** True when the intake would refuse it (`problems` say why). */
  readonly rejected: boolean;
  readonly problems: readonly ValidationProblem[];
  readonly roles: readonly RoleAccessPreview[];
}

/** What a preview reads. */
export interface TicketPreviewDeps {
  readonly ticketSystems: TicketSystems;
  readonly guardrails: Guardrails;
  readonly partitions?: Readonly<Record<string, AccountPartition>>;
  readonly defaultPartition?: AccountPartition;
  /** The intake's live-account preflight of a declaration. */
  readonly preflight?: NonNullable<CheckTicketDeps['preflight']>;
  readonly grants: GrantStore;
  readonly status: Pick<StatusStore, 'getStatus'>;
  readonly clock: Pick<Clock, 'now'>;
  /** The dry run of one role against a grant store (observe and plan, no writes). */
  readonly dryRun: (grants: GrantStore, role: RoleKey) => Promise<RolePreview>;
}

function refused(body: unknown, problems: readonly ValidationProblem[]): TicketPreview {
  const b = (body ?? {}) as { action?: string; ticket?: { system?: string; id?: string } };
  return {
    action: String(b.action ?? ''),
    ticket: `${b.ticket?.system ?? '?'}:${b.ticket?.id ?? '?'}`,
    rejected: true,
    problems,
    roles: [],
  };
}

async function previewRole(
  role: RoleKey,
  checked: CheckedTicket,
  overlay: GrantStore,
  deps: TicketPreviewDeps,
): Promise<RoleAccessPreview> {
  const now = deps.clock.now();
  const before = desiredRoleFromGrants(role, await deps.grants.listGrantsForRole(role), now);
  const after = desiredRoleFromGrants(role, await overlay.listGrantsForRole(role), now);
  const status = checked.action === TicketAction.Resume ? await deps.status.getStatus(role) : undefined;
  let changes: string[] = [];
  let unreachable: string | undefined;
  try {
    const { plan } = await deps.dryRun(overlay, role);
    changes = [
      ...plan.actions.filter((a) => a.kind !== 'nothing').map(describeAction),
      ...plan.heldBack.map((a) => `held back: ${describeAction(a)}`),
    ];
  } catch (error) {
    unreachable = error instanceof Error ? error.message : String(error);
  }
  return {
    ...role,
    arn: roleArn(role),
    trustedBefore: before?.trustedAccountIds ?? [],
    trustedAfter: after?.trustedAccountIds ?? [],
    ...(before === undefined ? {} : { modeBefore: before.mode }),
    ...(after === undefined ? {} : { modeAfter: after.mode }),
    ...(status?.pausedReason === undefined ? {} : { pausedReason: status.pausedReason }),
    changes,
    ...(unreachable === undefined ? {} : { unreachable }),
  };
}

/** Preview the signed message `text` (a dts-trust/v1 message as it would go on the queue). */
export async function previewTicket(text: string, deps: TicketPreviewDeps): Promise<TicketPreview> {
  let checked: CheckedTicket;
  try {
    const ticket = await authenticateTicket(text, deps.ticketSystems);
    checked = await checkTicket(ticket, deps);
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    return refused((JSON.parse(text) as { body?: unknown }).body, error.problems);
  }
  const overlay = new GrantOverlay(deps.grants, grantChangesOf(checked));
  const roles: RoleAccessPreview[] = [];
  for (const role of rolesOf(checked)) roles.push(await previewRole(role, checked, overlay, deps));
  return {
    action: checked.action,
    ticket: `${checked.body.ticket.system}:${checked.body.ticket.id}`,
    rejected: false,
    problems: [],
    roles: roles.sort((a, b) => roleId(a).localeCompare(roleId(b))),
  };
}
