/** The heap limit the functions run with, as s.yaml sets it (`NODE_OPTIONS=--max-old-space-size=<MiB>`). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const SYamlEnvironment = z.object({
  vars: z.object({
    environment: z.object({
      NODE_OPTIONS: z
        .string()
        .regex(/--max-old-space-size=\d+/, 'NODE_OPTIONS in s.yaml must set --max-old-space-size=<MiB>'),
    }),
  }),
});

/** The `--max-old-space-size` of s.yaml's function environment, MiB; throws naming the field when it is missing. */
export function sYamlHeapLimitMiB(file = new URL('../s.yaml', import.meta.url)): number {
  const parsed = SYamlEnvironment.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`s.yaml: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return Number(/--max-old-space-size=(\d+)/.exec(parsed.data.vars.environment.NODE_OPTIONS)?.[1]);
}
