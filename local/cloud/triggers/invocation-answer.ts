/**
 * What a synchronous InvokeFunction through the real FC 3.0 SDK answered: its status, FC's error type when the
 * handler threw, and the body (parsed when it is JSON, the text otherwise). Shared by the local MNS trigger and the
 * local demo deployment, which both invoke the local FC as a caller in the cloud would.
 */
import type FcSdk from '@alicloud/fc20230330';

/** The status, error type and body of one synchronous invocation. */
export interface InvocationAnswer {
  readonly statusCode: number;
  /** `UnhandledInvocationError` when the handler threw. */
  readonly errorType?: string;
  readonly body: unknown;
}

/** Read the SDK's InvokeFunction response to its end into an {@link InvocationAnswer}. */
export async function readInvocationAnswer(res: FcSdk.InvokeFunctionResponse): Promise<InvocationAnswer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  const errorType = res.headers?.['x-fc-error-type'];
  return { statusCode: res.statusCode ?? 0, ...(errorType ? { errorType } : {}), body };
}
