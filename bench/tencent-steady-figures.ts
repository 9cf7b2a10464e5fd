/**
 * The Tencent steady state's figures and bars (pure: no I/O): the floor CAM's APIs allow for a fleet, the figures of
 * a counted run from the local cloud's request log, and the checks the bench prints and keeps in bench/results.json.
 */
import type { Check } from './report.js';
import type { TencentFleetSize } from './tencent-fleet.js';

/** The outcomes of a run, by outcome name. */
type Outcomes = Readonly<Record<string, number | undefined>>;

/** The Tencent fleets the bench counts: each owner past one DescribeRoleList page, the task account's policies past one ListPolicies page. */
export const TENCENT_FLEETS = {
  quick: { owners: 2, rolesPerOwner: 250 },
  full: { owners: 4, rolesPerOwner: 500 },
} as const satisfies Record<string, TencentFleetSize>;

/** CAM's page size for DescribeRoleList and ListPolicies. */
const CAM_PAGE = 200;

/** The CAM actions of the steady state, each the cheapest way CAM offers to read what the plan needs. */
export const TencentSteadyRead = {
  /** The owned roles with trust and description, 200 a call, per owner account. */
  describeRoleList: 'DescribeRoleList',
  /** A role's attached policies: CAM has no listing of attachments across roles. */
  listAttachedRolePolicies: 'ListAttachedRolePolicies',
  /** The custom policies dts-trust named, 200 a call, per trusted account. */
  listPolicies: 'ListPolicies',
  /** A sub-account policy's document. */
  getPolicy: 'GetPolicy',
  /** A sub-account policy's users. */
  listEntitiesForPolicy: 'ListEntitiesForPolicy',
} as const;

/** What a steady-state run may cost at least, call by call. */
export interface TencentSteadyFloor {
  readonly camReadsByAction: Readonly<Record<string, number>>;
  readonly camReads: number;
  /** Owners and the trusted account: one AssumeRole each. */
  readonly assumeRole: number;
}

/** The floor of a fleet: what CAM's APIs allow at the least for roles all in sync. */
export function tencentSteadyFloor(size: TencentFleetSize, subUserRoles: number): TencentSteadyFloor {
  const roles = size.owners * size.rolesPerOwner;
  const camReadsByAction = {
    [TencentSteadyRead.describeRoleList]: size.owners * Math.max(1, Math.ceil(size.rolesPerOwner / CAM_PAGE)),
    [TencentSteadyRead.listAttachedRolePolicies]: roles,
    [TencentSteadyRead.listPolicies]: Math.max(1, Math.ceil(subUserRoles / CAM_PAGE)),
    [TencentSteadyRead.getPolicy]: subUserRoles,
    [TencentSteadyRead.listEntitiesForPolicy]: subUserRoles,
  };
  const camReads = Object.values(camReadsByAction).reduce((a, b) => a + b, 0);
  return { camReadsByAction, camReads, assumeRole: size.owners + 1 };
}

/** What one steady-state run of a Tencent fleet cost. */
export interface TencentSteadyFigures {
  readonly owners: number;
  readonly roles: number;
  /** Roles whose grant names a sub-user (a sub-account policy in the task account each). */
  readonly subUserRoles: number;
  readonly outcomes: Outcomes;
  readonly camReadsByAction: Readonly<Record<string, number>>;
  /** By account (the one the call acted in), its CAM reads by action. */
  readonly camReadsByAccount: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly camReads: number;
  readonly camReadsPerRole: number;
  /** CAM calls other than reads (a steady state makes none). */
  readonly camWrites: number;
  readonly assumeRole: number;
  /** Accounts entered: the owners and the task account. */
  readonly accountsEntered: number;
  readonly tablestoreRequestsPerRole: number;
  readonly floor: TencentSteadyFloor;
  /** The run's reads are the floor's, action by action, and it wrote nothing. */
  readonly atFloor: boolean;
}

/** A CAM read: every Get, List and Describe action (any other changes something). */
const isCamRead = (action: string): boolean => /^(Get|List|Describe)/.test(action);

/** The figures of a measured run from its request log. */
export function figuresOf(
  size: TencentFleetSize,
  fleet: { readonly subUserRoles: number },
  run: { readonly outcomes: Outcomes },
  log: readonly { readonly service: string; readonly action: string; readonly accountId?: string | undefined }[],
): TencentSteadyFigures {
  const roles = size.owners * size.rolesPerOwner;
  const camReadsByAction: Record<string, number> = {};
  const camReadsByAccount: Record<string, Record<string, number>> = {};
  let camWrites = 0;
  let assumeRole = 0;
  let tablestore = 0;
  for (const entry of log) {
    if (entry.service === 'cam') {
      if (isCamRead(entry.action)) {
        camReadsByAction[entry.action] = (camReadsByAction[entry.action] ?? 0) + 1;
        const accountId = entry.accountId ?? 'unknown';
        const ofAccount = camReadsByAccount[accountId] ?? {};
        ofAccount[entry.action] = (ofAccount[entry.action] ?? 0) + 1;
        camReadsByAccount[accountId] = ofAccount;
      } else camWrites += 1;
    } else if (entry.service === 'tencent-sts' && entry.action === 'AssumeRole') assumeRole += 1;
    else if (entry.service === 'tablestore') tablestore += 1;
  }
  const camReads = Object.values(camReadsByAction).reduce((a, b) => a + b, 0);
  const floor = tencentSteadyFloor(size, fleet.subUserRoles);
  const atFloor =
    camWrites === 0 &&
    assumeRole === floor.assumeRole &&
    Object.entries(floor.camReadsByAction).every(([action, n]) => (camReadsByAction[action] ?? 0) === n) &&
    camReads === floor.camReads;
  return {
    owners: size.owners,
    roles,
    subUserRoles: fleet.subUserRoles,
    outcomes: run.outcomes,
    camReadsByAction,
    camReadsByAccount,
    camReads,
    camReadsPerRole: camReads / roles,
    camWrites,
    assumeRole,
    accountsEntered: size.owners + 1,
    tablestoreRequestsPerRole: tablestore / roles,
    floor,
    atFloor,
  };
}

const perRole = (n: number, roles: number): string => (n / roles).toFixed(3);

/** The checks of a Tencent steady-state run: reads at the floor action by action, no write, one AssumeRole each. */
export function tencentSteadyChecks(t: TencentSteadyFigures): Check[] {
  const reads = Object.entries(t.camReadsByAction)
    .sort((a, b) => b[1] - a[1])
    .map(([action, n]) => `${action} ${perRole(n, t.roles)}`)
    .join(', ');
  const over = Object.entries(t.floor.camReadsByAction)
    .filter(([action, n]) => (t.camReadsByAction[action] ?? 0) !== n)
    .map(([action, n]) => `${action} ${t.camReadsByAction[action] ?? 0} against ${n}`);
  const unexpected = Object.keys(t.camReadsByAction).filter((a) => !(a in t.floor.camReadsByAction));
  const readsMet = over.length === 0 && unexpected.length === 0;
  const check = (measure: string, value: string, target: string, met: boolean, cause: string): Check =>
    met ? { measure, value, target, met } : { measure, value, target, met, cause };
  return [
    {
      measure: `tencent steady state: ${t.roles} roles in ${t.owners} owners, ${t.subUserRoles} with a sub-user policy`,
      value: JSON.stringify(t.outcomes),
      target: '',
    },
    check(
      'tencent steady state: CAM reads per role',
      `${perRole(t.camReads, t.roles)} (${reads})`,
      `the floor, ${perRole(t.floor.camReads, t.roles)}`,
      readsMet,
      `reads off the floor: ${[...over, ...unexpected.map((a) => `${a} not in the floor`)].join('; ')}`,
    ),
    check(
      'tencent steady state: CAM writes',
      String(t.camWrites),
      '0',
      t.camWrites === 0,
      'a settled fleet was written',
    ),
    check(
      'tencent steady state: AssumeRole per account entered',
      `${t.assumeRole} for ${t.accountsEntered}`,
      '1 each',
      t.assumeRole === t.accountsEntered,
      'credentials were asked for more than once per account and run',
    ),
    {
      measure: 'tencent steady state: Tablestore requests per role',
      value: t.tablestoreRequestsPerRole.toFixed(3),
      target: '',
    },
  ];
}
