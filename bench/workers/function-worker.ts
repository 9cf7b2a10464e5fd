/**
 * Invokes one function from its bundle (dist/<function>/index.js, what s.yaml deploys) as FC's nodejs20 runtime
 * does, `handler(event, context)`, in a process of its own, and answers the handler's result with the CPU, wall
 * time and memory of the invocation. The bench bundles this file with esbuild and runs it without tsx, so nothing
 * but the shipped bundle and Node run in the measured process. Started by bench/workers/run-worker.ts.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { measure } from './measure.js';
import { failWorker, readRequest, writeAnswer } from './worker-io.js';

/** What the function worker is asked. */
export const FunctionWorkerRequestSchema = z.object({
  /** Absolute path of the bundle. */
  bundle: z.string().min(1),
  functionName: z.string().min(1),
  event: z.unknown(),
  /** The function's environment variables (FC passes them as the process environment; here, in the context). */
  environment: z.record(z.string()),
  accountId: z.string().regex(/^\d{16}$/),
  credentials: z.object({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) }),
});
/** See {@link FunctionWorkerRequestSchema}. */
export type FunctionWorkerRequest = z.infer<typeof FunctionWorkerRequestSchema>;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function main(): Promise<void> {
  const request = await readRequest(FunctionWorkerRequestSchema, 'function-worker');
  const loaded = createRequire(request.bundle)(request.bundle) as { handler?: unknown };
  if (typeof loaded.handler !== 'function') throw new Error(`${request.bundle} exports no handler`);
  const handler = loaded.handler as Handler;
  const context = {
    requestId: `bench-${process.pid}`,
    credentials: request.credentials,
    function: { name: request.functionName },
    region: request.environment.DTS_TRUST_REGION ?? 'cn-hangzhou',
    accountId: request.accountId,
    environment: request.environment,
  };
  const event = Buffer.from(JSON.stringify(request.event));
  const { value, measured } = await measure(() => handler(event, context));
  writeAnswer({ measured, answer: value });
}

main().catch(failWorker);
