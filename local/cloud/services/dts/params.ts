/**
 * The request parameters of the local DTS actions, validated with zod from the merged query and form fields (all
 * strings on the wire). A missing required field is answered as the gateway does (`Missing<Field>`, HTTP 400); any
 * other invalid value as `InvalidParameter` naming the field.
 */
import { z } from 'zod';
import type { CloudReply } from '../../contract.js';
import { dtsGatewayError } from './replies.js';

/** DTS answers at most this many jobs per DescribeDtsJobs page. */
export const DTS_MAX_PAGE_SIZE = 30;

/** DescribeDtsJobs page size when none is given. */
export const DTS_DEFAULT_PAGE_SIZE = 20;

const required = (field: string) => z.string({ required_error: `${field} is mandatory for this action.` }).min(1);

const wholeNumber = (message: string, min: number, max: number) =>
  z.coerce.number({ message }).int({ message }).min(min, { message }).max(max, { message });

const booleanText = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .transform((v) => v === 'true')
  .optional();

const jobType = z.enum(['MIGRATION', 'SYNC', 'SUBSCRIBE'], { message: 'must be MIGRATION, SYNC or SUBSCRIBE' });

const jsonObjectText = z.string().refine(
  (text) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  },
  { message: 'must be a JSON object such as {"db1":{"name":"db1","all":true}}' },
);

/** ConfigureDtsJob: the fields the local cloud reads (others are accepted and ignored). */
export const ConfigureDtsJobParams = z
  .object({
    DtsJobName: required('DtsJobName'),
    JobType: jobType.default('MIGRATION'),
    DtsJobId: z.string().optional(),
    DtsInstanceId: z.string().optional(),
    /** The region the job runs in. */
    RegionId: z.string().min(1).optional(),
    /** `Reverse` configures the reverse job of a two-way synchronization (with the forward job's DtsJobId). */
    SynchronizationDirection: z.enum(['Forward', 'Reverse'], { message: 'must be Forward or Reverse' }).optional(),
    DbList: required('DbList').pipe(jsonObjectText),
    Reserve: jsonObjectText.optional(),
    StructureInitialization: booleanText,
    DataInitialization: booleanText,
    DataSynchronization: booleanText,
    SourceEndpointInstanceType: required('SourceEndpointInstanceType'),
    SourceEndpointEngineName: z.string().optional(),
    SourceEndpointRegion: z.string().optional(),
    SourceEndpointInstanceID: z.string().optional(),
    SourceEndpointDatabaseName: z.string().optional(),
    SourceEndpointUserName: z.string().optional(),
    SourceEndpointOwnerID: z.string().optional(),
    SourceEndpointRole: z.string().optional(),
    DestinationEndpointInstanceType: required('DestinationEndpointInstanceType'),
    DestinationEndpointEngineName: z.string().optional(),
    DestinationEndpointRegion: z.string().optional(),
    DestinationEndpointInstanceID: z.string().optional(),
    DestinationEndpointDatabaseName: z.string().optional(),
    DestinationEndpointUserName: z.string().optional(),
    DestinationEndpointOwnerID: z.string().optional(),
    DestinationEndpointRole: z.string().optional(),
  })
  .passthrough();

/** DescribeDtsJobs: paging and the filters the local cloud supports. */
export const DescribeDtsJobsParams = z
  .object({
    PageNumber: wholeNumber('must be a whole number of at least 1', 1, Number.MAX_SAFE_INTEGER).default(1),
    PageSize: wholeNumber(`must be a whole number from 1 to ${DTS_MAX_PAGE_SIZE}`, 1, DTS_MAX_PAGE_SIZE).default(
      DTS_DEFAULT_PAGE_SIZE,
    ),
    JobType: jobType.default('MIGRATION'),
    Status: z.string().optional(),
    /** The region filter (`RegionId` is its deprecated spelling, still honoured). */
    Region: z.string().min(1).optional(),
    RegionId: z.string().min(1).optional(),
  })
  .passthrough();

/** StartDtsJob and DeleteDtsJob: one job (forward or reverse) by id. */
export const DtsJobActionParams = z
  .object({ DtsJobId: required('DtsJobId'), RegionId: z.string().optional() })
  .passthrough();

/** DescribeDtsJobDetail: a job by id, or by instance id. */
export const DescribeDtsJobDetailParams = z
  .object({ DtsJobId: z.string().optional(), DtsInstanceID: z.string().optional() })
  .passthrough()
  .refine((p) => Boolean(p.DtsJobId) || Boolean(p.DtsInstanceID), { path: ['DtsJobId'] });

/** The parsed parameters, or the gateway error naming the first bad field. */
export function parseDtsParams<S extends z.ZodTypeAny>(
  schema: S,
  params: Record<string, string>,
): { ok: true; value: z.output<S> } | { ok: false; reply: CloudReply } {
  const parsed = schema.safeParse(params);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? 'request');
  const given = params[field];
  if (given === undefined || given === '') {
    return { ok: false, reply: dtsGatewayError(400, `Missing${field}`, `${field} is mandatory for this action.`) };
  }
  const message = issue?.message ?? 'is invalid';
  return {
    ok: false,
    reply: dtsGatewayError(400, 'InvalidParameter', `The parameter ${field} ("${given}") ${message}.`),
  };
}
