/**
 * The error catalog: every code a declaration can be refused with, its cause and its fix. Codes with origin `dts`
 * are the ones the DTS console and API answer a cross-account task with; `dts-trust` codes are the product's own
 * rules that catch the same mistakes earlier (or ones DTS would only reveal later). Causes and fixes are written
 * like `ValidationProblem` messages (lower case, no final period) so they can be used as one.
 */

/** One catalog entry. */
export interface CatalogEntry {
  /** `dts`: DTS itself answers with this code; `dts-trust`: a product rule. */
  readonly origin: 'dts' | 'dts-trust';
  readonly cause: string;
  readonly fix: string;
}

/** Code -> cause and fix. */
export const ErrorCatalog = {
  AliyunUIDNotFound: {
    origin: 'dts',
    cause: 'the account ID is not a valid Alibaba Cloud account, or that account has never opened the DTS console',
    fix: 'check the account ID, and sign in to the DTS console once with that account',
  },
  AliyunUidFormat: {
    origin: 'dts',
    cause: 'the account ID is not in the UID format (a 16-digit number)',
    fix: 'give the 16-digit account ID shown on the account center page of the owner account',
  },
  'AssumeRoleFail.InvalidRoleArnFormat': {
    origin: 'dts',
    cause: 'a role ARN (acs:ram::...) was entered where the role name belongs',
    fix: 'give only the role name, the part after "role/" in the ARN',
  },
  'AssumeRoleFail.RoleNotExist': {
    origin: 'dts',
    cause: 'no role by that name exists in the owner account, or it lacks the permissions DTS needs',
    fix: 'create the role in the owner account (dts-trust does this for a declared grant) and check its name',
  },
  'AssumeRoleFail.NoPermission': {
    origin: 'dts',
    cause:
      'the role cannot be assumed: AliyunDTSRolePolicy is not attached, or the trust policy was not edited, still holds a placeholder, or was not saved',
    fix: 'attach AliyunDTSRolePolicy and trust the task account as RAM acs:ram::<uid>:root and Service <uid>@dts.aliyuncs.com',
  },
  NoPermission: {
    origin: 'dts',
    cause: 'access denied: the role lacks the permissions DTS needs',
    fix: 'attach AliyunDTSRolePolicy to the role',
  },
  'Abnormal.RamCheckUserRole': {
    origin: 'dts',
    cause: 'AliyunDTSDefaultRole was entered as the role name; cross-account tasks need a custom role',
    fix: 'give the name of a custom role such as ram-for-dts',
  },
  InvalidRoleName: {
    origin: 'dts-trust',
    cause: 'the role name is not 1-64 characters of letters, digits, "." and "-", so RAM rejects it',
    fix: 'choose a role name of 1-64 letters, digits, "." or "-", for example ram-for-dts',
  },
  RoleNameIsUser: {
    origin: 'dts-trust',
    cause: 'a RAM user name or user ARN was given where a role name belongs',
    fix: 'give the name of a RAM role in the owner account, not a user',
  },
  TrustedAccountIsOwner: {
    origin: 'dts-trust',
    cause:
      'the trusted account is the owner account itself; RAM rewrites the service principal to dts.aliyuncs.com and DTS cannot assume the role',
    fix: 'trust the account that creates the DTS task, not the account that owns the database',
  },
  TaskAccountMismatch: {
    origin: 'dts-trust',
    cause: 'the task account does not match the scenario: the role must trust the account that creates the task',
    fix: 'for a cross-account source the destination owner creates the task; for a cross-account destination the source owner does; otherwise use scenario "both"',
  },
  TwoWayUnsupported: {
    origin: 'dts-trust',
    cause:
      'two-way synchronization across accounts is supported only between RDS MySQL instances, RDS MySQL clusters, Tair Enterprise instances, MongoDB replica sets and MongoDB sharded clusters (of one kind at both ends)',
    fix: 'use one-way synchronization, or pair two supported instances of the same engine and kind (give edition or topology for Tair and MongoDB)',
  },
  TaskKindUnsupported: {
    origin: 'dts-trust',
    cause: 'the guides support this pair of endpoints for the other task kind only (migration or synchronization)',
    fix: 'set taskKind to the kind the guides allow for the pair, or leave it out when only one kind fits',
  },
  EndpointUnsupported: {
    origin: 'dts-trust',
    cause: 'DTS does not support this database type with this access method across accounts',
    fix: 'choose a database type and access method from the supported endpoint matrix',
  },
  PartitionMismatch: {
    origin: 'dts-trust',
    cause:
      'the accounts are on different infrastructures (public cloud, Finance Cloud, Gov Cloud) and cannot be paired',
    fix: 'pair accounts on the same infrastructure',
  },
  GrantExpired: {
    origin: 'dts-trust',
    cause: 'the expiry time is already in the past',
    fix: 'give an expiry time in the future, or leave it out',
  },
  DtsPolicyMissing: {
    origin: 'dts-trust',
    cause: 'the grant does not attach AliyunDTSRolePolicy, so DTS would fail with AssumeRoleFail.NoPermission',
    fix: 'include AliyunDTSRolePolicy in policies',
  },
  InvalidExternalId: {
    origin: 'dts-trust',
    cause: 'the external ID is not 2-1224 characters of letters, digits and + = , . @ : / - _',
    fix: 'use an external ID of 2-1224 characters from letters, digits and + = , . @ : / - _',
  },
  InvalidAccountId: {
    origin: 'dts-trust',
    cause: 'the Tencent Cloud account ID (UIN) is not a number',
    fix: 'give the numeric account ID (UIN) of the root account',
  },
  RoleProtected: {
    origin: 'dts-trust',
    cause:
      "the role is dts-trust's own management role, the role its functions run as, or a role configuration protects (DTS_TRUST_PROTECTED_ROLES); dts-trust never adopts, changes or deletes it",
    fix: 'choose another role name for the DTS grant',
  },
  ExternalIdNotSupported: {
    origin: 'dts-trust',
    cause:
      'DTS cannot pass an external ID (ConfigureDtsJob has no ExternalId field), so it could never assume a role whose trust requires sts:ExternalId',
    fix: 'leave externalId out of Alibaba Cloud DTS grants',
  },
  InvalidTimestamp: {
    origin: 'dts-trust',
    cause:
      'the time is not an RFC 3339 timestamp with an offset, or names a time that does not exist (a February 30, an offset of +99:99)',
    fix: 'give a real time such as 2026-12-01T09:30:00Z or 2026-12-01T17:30:00+08:00',
  },
  GrantLifetimeTooLong: {
    origin: 'dts-trust',
    cause: 'the grant would last longer than the maximum lifetime configuration allows (DTS_TRUST_MAX_GRANT_DAYS)',
    fix: 'give an earlier expiresAt, or leave it out to get the maximum lifetime; renew with a new ticket',
  },
  RoleNameCaseConflict: {
    origin: 'dts-trust',
    cause:
      'a managed role in the same owner account has a name that differs only in letter case; RAM role names are treated as case-insensitive, so both would be one role',
    fix: 'use the exact name of the existing role, or choose a name that differs in more than case',
  },
  'InternalError.GetRoleError': {
    origin: 'dts',
    cause:
      'Tencent Cloud DTS could not assume the role: the peer account ID (the root account of the source owner) or the role name is wrong, or the role does not trust the task account',
    fix: 'give the root account UIN that owns the database and the exact role name; dts-trust creates the role for a declared relationship',
  },
  'InternalError.InternalInnerCommonError': {
    origin: 'dts',
    cause: "the Tencent role lacks the service policy of the database's engine (QcloudAccessForMySQLRole for MySQL)",
    fix: "attach the engine's service policy to the role; dts-trust attaches it for a declared relationship",
  },
  'UnauthorizedOperation.AssumeRole': {
    origin: 'dts',
    cause:
      'the sub-account that creates the Tencent DTS task is not authorized to perform sts:AssumeRole on the role ("not authorized to perform operation (sts:AssumeRole)")',
    fix: 'declare the sub-account UINs in subAccountUins so dts-trust grants them the AssumeRole policy, or create the task with the root account',
  },
  TencentServicePolicyUnknown: {
    origin: 'dts-trust',
    cause:
      "no service policy is known for this Tencent engine, so the role could not be given the engine's own permission and DTS would fail with InternalError.InternalInnerCommonError",
    fix: 'use an engine whose service policy dts-trust knows (TencentDB for MySQL: QcloudAccessForMySQLRole)',
  },
  TencentPolicyMissing: {
    origin: 'dts-trust',
    cause: "the declared policies lack QcloudDTSReadOnlyAccess or the engine's service policy",
    fix: "leave policies out to get QcloudDTSReadOnlyAccess plus the engine's service policy, or include both",
  },
  ExternalIdNotForMigration: {
    origin: 'dts-trust',
    cause:
      'a Tencent DTS migration task cannot pass an external ID (its DBInfo has no RoleExternalId field), so it could never assume a role that requires one',
    fix: 'leave externalId out, or set taskKind to synchronization (the sync Endpoint passes RoleExternalId)',
  },
  RoleNameUnderscore: {
    origin: 'dts-trust',
    cause: 'an older Tencent migration guide says the role name must not contain "_" (a warning, not a refusal)',
    fix: 'prefer a role name of letters, digits and "-" for a migration task',
  },
  SubAccountNotTencent: {
    origin: 'dts-trust',
    cause:
      'sub-account UINs are a Tencent Cloud concept: an Alibaba Cloud RAM user is trusted through its root account',
    fix: 'leave subAccountUins out of Alibaba Cloud relationships',
  },
  DtsJobsNotAlibaba: {
    origin: 'dts-trust',
    cause:
      'a grant ends with its DTS jobs by reading Alibaba Cloud DTS (DescribeDtsJobs) in the task account; Tencent DTS tasks are not read',
    fix: 'leave dtsJobIds out of Tencent Cloud relationships and give expiresAt instead',
  },
  InvalidField: {
    origin: 'dts-trust',
    cause: 'a field is missing, has the wrong type, or is not allowed',
    fix: 'correct the field as the message says',
  },
} as const satisfies Readonly<Record<string, CatalogEntry>>;

/** A code of the {@link ErrorCatalog}. */
export type CatalogCode = keyof typeof ErrorCatalog;

/** True when `code` is in the {@link ErrorCatalog}. */
export function isCatalogCode(code: string): code is CatalogCode {
  return Object.hasOwn(ErrorCatalog, code);
}
