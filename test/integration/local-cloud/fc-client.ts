/** The real FC 3.0 SDK pointed at a local cloud, for the FC tests. */
import { Readable } from 'node:stream';
import * as FcModule from '@alicloud/fc20230330';
import { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';

/** The client class: Node gives `module.exports` as the default import, vitest gives its `default`. */
const FcClient = (
  typeof FcModule.default === 'function' ? FcModule.default : FcModule.default.default
) as typeof FcModule.default.default;

/** What InvokeFunction answered. */
export interface FcAnswer {
  readonly statusCode?: number | undefined;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

/** Invoke `name` with `payload` as JSON, signed with `keys`. */
export async function invokeFc(
  endpoint: string,
  keys: { keyId: string; secret: string },
  name: string,
  payload: unknown,
  init: { async?: boolean; taskId?: string } = {},
): Promise<FcAnswer> {
  const client = new FcClient(
    new $OpenApiUtil.Config({
      accessKeyId: keys.keyId,
      accessKeySecret: keys.secret,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  );
  const res = await client.invokeFunctionWithOptions(
    name,
    new InvokeFunctionRequest({ body: Readable.from([Buffer.from(JSON.stringify(payload))]) }),
    new InvokeFunctionHeaders({
      ...(init.async ? { xFcInvocationType: 'Async' } : {}),
      ...(init.taskId ? { xFcAsyncTaskId: init.taskId } : {}),
    }),
    new $dara.RuntimeOptions({ autoretry: false, connectTimeout: 60_000, readTimeout: 60_000 }),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
  const body = Buffer.concat(chunks);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { statusCode: res.statusCode, headers: res.headers ?? {}, body, json };
}
