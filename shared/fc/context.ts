import { z } from 'zod';

/** The part of Function Compute's `context` dts-trust reads (validated: it is external input too). */
export const FcContextSchema = z
  .object({
    requestId: z.string().min(1),
    credentials: z
      .object({
        accessKeyId: z.string().min(1),
        accessKeySecret: z.string().min(1),
        securityToken: z.string().optional(),
      })
      .partial()
      .optional(),
    function: z.object({ name: z.string().optional() }).passthrough().optional(),
    region: z.string().optional(),
    accountId: z.string().optional(),
    /** The local cloud passes the function's environment here, since its handlers run in one process. */
    environment: z.record(z.string()).optional(),
  })
  .passthrough();
/** Function Compute's invocation context. */
export type FcContext = z.infer<typeof FcContextSchema>;

/** Parse FC's context; a missing or odd context (tests, local runs) gets a generated request id. */
export function parseFcContext(context: unknown): FcContext {
  const parsed = FcContextSchema.safeParse(context ?? {});
  if (parsed.success) return parsed.data;
  return { requestId: `local-${Date.now().toString(36)}` };
}

/** The environment a function reads its settings from. */
export function environmentOf(context: FcContext): Readonly<Record<string, string | undefined>> {
  if (!context.environment) return process.env;
  return {
    ...context.environment,
    ...(context.accountId && !context.environment.FC_ACCOUNT_ID ? { FC_ACCOUNT_ID: context.accountId } : {}),
  };
}
