import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { dtsRpcParams } from '../../shared/alicloud/dts.js';

/** Keys of the account that creates the DTS task. */
export interface TaskCreatorKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** One cross-account endpoint of a DTS task: the owner's account and the role DTS assumes there. */
export interface CrossAccountEndpoint {
  readonly ownerAccountId: string;
  readonly roleName: string;
}

/** Whether DTS accepted the task, and its error code when it did not. */
export interface OracleVerdict {
  readonly accepted: boolean;
  readonly code?: string;
  readonly message?: string;
}

/**
 * Ask the (local) DTS whether it would accept a cross-account task with these endpoints: ConfigureDtsJob through
 * `@alicloud/openapi-core` callApi, as the console would.
 */
export async function configureDtsJob(
  endpoint: string,
  creator: TaskCreatorKeys,
  task: { source?: CrossAccountEndpoint; destination?: CrossAccountEndpoint; name: string },
): Promise<OracleVerdict> {
  const client = new OpenApi.default(
    new $OpenApiUtil.Config({ ...creator, endpoint, protocol: 'http', regionId: 'cn-hangzhou' }),
  );
  const query: Record<string, string> = {
    DtsJobName: task.name,
    JobType: 'MIGRATION',
    SourceEndpointInstanceType: 'RDS',
    SourceEndpointEngineName: 'MySQL',
    SourceEndpointRegion: 'cn-hangzhou',
    DestinationEndpointInstanceType: 'RDS',
    DestinationEndpointEngineName: 'MySQL',
    DestinationEndpointRegion: 'cn-hangzhou',
    DbList: JSON.stringify({ orders: { name: 'orders', all: true } }),
    StructureInitialization: 'true',
    DataInitialization: 'true',
    DataSynchronization: 'false',
  };
  if (task.source) {
    query.SourceEndpointOwnerID = task.source.ownerAccountId;
    query.SourceEndpointRole = task.source.roleName;
  }
  if (task.destination) {
    query.DestinationEndpointOwnerID = task.destination.ownerAccountId;
    query.DestinationEndpointRole = task.destination.roleName;
  }
  try {
    const res = await client.callApi(
      dtsRpcParams('ConfigureDtsJob', 'http'),
      new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) }),
      new $dara.RuntimeOptions({ autoretry: false }),
    );
    const body = res.body as { Success?: boolean | string; ErrCode?: string; ErrMessage?: string };
    if (body.Success === false || body.Success === 'false') {
      return { accepted: false, code: body.ErrCode ?? 'Unknown', message: body.ErrMessage ?? '' };
    }
    return { accepted: true };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { accepted: false, code: e.code ?? 'Unknown', message: e.message ?? String(error) };
  }
}
