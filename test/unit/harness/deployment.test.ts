import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  FunctionName,
  functionSettings,
  SHARD_INSTANCE_CONCURRENCY,
  shardAsyncInvokeConfig,
} from '../../../local/harness/deployment.js';

interface Descriptor {
  resources: Record<
    string,
    { props: { functionName: string; asyncInvokeConfig?: unknown; instanceConcurrency?: number } }
  >;
}

const descriptor = parse(readFileSync(new URL('../../../s.yaml', import.meta.url), 'utf8')) as Descriptor;

/** s.yaml's own `${...}` variables, as they appear in the file. */
const variable = (name: string): string => `\${${name}}`;

/** Resolve the s.yaml variables an async invoke config uses, for a region, account and bus. */
function resolve(value: unknown, region: string, accountId: string, bus: string): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replaceAll(variable('vars.region'), region)
      .replaceAll(variable('vars.accountId'), accountId)
      .replaceAll(variable("env('DTS_TRUST_EVENT_BUS', 'dts-trust')"), bus),
  );
}

describe('the local deployment', () => {
  it('gives reconcile-shard the asyncInvokeConfig s.yaml deploys: async tasks, retries, the bus on failure', () => {
    const deployed = descriptor.resources['reconcile-shard']?.props.asyncInvokeConfig;
    expect(resolve(deployed, 'cn-hangzhou', '5820374619283746', 'dts-trust')).toEqual(
      shardAsyncInvokeConfig('cn-hangzhou', '5820374619283746', 'dts-trust'),
    );
    expect(deployed).toMatchObject({ asyncTask: true });
  });

  it('runs each function with the instanceConcurrency s.yaml deploys (reconcile-shard several shards per instance)', () => {
    const settings = functionSettings({});
    for (const { props } of Object.values(descriptor.resources)) {
      const local = settings[props.functionName];
      expect(local, props.functionName).toBeDefined();
      expect(local?.instanceConcurrency ?? 1, props.functionName).toBe(props.instanceConcurrency ?? 1);
    }
    expect(descriptor.resources['reconcile-shard']?.props.instanceConcurrency).toBe(SHARD_INSTANCE_CONCURRENCY);
    expect(settings[FunctionName.ReconcileShard]?.instanceConcurrency).toBeGreaterThan(1);
  });
});
