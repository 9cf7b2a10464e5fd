import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { fleetAccountId } from '../../../bench/fleet.js';
import { sYamlHeapLimitMiB } from '../../../bench/s-yaml-heap.js';
import { localTrustSettings } from '../../../local/harness/local-environment.js';
import { loadConfig, MOVED_TO_TRUST_SETTINGS } from '../../../shared/config/config.js';
import { FC3_FUNCTION_PROPS_SCHEMA } from '../../support/fc3-function-schema.js';
import { type DeployContext, renderServerlessYaml } from '../../support/serverless-yaml.js';

/** ajv is CommonJS: Node's ESM loader (and vitest with interopDefault off) hands its module object over. */
const Ajv = AjvModule.default;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const S_YAML = path.join(ROOT, 's.yaml');
const ACCOUNT = '1234567890123456';

/** FC limits the environment variables of a function to 4 KB in total. */
const FC_ENVIRONMENT_LIMIT_BYTES = 4 * 1024;
/** The owner accounts of the benchmark's full fleet (bench/run.ts: 10,000 roles over 1,000 accounts). */
const BENCH_FLEET_ACCOUNTS = 1_000;
/** KMS Secrets Manager keeps at most this many bytes in one secret value (CreateSecret / PutSecretValue). */
const KMS_SECRET_LIMIT_BYTES = 30_720;

type Props = Record<string, unknown> & {
  functionName: string;
  code: string;
  handler: string;
  cpu: number;
  memorySize: number;
  environmentVariables: Record<string, string>;
  vpcConfig: { vpcId: string; vSwitchIds: string[]; securityGroupId: string };
  triggers?: { triggerType: string; triggerConfig: { cronExpression?: string } }[];
};

const deploy = (env: Record<string, string> = {}): DeployContext => ({ env, config: { AccountID: ACCOUNT } });

function functionsOf(env: Record<string, string> = {}): Props[] {
  const rendered = renderServerlessYaml(S_YAML, deploy(env));
  return Object.values(rendered.resources).map((r) => {
    expect(r.component).toBe('fc3');
    return r.props as Props;
  });
}

const envBytes = (env: Record<string, string>) =>
  Object.entries(env).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

const VPC_DEPLOY = {
  DTS_TRUST_NETWORK: 'vpc',
  DTS_TRUST_VPC_ID: 'vpc-bp1dtstrust',
  DTS_TRUST_VSWITCH_ID: 'vsw-bp1dtstrust',
  DTS_TRUST_SECURITY_GROUP_ID: 'sg-bp1dtstrust',
};

describe('s.yaml rendered offline', () => {
  it("gives every function props the fc3 component's schema accepts", () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(FC3_FUNCTION_PROPS_SCHEMA);
    for (const env of [{}, VPC_DEPLOY]) {
      for (const props of functionsOf(env)) {
        const ok = validate(props);
        expect(validate.errors ?? [], `${props.functionName}: ${JSON.stringify(validate.errors)}`).toEqual([]);
        expect(ok).toBe(true);
      }
    }
  });

  it('the schema check is not vacuous: it refuses a misspelt prop, a bad memory size and a timer without a cron', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(FC3_FUNCTION_PROPS_SCHEMA);
    const [first] = functionsOf();
    for (const broken of [
      { ...first, environmentVariable: {} },
      { ...first, memorySize: 1000 },
      { ...first, triggers: [{ triggerName: 't', triggerType: 'timer', triggerConfig: { enable: true } }] },
    ]) {
      expect(validate(broken)).toBe(false);
    }
  });

  it('keeps cpu and memory within 1-4 GB per vCPU', () => {
    for (const { functionName, cpu, memorySize } of functionsOf()) {
      const gbPerVcpu = memorySize / 1024 / cpu;
      expect(gbPerVcpu, functionName).toBeGreaterThanOrEqual(1);
      expect(gbPerVcpu, functionName).toBeLessThanOrEqual(4);
      expect(Math.round(cpu * 100) % 5, `${functionName}: cpu is a multiple of 0.05`).toBe(0);
    }
  });

  it('schedules the timer with a 6-field cron (seconds first)', () => {
    const crons = functionsOf().flatMap((p) =>
      (p.triggers ?? []).filter((t) => t.triggerType === 'timer').map((t) => t.triggerConfig.cronExpression ?? ''),
    );
    expect(crons.length).toBeGreaterThan(0);
    for (const cron of crons) {
      const fields = cron.trim().split(/\s+/);
      expect(fields, cron).toHaveLength(6);
      for (const field of fields) expect(field, cron).toMatch(/^[0-9*?/,LW#A-Z-]+$/);
      expect(Number(fields[0]), `${cron}: seconds`).toBeLessThan(60);
    }
  });

  it('runs on the public Tablestore and KMS endpoints without a VPC by default', () => {
    for (const props of functionsOf()) {
      expect(props.vpcConfig).toEqual({ vpcId: '', vSwitchIds: [], securityGroupId: '' });
      expect(props.internetAccess).toBe(true);
      const config = loadConfig(props.environmentVariables);
      expect(config.network).toBe('public');
      expect(config.endpoints.tablestore).toBe('https://dts-trust.cn-hangzhou.ots.aliyuncs.com');
      expect(config.endpoints.kms).toBe('kms.cn-hangzhou.aliyuncs.com');
    }
  });

  it('puts every function in the VPC and uses the VPC endpoints when DTS_TRUST_NETWORK=vpc', () => {
    for (const props of functionsOf(VPC_DEPLOY)) {
      expect(props.vpcConfig, props.functionName).toEqual({
        vpcId: 'vpc-bp1dtstrust',
        vSwitchIds: ['vsw-bp1dtstrust'],
        securityGroupId: 'sg-bp1dtstrust',
      });
      const config = loadConfig(props.environmentVariables);
      expect(config.endpoints.tablestore).toBe('https://dts-trust.cn-hangzhou.vpc.tablestore.aliyuncs.com');
      expect(config.endpoints.kms).toBe('kms-vpc.cn-hangzhou.aliyuncs.com');
    }
  });

  it('deploys an unset VPC id as a value FC refuses naming the variable, never as "no VPC"', () => {
    for (const props of functionsOf({ DTS_TRUST_NETWORK: 'vpc' })) {
      expect(props.vpcConfig.vpcId).toBe('set-DTS_TRUST_VPC_ID');
      expect(props.vpcConfig.vSwitchIds).toEqual(['set-DTS_TRUST_VSWITCH_ID']);
    }
  });

  it('configures functions that start: their environment passes loadConfig and names the settings secret', () => {
    const functions = functionsOf();
    for (const props of functions) {
      const config = loadConfig(props.environmentVariables);
      expect(config.trustSettings).toEqual({ kind: 'secret', secretName: 'dts-trust/settings', ttlSeconds: 300 });
      expect(props.role).toBe(`acs:ram::${ACCOUNT}:role/dts-trust-function`);
    }
    const shard = functions.find((p) => p.functionName === 'dts-trust-reconcile-shard');
    expect(shard).toBeDefined();
    for (const props of functions) {
      expect(loadConfig(props.environmentVariables).sharding.functionName).toBe(shard?.functionName);
    }
  });

  it('deploys without Tencent by default, and with it when DTS_TRUST_TENCENT_HUB_KEYS_SECRET names the hub keys secret', () => {
    for (const props of functionsOf()) expect(loadConfig(props.environmentVariables).tencent).toBeUndefined();
    const env = { DTS_TRUST_TENCENT_HUB_KEYS_SECRET: 'dts-trust/tencent-hub' };
    for (const props of functionsOf(env)) {
      const config = loadConfig(props.environmentVariables);
      expect(config.tencent).toMatchObject({
        hubKeys: { kind: 'secret', secretName: 'dts-trust/tencent-hub' },
        managementRole: 'dts-trust-manager',
        endpoints: { cam: 'cam.tencentcloudapi.com', protocol: 'https://' },
      });
      expect(config.guardrails.allowedTencentPolicies).toContain('QcloudAccessForMySQLRole');
      expect(config.guardrails.allowedPolicies).toEqual(['AliyunDTSRolePolicy']);
    }
  });

  it('caps the V8 heap of every function well below its memory, with the limit the bench runs the reconciler under', () => {
    for (const props of functionsOf()) {
      const heap = /(?:^|\s)--max-old-space-size=(\d+)(?:\s|$)/.exec(props.environmentVariables.NODE_OPTIONS ?? '');
      expect(heap, `${props.functionName}: NODE_OPTIONS sets --max-old-space-size`).not.toBeNull();
      const mib = Number(heap?.[1]);
      expect(mib, props.functionName).toBeGreaterThanOrEqual(128);
      expect(mib, props.functionName).toBeLessThanOrEqual(props.memorySize / 2);
      expect(mib).toBe(sYamlHeapLimitMiB());
    }
  });

  it('keeps the environment under 4 KB at the benchmark fleet size: nothing in it grows with the accounts', () => {
    const owners = Array.from({ length: BENCH_FLEET_ACCOUNTS }, (_, i) => fleetAccountId(i));
    // An operator whose shell still has the lists of an earlier release: s.yaml must not forward them.
    const legacy = Object.fromEntries(Object.keys(MOVED_TO_TRUST_SETTINGS).map((name) => [name, owners.join(',')]));
    const rendered = renderServerlessYaml(S_YAML, deploy(legacy));
    for (const name of Object.keys(MOVED_TO_TRUST_SETTINGS)) expect(rendered.envNames.has(name), name).toBe(false);
    expect(rendered.envNames.has('DTS_TRUST_SETTINGS')).toBe(false);
    for (const resource of Object.values(rendered.resources)) {
      const env = (resource.props as Props).environmentVariables;
      expect(envBytes(env)).toBeLessThan(FC_ENVIRONMENT_LIMIT_BYTES);
      expect(JSON.stringify(env)).not.toContain(owners[0]);
    }
    // What grows with the fleet lives in the secret instead: the allow-list alone would not fit the environment.
    const settings = JSON.stringify(localTrustSettings({ allowedOwnerAccounts: owners }));
    expect(Buffer.byteLength(settings)).toBeGreaterThan(FC_ENVIRONMENT_LIMIT_BYTES);
    expect(Buffer.byteLength(settings)).toBeLessThan(KMS_SECRET_LIMIT_BYTES);
  });
});

describe('s.yaml and the built bundles', () => {
  const handlerFiles = () =>
    functionsOf().map((p) => {
      const [file, exportName] = p.handler.split('.');
      return { functionName: p.functionName, file: path.join(ROOT, p.code, `${file}.js`), exportName };
    });

  beforeAll(() => {
    if (handlerFiles().some((h) => !existsSync(h.file))) {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    }
  }, 120_000);

  it('finds every handler in dist/, exported under the name s.yaml gives', () => {
    const load = createRequire(import.meta.url);
    for (const { functionName, file, exportName } of handlerFiles()) {
      expect(existsSync(file), `${functionName}: ${file}`).toBe(true);
      const module = load(file) as Record<string, unknown>;
      expect(typeof module[exportName ?? ''], `${functionName}: ${exportName}`).toBe('function');
    }
  });
});
