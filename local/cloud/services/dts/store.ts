/**
 * DTS jobs of the local cloud, kept per task account in the core's `dts` state bag, with a JSON snapshot for
 * `--state`.
 */
import { z } from 'zod';
import type { CloudCore } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';

/** The state bag name. */
export const DTS_SERVICE = 'dts';

/** One endpoint of a stored job. `aliyunUid`/`roleName` are set only for a cross-account endpoint. */
export const DtsEndpointStateSchema = z.object({
  instanceType: z.string(),
  engineName: z.string().optional(),
  region: z.string().optional(),
  instanceId: z.string().optional(),
  databaseName: z.string().optional(),
  userName: z.string().optional(),
  aliyunUid: z.string().optional(),
  roleName: z.string().optional(),
});

/** One endpoint of a stored job. */
export type DtsEndpointState = z.infer<typeof DtsEndpointStateSchema>;

/** The reverse half of a two-way synchronization: its own job id and status, its endpoints the other way round. */
export const DtsReverseJobStateSchema = z.object({
  dtsJobId: z.string(),
  status: z.string(),
  source: DtsEndpointStateSchema,
  destination: DtsEndpointStateSchema,
});

/** The reverse half of a two-way synchronization. */
export type DtsReverseJobState = z.infer<typeof DtsReverseJobStateSchema>;

/** The region of a job configured before jobs had one (snapshots of earlier versions). */
export const DEFAULT_DTS_REGION = 'cn-hangzhou';

/** A configured DTS job. */
export const DtsJobStateSchema = z.object({
  dtsJobId: z.string(),
  /** The region the job was configured in (`RegionId` of ConfigureDtsJob). */
  regionId: z.string().default(DEFAULT_DTS_REGION),
  dtsInstanceId: z.string(),
  jobName: z.string(),
  jobType: z.enum(['MIGRATION', 'SYNC', 'SUBSCRIBE']),
  status: z.string(),
  createTime: z.string(),
  source: DtsEndpointStateSchema,
  destination: DtsEndpointStateSchema,
  dbList: z.string(),
  reserve: z.string().optional(),
  structureInitialization: z.boolean(),
  dataInitialization: z.boolean(),
  dataSynchronization: z.boolean(),
  /** Two-way synchronization: the reverse job (`SynchronizationDirection: Reverse`). */
  reverseJob: DtsReverseJobStateSchema.optional(),
});

/** A configured DTS job. */
export type DtsJobState = z.output<typeof DtsJobStateSchema>;

/** Jobs by task account id, each list in creation order. */
export interface DtsState {
  jobsByAccount: Map<string, DtsJobState[]>;
}

const SnapshotSchema = z.object({ jobsByAccount: z.record(z.string(), z.array(DtsJobStateSchema)) });

/** The DTS state of the local cloud (created on first use). */
export function dtsState(core: CloudCore): DtsState {
  return core.serviceState<DtsState>(DTS_SERVICE, () => ({ jobsByAccount: new Map() }));
}

/** The jobs of one task account, oldest first (a live list: pushing to it stores a job). */
export function accountJobs(core: CloudCore, accountId: string): DtsJobState[] {
  const state = dtsState(core);
  let jobs = state.jobsByAccount.get(accountId);
  if (!jobs) {
    jobs = [];
    state.jobsByAccount.set(accountId, jobs);
  }
  return jobs;
}

/** The DTS state as JSON-serialisable data. */
export function snapshotDts(core: CloudCore): z.infer<typeof SnapshotSchema> {
  return { jobsByAccount: Object.fromEntries(dtsState(core).jobsByAccount) };
}

/** Replace the DTS state with a snapshot made by {@link snapshotDts}. */
export function restoreDts(core: CloudCore, data: unknown): void {
  const parsed = SnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(
      `dts state snapshot: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; ` +
        'delete the state file or restore one written by this version of the local cloud',
    );
  }
  const state = dtsState(core);
  state.jobsByAccount = new Map(Object.entries(parsed.data.jobsByAccount));
}
