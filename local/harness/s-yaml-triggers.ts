/**
 * The triggers s.yaml declares, read for a local deployment: the one reader of s.yaml's `triggers` the harness
 * uses (the ticket queue's and the RAM change route's), with `${vars.region}` and `${vars.accountId}` resolved.
 * The trigger's configuration is returned as written; the local trigger that runs it validates it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HarnessError } from './errors.js';
import { LOCAL_AUTOMATION } from './local-environment.js';

/** One trigger of a function, as s.yaml declares it. */
export interface SYamlTrigger {
  readonly triggerName: string;
  readonly triggerType: string;
  readonly qualifier?: string;
  readonly triggerConfig: unknown;
}

/** Where s.yaml is and the deploy variables to resolve in it. */
export interface SYamlSource {
  readonly path?: URL;
  readonly vars?: { readonly region: string; readonly accountId: string };
}

/** The trigger `triggerName` of s.yaml's resource `resource` (`ticket-intake`, ...); throws when it has none. */
export function sYamlTrigger(resource: string, triggerName: string, source: SYamlSource = {}): SYamlTrigger {
  const path = source.path ?? new URL('../../s.yaml', import.meta.url);
  const vars = source.vars ?? { region: 'cn-hangzhou', accountId: LOCAL_AUTOMATION.accountId };
  const text = readFileSync(path, 'utf8').replace(
    /\$\{vars\.(region|accountId)\}/g,
    (_, name: 'region' | 'accountId') => vars[name],
  );
  const document = parse(text) as { resources?: Record<string, { props?: { triggers?: SYamlTrigger[] } }> };
  const trigger = document.resources?.[resource]?.props?.triggers?.find((t) => t.triggerName === triggerName);
  if (!trigger) {
    throw new HarnessError('DemoSetup', `s.yaml has no trigger "${triggerName}" under resources.${resource}.props`);
  }
  return trigger;
}
