/**
 * How a bench worker process and the bench talk: the request is one JSON document on the worker's stdin (fleets
 * are too large for an argument), the answer one JSON line, the last on its stdout.
 */
import type { z } from 'zod';

/** Read and validate the request on stdin; throws naming the fields that do not fit. */
export async function readRequest<S extends z.ZodTypeAny>(schema: S, worker: string): Promise<z.output<S>> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  let data: unknown;
  try {
    data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new Error(`${worker}: the request on stdin is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${worker}: bad request: ${fields}`);
  }
  return parsed.data;
}

/** Print the answer as the last line of stdout. */
export function writeAnswer(answer: unknown): void {
  process.stdout.write(`\n${JSON.stringify(answer)}\n`);
}

/** End the worker on an error, its message and stack on stderr (workers are CommonJS: no top-level await). */
export function failWorker(error: unknown): void {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
