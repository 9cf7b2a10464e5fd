/**
 * DTS 2020-01-01 as `@alicloud/openapi-core` `callApi` sends it: RPC style, `POST /`, action and version in the
 * `x-acs-action`/`x-acs-version` headers, fields in the query (and, for form bodies, in the body), signed
 * ACS3-HMAC-SHA256. Actions: ConfigureDtsJob (with the cross-account checks DTS runs on each endpoint, see
 * `role-check.ts`; `SynchronizationDirection: Reverse` on a SYNC job's id configures its reverse job, the other half
 * of a two-way synchronization), DescribeDtsJobs (by `Region`, 30 a page), DescribeDtsJobDetail (with the
 * endpoints' `AliyunUid`/`RoleName` and the `ReverseJob`), StartDtsJob (a running status) and DeleteDtsJob (the
 * job is released; on a reverse job's id only that half). `POST /__admin/dts/status` sets what DTS does on its own
 * (Finished, a failure). How errors are answered is described in
 * `replies.ts`: gateway errors as HTTP 4xx with `Code`, DTS's own refusals as HTTP 200 with `Success: false`.
 *
 * Behaviour chosen where the documentation is silent:
 * - DescribeDtsJobs lists only `JobType` jobs, MIGRATION when none is given (as DTS documents its default), newest
 *   first; PageSize above 30 is refused.
 * - Jobs belong to the account that configured them; another account's job id is answered as an unknown job.
 * - ConfigureDtsJob with the `DtsJobId` of an existing job of the caller reconfigures that job.
 * - A job's region is the `RegionId` it was configured with (cn-hangzhou when none); DescribeDtsJobs without
 *   `Region` lists every region's jobs.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { acs3AccessKeyId, authenticateAcs3, rpcActionOf, rpcParams } from '../../auth/index.js';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';
import {
  ConfigureDtsJobParams,
  DescribeDtsJobDetailParams,
  DescribeDtsJobsParams,
  DtsJobActionParams,
  parseDtsParams,
} from './params.js';
import { dtsFailure, dtsGatewayError, dtsSuccess } from './replies.js';
import { checkCrossAccountEndpoint, isCrossAccount } from './role-check.js';
import {
  accountJobs,
  DEFAULT_DTS_REGION,
  DTS_SERVICE,
  type DtsEndpointState,
  type DtsJobState,
  restoreDts,
  snapshotDts,
} from './store.js';

/** The API version this module serves. */
export const DTS_API_VERSION = '2020-01-01';

/** The actions the local DTS answers. */
export const DtsAction = {
  ConfigureDtsJob: 'ConfigureDtsJob',
  DescribeDtsJobs: 'DescribeDtsJobs',
  DescribeDtsJobDetail: 'DescribeDtsJobDetail',
  StartDtsJob: 'StartDtsJob',
  DeleteDtsJob: 'DeleteDtsJob',
} as const;

/** One of {@link DtsAction}. */
export type DtsAction = (typeof DtsAction)[keyof typeof DtsAction];

/**
 * ErrCode of a job id the caller does not own or that does not exist. DTS reports an unknown job or instance as
 * `Forbidden.InstanceNotFound` with `HttpStatusCode` 403 (a "Forbidden" code that means "not found").
 */
export const DTS_JOB_NOT_FOUND = 'Forbidden.InstanceNotFound';

function jobNotFound(id: string | undefined): CloudReply {
  return dtsFailure(DTS_JOB_NOT_FOUND, `The specified instance does not exist or is not supported: ${id ?? ''}.`, 403);
}

function newJobId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(13), (b) => alphabet[b % alphabet.length]).join('');
}

/** DTS time format, `yyyy-MM-ddTHH:mm:ssZ` (UTC, no milliseconds). */
function dtsTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function endpointState(side: 'Source' | 'Destination', p: Record<string, string>): DtsEndpointState {
  return {
    instanceType: p[`${side}EndpointInstanceType`] ?? '',
    engineName: p[`${side}EndpointEngineName`],
    region: p[`${side}EndpointRegion`],
    instanceId: p[`${side}EndpointInstanceID`],
    databaseName: p[`${side}EndpointDatabaseName`],
    userName: p[`${side}EndpointUserName`],
  };
}

function configureDtsJob(params: Record<string, string>, principal: Principal, core: CloudCore): CloudReply {
  const parsed = parseDtsParams(ConfigureDtsJobParams, params);
  if (!parsed.ok) return parsed.reply;
  const p = parsed.value;
  const taskAccount = core.accounts.get(principal.accountId);
  if (!taskAccount) return dtsGatewayError(403, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');

  const source = endpointState('Source', params);
  const destination = endpointState('Destination', params);
  const sides = [
    { side: 'Source', ownerId: p.SourceEndpointOwnerID, roleName: p.SourceEndpointRole, state: source },
    {
      side: 'Destination',
      ownerId: p.DestinationEndpointOwnerID,
      roleName: p.DestinationEndpointRole,
      state: destination,
    },
  ] as const;
  for (const { side, ownerId, roleName, state } of sides) {
    if (!isCrossAccount(ownerId, taskAccount.id)) continue;
    const refused = checkCrossAccountEndpoint({ side, ownerId, roleName }, taskAccount, core);
    if (refused) return dtsFailure(refused.code, refused.message, refused.httpStatusCode);
    state.aliyunUid = ownerId;
    state.roleName = roleName;
  }

  const jobs = accountJobs(core, taskAccount.id);
  const existing = p.DtsJobId ? jobs.find((j) => j.dtsJobId === p.DtsJobId) : undefined;
  if (p.DtsJobId && !existing) {
    return jobNotFound(p.DtsJobId);
  }
  if (p.SynchronizationDirection === 'Reverse') {
    if (existing?.jobType !== 'SYNC') {
      return dtsFailure(
        'InvalidParameter.SynchronizationDirection',
        'A reverse job is configured on the DtsJobId of an existing two-way synchronization (JobType SYNC).',
        400,
      );
    }
    existing.reverseJob = {
      dtsJobId: existing.reverseJob?.dtsJobId ?? newJobId(),
      status: 'NotStarted',
      source,
      destination,
    };
    return dtsSuccess({
      DtsJobId: existing.reverseJob.dtsJobId,
      DtsInstanceId: existing.dtsInstanceId,
      Status: existing.reverseJob.status,
    });
  }
  const dtsJobId = existing?.dtsJobId ?? newJobId();
  const job: DtsJobState = {
    dtsJobId,
    regionId: existing?.regionId ?? p.RegionId ?? DEFAULT_DTS_REGION,
    dtsInstanceId: existing?.dtsInstanceId ?? p.DtsInstanceId ?? `dts${dtsJobId}`,
    jobName: p.DtsJobName,
    jobType: p.JobType,
    status: 'NotStarted',
    createTime: existing?.createTime ?? dtsTime(core.now()),
    source,
    destination,
    dbList: p.DbList,
    reserve: p.Reserve,
    structureInitialization: p.StructureInitialization ?? false,
    dataInitialization: p.DataInitialization ?? false,
    dataSynchronization: p.DataSynchronization ?? false,
    ...(existing?.reverseJob ? { reverseJob: existing.reverseJob } : {}),
  };
  if (existing) jobs[jobs.indexOf(existing)] = job;
  else jobs.push(job);
  return dtsSuccess({ DtsJobId: job.dtsJobId, DtsInstanceId: job.dtsInstanceId, Status: job.status });
}

/** An endpoint as DTS reports it; `withOwner` adds the cross-account fields (DescribeDtsJobDetail only). */
function endpointView(e: DtsEndpointState, withOwner: boolean): Record<string, unknown> {
  return {
    InstanceType: e.instanceType,
    EngineName: e.engineName,
    Region: e.region,
    InstanceID: e.instanceId,
    DatabaseName: e.databaseName,
    UserName: e.userName,
    ...(withOwner && e.aliyunUid !== undefined ? { AliyunUid: e.aliyunUid, RoleName: e.roleName } : {}),
  };
}

function jobView(job: DtsJobState, withOwner: boolean): Record<string, unknown> {
  return {
    DtsJobId: job.dtsJobId,
    DtsInstanceID: job.dtsInstanceId,
    DtsJobName: job.jobName,
    DtsJobDirection: 'Forward',
    JobType: job.jobType,
    Status: job.status,
    CreateTime: job.createTime,
    PayType: 'PostPaid',
    DbObject: job.dbList,
    Reserved: job.reserve ?? '{}',
    MigrationMode: {
      StructureInitialization: job.structureInitialization,
      DataInitialization: job.dataInitialization,
      DataSynchronization: job.dataSynchronization,
    },
    SourceEndpoint: endpointView(job.source, withOwner),
    DestinationEndpoint: endpointView(job.destination, withOwner),
    ...(withOwner && job.reverseJob
      ? {
          ReverseJob: {
            DtsJobId: job.reverseJob.dtsJobId,
            DtsInstanceID: job.dtsInstanceId,
            DtsJobDirection: 'Reverse',
            JobType: job.jobType,
            Status: job.reverseJob.status,
            SourceEndpoint: endpointView(job.reverseJob.source, true),
            DestinationEndpoint: endpointView(job.reverseJob.destination, true),
          },
        }
      : {}),
  };
}

function describeDtsJobs(params: Record<string, string>, principal: Principal, core: CloudCore): CloudReply {
  const parsed = parseDtsParams(DescribeDtsJobsParams, params);
  if (!parsed.ok) return parsed.reply;
  const { PageNumber, PageSize, JobType, Status } = parsed.value;
  const region = parsed.value.Region ?? parsed.value.RegionId;
  const matching = accountJobs(core, principal.accountId)
    .filter(
      (j) =>
        j.jobType === JobType &&
        (Status === undefined || j.status === Status) &&
        (region === undefined || j.regionId === region),
    )
    .reverse();
  const page = matching.slice((PageNumber - 1) * PageSize, PageNumber * PageSize);
  return dtsSuccess({
    TotalRecordCount: matching.length,
    PageNumber,
    PageRecordCount: page.length,
    DtsJobList: page.map((j) => jobView(j, false)),
  });
}

function describeDtsJobDetail(params: Record<string, string>, principal: Principal, core: CloudCore): CloudReply {
  const parsed = parseDtsParams(DescribeDtsJobDetailParams, params);
  if (!parsed.ok) return parsed.reply;
  const { DtsJobId, DtsInstanceID } = parsed.value;
  const job = accountJobs(core, principal.accountId).find((j) =>
    DtsJobId ? j.dtsJobId === DtsJobId : j.dtsInstanceId === DtsInstanceID,
  );
  if (!job) {
    return jobNotFound(DtsJobId ?? DtsInstanceID);
  }
  return dtsSuccess(jobView(job, true));
}

/** What StartDtsJob sets a job to: the running status of its kind. */
const RUNNING_STATUS = { MIGRATION: 'Migrating', SYNC: 'Synchronizing', SUBSCRIBE: 'Normal' } as const;

/** StartDtsJob (running status) or DeleteDtsJob (release: the job, or only the reverse half, is gone). */
function changeDtsJob(
  action: 'StartDtsJob' | 'DeleteDtsJob',
  params: Record<string, string>,
  principal: Principal,
  core: CloudCore,
): CloudReply {
  const parsed = parseDtsParams(DtsJobActionParams, params);
  if (!parsed.ok) return parsed.reply;
  const id = parsed.value.DtsJobId;
  const jobs = accountJobs(core, principal.accountId);
  const forward = jobs.find((j) => j.dtsJobId === id);
  const owner = forward ?? jobs.find((j) => j.reverseJob?.dtsJobId === id);
  if (!owner) return jobNotFound(id);
  if (action === 'DeleteDtsJob') {
    if (forward) jobs.splice(jobs.indexOf(forward), 1);
    else delete owner.reverseJob;
    return dtsSuccess({});
  }
  if (forward) forward.status = RUNNING_STATUS[forward.jobType];
  else if (owner.reverseJob) owner.reverseJob.status = RUNNING_STATUS[owner.jobType];
  return dtsSuccess({});
}

const AdminStatusBody = z
  .object({ account: z.string().min(1), dtsJobId: z.string().min(1), status: z.string().min(1) })
  .strict();

/**
 * `POST /__admin/dts/status` `{account, dtsJobId, status}`: what DTS does on its own (a migration finishes, a
 * synchronization fails), for a forward or a reverse job.
 */
async function admin(call: CloudCall, subpath: string, core: CloudCore): Promise<CloudReply | undefined> {
  if (subpath !== 'status' || call.method !== 'POST') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(call.body.toString('utf8'));
  } catch {
    raw = undefined;
  }
  const body = AdminStatusBody.safeParse(raw);
  const reply = (status: number, value: unknown): CloudReply => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
  if (!body.success) return reply(400, { error: 'body must be {"account", "dtsJobId", "status"}' });
  const jobs = accountJobs(core, body.data.account);
  const forward = jobs.find((j) => j.dtsJobId === body.data.dtsJobId);
  const reverse = jobs.find((j) => j.reverseJob?.dtsJobId === body.data.dtsJobId)?.reverseJob;
  if (forward) forward.status = body.data.status;
  else if (reverse) reverse.status = body.data.status;
  else return reply(404, { error: `no job ${body.data.dtsJobId} of account ${body.data.account}` });
  return reply(200, { dtsJobId: body.data.dtsJobId, status: body.data.status });
}

function isDtsAction(action: string): action is DtsAction {
  return Object.hasOwn(DtsAction, action);
}

/** Answer a `LocalCloudError` from authentication as the DTS gateway does; rethrow anything else. */
function gatewayReplyFor(error: unknown): CloudReply {
  if (error instanceof LocalCloudError) return dtsGatewayError(error.status, error.code, error.message, error.extra);
  throw error;
}

/** The DTS 2020-01-01 module of the local cloud. */
export const dtsModule: ServiceModule = {
  name: DTS_SERVICE,

  accepts(call) {
    return rpcActionOf(call).version === DTS_API_VERSION;
  },

  identify(call, core): CallIdentity {
    const accessKeyId = acs3AccessKeyId(call);
    const accountId = accessKeyId ? core.resolveAccessKey(accessKeyId)?.accountId : undefined;
    return { service: DTS_SERVICE, action: rpcActionOf(call).action, accountId, accessKeyId };
  },

  async handle(call, core) {
    const { action } = rpcActionOf(call);
    if (!isDtsAction(action)) {
      return dtsGatewayError(404, 'InvalidAction.NotFound', `Specified api ${action} is not found, please check.`);
    }
    let principal: Principal;
    try {
      principal = authenticateAcs3(call, core);
    } catch (error) {
      return gatewayReplyFor(error);
    }
    if (!core.isAllowed(principal, `dts:${action}`, '*')) {
      return dtsGatewayError(
        403,
        'NoPermission',
        `You are not authorized to do this action (dts:${action}). You should be authorized by RAM.`,
      );
    }
    const params = rpcParams(call);
    switch (action) {
      case DtsAction.ConfigureDtsJob:
        return configureDtsJob(params, principal, core);
      case DtsAction.DescribeDtsJobs:
        return describeDtsJobs(params, principal, core);
      case DtsAction.DescribeDtsJobDetail:
        return describeDtsJobDetail(params, principal, core);
      case DtsAction.StartDtsJob:
      case DtsAction.DeleteDtsJob:
        return changeDtsJob(action, params, principal, core);
    }
  },

  admin,

  faultReply(fault) {
    return dtsGatewayError(fault.status, fault.code, fault.message);
  },

  snapshot(core) {
    return snapshotDts(core);
  },

  restore(core, data) {
    restoreDts(core, data);
  },
};
