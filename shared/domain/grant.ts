import { z } from 'zod';

/** Clouds a grant can target. */
export const Cloud = { Alibaba: 'alibaba', Tencent: 'tencent' } as const;
/** One of {@link Cloud}. */
export type Cloud = (typeof Cloud)[keyof typeof Cloud];

/** How the engine treats a grant: apply changes, only plan and report them, or skip it. */
export const GrantMode = { Enforce: 'enforce', Observe: 'observe', Paused: 'paused' } as const;
/** One of {@link GrantMode}. */
export type GrantMode = (typeof GrantMode)[keyof typeof GrantMode];

/** The system policy DTS needs on every cross-account role. */
export const DTS_ROLE_POLICY = 'AliyunDTSRolePolicy';

/** Most DTS jobs one grant may name. */
export const MAX_GRANT_DTS_JOBS = 10;

/** A DTS job id (DescribeDtsJobs' `DtsJobId`): letters and digits. */
export const DtsJobIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9]{6,64}$/, 'must be a DTS job id (DtsJobId: 6 to 64 letters and digits)');

/** Where a grant came from: the approved ticket in a ticketing system. */
export const TicketRefSchema = z.object({
  system: z.string().min(1),
  id: z.string().min(1),
  requester: z.string().min(1),
  approver: z.string().min(1),
});
/** Where a grant came from. */
export type TicketRef = z.infer<typeof TicketRefSchema>;

/** Which authenticated message wrote a grant: the ticketing system whose key signed it, the key and the message id. */
export const GrantOriginSchema = z.object({
  system: z.string().min(1),
  keyId: z.string().min(1),
  messageId: z.string().min(1),
});
/** Which authenticated message wrote a grant. */
export type GrantOrigin = z.infer<typeof GrantOriginSchema>;

/**
 * One declaration: `trustedAccountId` may create DTS tasks that use role `roleName` in `ownerAccountId`.
 * The shape only; {@link validateGrant} in `validation.ts` checks the DTS rules and collects every problem.
 */
export const GrantSchema = z.object({
  ownerAccountId: z.string(),
  roleName: z.string(),
  trustedAccountId: z.string(),
  cloud: z.enum([Cloud.Alibaba, Cloud.Tencent]).default(Cloud.Alibaba),
  policies: z.array(z.string().min(1)).min(1).default([DTS_ROLE_POLICY]),
  externalId: z.string().min(2).max(1224).optional(),
  /** Tencent only: sub-users of the trusted root account that run the task and get the AssumeRole policy. */
  subAccountUins: z.array(z.string()).min(1).max(20).optional(),
  mode: z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]).default(GrantMode.Enforce),
  expiresAt: z.string().datetime({ offset: true }).optional(),
  /**
   * The DTS jobs the grant is for: it ends once every one of them has finished or was released (and by
   * `expiresAt` at the latest). Absent on grants written before grants could name jobs.
   */
  dtsJobIds: z.array(DtsJobIdSchema).min(1).max(MAX_GRANT_DTS_JOBS).optional(),
  adopt: z.boolean().default(false),
  ticket: TicketRefSchema,
  /** Absent on grants written before origins were recorded; see {@link grantOwnerSystem}. */
  origin: GrantOriginSchema.optional(),
  revision: z.number().int().nonnegative().default(0),
  createdAt: z.string().datetime({ offset: true }).optional(),
  updatedAt: z.string().datetime({ offset: true }).optional(),
});
/** A grant after parsing (defaults applied). */
export type Grant = z.infer<typeof GrantSchema>;
/** A grant as written by a caller (defaults optional). */
export type GrantInput = z.input<typeof GrantSchema>;

/**
 * The ticketing system a grant belongs to: the one whose key wrote it. A grant stored before origins were
 * recorded belongs to the system its ticket names (the best evidence that release kept).
 */
export function grantOwnerSystem(grant: Pick<Grant, 'origin' | 'ticket'>): string {
  return grant.origin?.system ?? grant.ticket.system;
}

/** The identity of a managed role: one role name in one owner account. */
export interface RoleKey {
  readonly ownerAccountId: string;
  readonly roleName: string;
}

/** The identity of a grant: a role key plus the trusted account. */
export interface GrantKey extends RoleKey {
  readonly trustedAccountId: string;
}

/** Order of role keys in the stores: owner account, then role name, in code-unit order (Tablestore's byte order for these ASCII keys). */
export function compareRoleKeys(a: RoleKey, b: RoleKey): number {
  if (a.ownerAccountId !== b.ownerAccountId) return a.ownerAccountId < b.ownerAccountId ? -1 : 1;
  if (a.roleName !== b.roleName) return a.roleName < b.roleName ? -1 : 1;
  return 0;
}
