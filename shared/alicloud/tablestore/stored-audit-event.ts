import { z } from 'zod';

/**
 * What a stored `event` column (in the outbox and in the audit history) must hold to be read: checked on every read,
 * since rows outlive releases. One schema for both tables, which store the same event.
 */
export const StoredAuditEventSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    source: z.literal('dts-trust'),
    subject: z.string(),
    time: z.string(),
    data: z.object({ correlationId: z.string(), outcome: z.string() }).passthrough(),
  })
  .passthrough();
