import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { builtOnFirstUse } from '../domain/built-on-first-use.js';
import type { AccountCredentials } from '../ports.js';
import { callCloud, malformedResponse, toCloudApiError } from './cloud-error.js';
import { openApiConfig, rpcParams } from './openapi-config.js';

/** DTS actions the inventory calls (read-only). */
export const DTS_INVENTORY_ACTIONS = ['dts:DescribeDtsJobs', 'dts:DescribeDtsJobDetail'] as const;

const DTS_VERSION = '2020-01-01';

/** DescribeDtsJobs answers at most 30 jobs a page. */
export const DTS_PAGE_SIZE = 30;

/** The `callApi` parameters of a DTS 2020-01-01 action (RPC style, form body, JSON answer). */
export function dtsRpcParams(action: string, protocol: 'https' | 'http'): $OpenApiUtil.Params {
  return rpcParams(action, DTS_VERSION, protocol.toUpperCase());
}

/** Settings of the DTS client. */
export interface DtsClientOptions {
  /** `dts.aliyuncs.com`, or `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId: string;
}

/** One cross-account endpoint of a DTS job as DescribeDtsJobDetail reports it. */
export interface DtsJobEndpoint {
  readonly instanceType?: string | undefined;
  readonly engineName?: string | undefined;
  /** The owner account of a cross-account endpoint. */
  readonly aliyunUid?: string | undefined;
  /** The role name DTS assumes in that account. */
  readonly roleName?: string | undefined;
}

/** The reverse half of a two-way synchronization: its own id and status, its endpoints the other way round. */
export interface DtsReverseJob {
  readonly dtsJobId: string;
  readonly status?: string | undefined;
  readonly source: DtsJobEndpoint;
  readonly destination: DtsJobEndpoint;
}

/** A DTS job with its endpoints. */
export interface DtsJobSummary {
  readonly dtsJobId: string;
  readonly jobName?: string | undefined;
  readonly status?: string | undefined;
  /** The region it was listed in. */
  readonly region: string;
  readonly jobType?: string | undefined;
  readonly source: DtsJobEndpoint;
  readonly destination: DtsJobEndpoint;
  /** Two-way synchronization: the reverse job. */
  readonly reverse?: DtsReverseJob | undefined;
}

/**
 * DTS's answers, checked with zod, built on first use: only the inventory calls DTS. DTS answers some failures as
 * 200 with `Success: false`; both paths end in a thrown CloudApiError.
 */
const answers = builtOnFirstUse(() => {
  const Envelope = z
    .object({
      Success: z.union([z.boolean(), z.string()]).optional(),
      ErrCode: z.string().optional(),
      ErrMessage: z.string().optional(),
      HttpStatusCode: z.union([z.number(), z.string()]).optional(),
    })
    .passthrough();

  const EndpointSchema = z
    .object({
      InstanceType: z.string().optional(),
      EngineName: z.string().optional(),
      AliyunUid: z.string().optional(),
      RoleName: z.string().optional(),
    })
    .passthrough();

  const JobsPage = z.object({
    TotalRecordCount: z.coerce.number().int().nonnegative().default(0),
    DtsJobList: z
      .array(
        z
          .object({ DtsJobId: z.string(), DtsJobName: z.string().optional(), Status: z.string().optional() })
          .passthrough(),
      )
      .default([]),
  });

  const ReverseJobSchema = z
    .object({
      DtsJobId: z.string(),
      Status: z.string().optional(),
      SourceEndpoint: EndpointSchema.default({}),
      DestinationEndpoint: EndpointSchema.default({}),
    })
    .passthrough();

  const JobDetail = z
    .object({
      DtsJobId: z.string(),
      DtsJobName: z.string().optional(),
      Status: z.string().optional(),
      JobType: z.string().optional(),
      SourceEndpoint: EndpointSchema.default({}),
      DestinationEndpoint: EndpointSchema.default({}),
      ReverseJob: ReverseJobSchema.nullish(),
    })
    .passthrough();
  return { Envelope, EndpointSchema, JobsPage, JobDetail } as const;
});

function endpointOf(e: z.infer<ReturnType<typeof answers>['EndpointSchema']>): DtsJobEndpoint {
  return { instanceType: e.InstanceType, engineName: e.EngineName, aliyunUid: e.AliyunUid, roleName: e.RoleName };
}

/** DTS 2020-01-01 over `@alicloud/openapi-core` callApi (there is no DTS SDK package on the registry). */
export class DtsInventoryClient {
  readonly #options: DtsClientOptions;

  constructor(options: DtsClientOptions) {
    this.#options = options;
  }

  /**
   * Every DTS job of the account (migration and synchronization) in each region, page by page (PageSize 30, the
   * DTS maximum; the region filter is `Region`, `RegionId` being deprecated there), each with its detail.
   */
  async *listJobs(
    account: AccountCredentials,
    regions: readonly string[] = [this.#options.regionId],
    jobTypes: readonly ('MIGRATION' | 'SYNC')[] = ['MIGRATION', 'SYNC'],
  ): AsyncIterable<DtsJobSummary> {
    for (const region of regions) {
      for (const jobType of jobTypes) {
        for (let page = 1; ; page += 1) {
          const body = await this.#call(account, 'DescribeDtsJobs', {
            PageNumber: page,
            PageSize: DTS_PAGE_SIZE,
            Region: region,
            JobType: jobType,
          });
          const parsed = answers().JobsPage.safeParse(body);
          if (!parsed.success) throw malformedResponse('dts:DescribeDtsJobs', parsed.error.message);
          for (const job of parsed.data.DtsJobList) {
            yield await this.describeJob(account, job.DtsJobId, region);
          }
          if (page * DTS_PAGE_SIZE >= parsed.data.TotalRecordCount || parsed.data.DtsJobList.length === 0) break;
        }
      }
    }
  }

  /** One job with its endpoints' owner accounts and role names, and its reverse job. */
  async describeJob(
    account: AccountCredentials,
    dtsJobId: string,
    region: string = this.#options.regionId,
  ): Promise<DtsJobSummary> {
    const body = await this.#call(account, 'DescribeDtsJobDetail', { DtsJobId: dtsJobId, RegionId: region });
    const parsed = answers().JobDetail.safeParse(body);
    if (!parsed.success) throw malformedResponse('dts:DescribeDtsJobDetail', parsed.error.message);
    const reverse = parsed.data.ReverseJob;
    return {
      dtsJobId: parsed.data.DtsJobId,
      jobName: parsed.data.DtsJobName,
      status: parsed.data.Status,
      region,
      jobType: parsed.data.JobType,
      source: endpointOf(parsed.data.SourceEndpoint),
      destination: endpointOf(parsed.data.DestinationEndpoint),
      ...(reverse
        ? {
            reverse: {
              dtsJobId: reverse.DtsJobId,
              status: reverse.Status,
              source: endpointOf(reverse.SourceEndpoint),
              destination: endpointOf(reverse.DestinationEndpoint),
            },
          }
        : {}),
    };
  }

  /** A raw DTS call; fails on HTTP errors and on `Success: false` bodies alike. */
  async #call(account: AccountCredentials, action: string, query: Record<string, unknown>): Promise<unknown> {
    const api = `dts:${action}`;
    const client = new OpenApi.default(openApiConfig(account, this.#options));
    const params = dtsRpcParams(action, this.#options.protocol);
    const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) });
    const res = await callCloud(api, () =>
      client.callApi(params, request, new $dara.RuntimeOptions({ autoretry: false, readTimeout: 10_000 })),
    );
    const envelope = answers().Envelope.safeParse(res.body);
    if (!envelope.success) throw malformedResponse(api, envelope.error.message);
    const success = envelope.data.Success;
    if (success === false || success === 'false') {
      const status = Number(envelope.data.HttpStatusCode ?? 400);
      throw toCloudApiError(api, {
        code: envelope.data.ErrCode ?? 'DtsError',
        statusCode: status,
        message: envelope.data.ErrMessage ?? 'DTS answered Success: false',
      });
    }
    return res.body;
  }
}
