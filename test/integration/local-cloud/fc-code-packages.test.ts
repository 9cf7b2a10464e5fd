import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../../local/cloud/server.js';
import {
  crashNextInvocations,
  fcCodeUnpacked,
  fcInvocations,
  registerFcFunction,
} from '../../../local/cloud/services/fc/functions.js';
import { ACCOUNT_A, exampleAccounts, FUNCTION_ROLE, type Harness, startHarness } from './eventbridge-fc-harness.js';
import { invokeFc } from './fc-client.js';

/** A code package as `npm run build` lays one out: plain CommonJS, loaded by FC's runtime as `index.handler`. */
const PROBE = `'use strict';
exports.handler = async (event, context) => {
  const request = JSON.parse(event.toString('utf8'));
  if (request.throw) throw new RangeError(request.throw);
  if (request.hang) return new Promise(() => {});
  if (request.exit) setTimeout(() => process.exit(3), request.exit);
  if (request.untagged) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    console.log(request.untagged);
  }
  if (request.waitMs) await new Promise((resolve) => setTimeout(resolve, request.waitMs));
  let zod = 'loaded';
  try { require('zod'); } catch { zod = 'not shipped'; }
  console.log('probe ran for', context.requestId);
  return {
    isBuffer: Buffer.isBuffer(event),
    pid: process.pid,
    env: {
      setting: process.env.PROBE_SETTING,
      keyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
      token: process.env.ALIBABA_CLOUD_SECURITY_TOKEN,
      account: process.env.FC_ACCOUNT_ID,
      name: process.env.FC_FUNCTION_NAME,
      region: process.env.FC_REGION,
      nodeOptions: process.env.NODE_OPTIONS,
    },
    context: { requestId: context.requestId, credentials: context.credentials, function: context.function },
    hasLogger: typeof context.logger.info === 'function',
    zod,
  };
};
`;

interface ProbeAnswer {
  isBuffer: boolean;
  pid: number;
  env: Record<string, string | undefined>;
  context: { requestId: string; credentials: { accessKeyId: string; securityToken: string }; function: unknown };
  hasLogger: boolean;
  zod: string;
}

let cloud: Harness;
let codeDir: string;

async function probe(request: Record<string, unknown> = {}, functionName = 'probe') {
  return invokeFc(cloud.endpoint, ACCOUNT_A, functionName, request);
}

/** The instance (pid) each answer ran on, and how many of them ran on each. */
function instancesOf(answers: readonly { json: unknown }[]): number[] {
  const counts = new Map<number, number>();
  for (const a of answers) {
    const { pid } = a.json as ProbeAnswer;
    counts.set(pid, (counts.get(pid) ?? 0) + 1);
  }
  return [...counts.values()].sort((x, y) => y - x);
}

beforeAll(async () => {
  // Inside the project, so that without FC's unpacking the probe would find the project's node_modules.
  const cache = fileURLToPath(new URL('../../../node_modules/.cache/', import.meta.url));
  await mkdir(cache, { recursive: true });
  codeDir = await mkdtemp(path.join(cache, 'probe-package-'));
  await writeFile(path.join(codeDir, 'index.js'), PROBE);
  cloud = await startHarness({ fc: { region: 'cn-hangzhou' } });
  registerFcFunction(cloud.core, 'probe', {
    codeDir,
    accountId: ACCOUNT_A.id,
    role: FUNCTION_ROLE,
    env: { PROBE_SETTING: 'from-s-yaml' },
    timeout: 1,
  });
  // As s.yaml deploys reconcile-shard: several invocations per instance.
  registerFcFunction(cloud.core, 'probe-shared', {
    codeDir,
    accountId: ACCOUNT_A.id,
    role: FUNCTION_ROLE,
    timeout: 1,
    instanceConcurrency: 2,
  });
});

afterAll(async () => {
  await cloud.stop();
  await rm(codeDir, { recursive: true, force: true });
});

describe('FC functions deployed as a code package', () => {
  it("run index.handler in a node process of their own, settings in process.env, the role's keys in the context", async () => {
    const answer = await probe();
    expect(answer.statusCode).toBe(200);
    const body = answer.json as ProbeAnswer;
    expect(body.pid).not.toBe(process.pid);
    expect(body.isBuffer).toBe(true);
    expect(body.hasLogger).toBe(true);
    expect(body.env).toMatchObject({
      setting: 'from-s-yaml',
      account: ACCOUNT_A.id,
      name: 'probe',
      region: 'cn-hangzhou',
      keyId: body.context.credentials.accessKeyId,
      token: body.context.credentials.securityToken,
    });
    expect(body.env.nodeOptions).toBeUndefined();
    expect(body.context.credentials.accessKeyId).toMatch(/^STS\./);
    expect(body.context.requestId).toBe(answer.headers['x-fc-request-id']);
    expect(body.context.function).toMatchObject({ name: 'probe', handler: 'index.handler', timeout: 1 });
  });

  it('load only what the code package ships, not the packages of the project around it', async () => {
    expect(((await probe()).json as ProbeAnswer).zod).toBe('not shipped');
  });

  it('reuse a warm instance for the next invocation', async () => {
    const first = (await probe()).json as ProbeAnswer;
    const second = (await probe()).json as ProbeAnswer;
    expect(second.pid).toBe(first.pid);
  });

  it('answer a handler that throws as UnhandledInvocationError with the error body', async () => {
    const answer = await probe({ throw: 'the grant is malformed' });
    expect(answer.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(answer.json).toMatchObject({ errorType: 'RangeError', errorMessage: 'the grant is malformed' });
  });

  it('stop an instance that runs past the timeout, and start a new one for the next invocation', async () => {
    const before = ((await probe()).json as ProbeAnswer).pid;
    const answer = await probe({ hang: true });
    expect(answer.json).toMatchObject({ errorMessage: 'Function timed out after 1 seconds' });
    expect(((await probe()).json as ProbeAnswer).pid).not.toBe(before);
  });

  it('answer a crashed instance as an error, and run the next invocation on a new one', async () => {
    const before = ((await probe()).json as ProbeAnswer).pid;
    crashNextInvocations(cloud.core, 'probe', 1);
    const crashed = await probe();
    expect(crashed.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(crashed.json).toMatchObject({ errorType: 'InstanceExited' });
    expect(((await probe()).json as ProbeAnswer).pid).not.toBe(before);
  });

  it('keep what the instance printed with the invocation record', async () => {
    const answer = await probe();
    const record = fcInvocations(cloud.core).find((r) => r.requestId === answer.headers['x-fc-request-id']);
    expect(record?.logs).toContain(`probe ran for ${answer.headers['x-fc-request-id']}`);
  });

  it('are unpacked when registered, as FC holds the code once deployed: the first invocation does not read the package', async () => {
    const own = await startLocalCloud({ accounts: exampleAccounts() });
    const deployed = await mkdtemp(path.join(path.dirname(codeDir), 'deployed-package-'));
    try {
      await writeFile(path.join(deployed, 'index.js'), PROBE);
      registerFcFunction(own.core, 'probe', { codeDir: deployed, accountId: ACCOUNT_A.id, role: FUNCTION_ROLE });
      await fcCodeUnpacked(own.core);
      await rm(deployed, { recursive: true, force: true });
      expect((await invokeFc(own.endpoint, ACCOUNT_A, 'probe', {})).statusCode).toBe(200);
    } finally {
      await own.stop();
      await rm(deployed, { recursive: true, force: true });
    }
  });

  it('stop every instance when the cloud stops', async () => {
    const own = await startLocalCloud({ accounts: exampleAccounts() });
    registerFcFunction(own.core, 'probe', { codeDir, accountId: ACCOUNT_A.id, role: FUNCTION_ROLE });
    const { pid } = (await invokeFc(own.endpoint, ACCOUNT_A, 'probe', {})).json as ProbeAnswer;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await own.stop();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('run invocations that arrive at once on instances of their own when instanceConcurrency is 1 (the default)', async () => {
    const answers = await Promise.all([0, 1, 2].map(() => probe({ waitMs: 300 })));
    expect(instancesOf(answers)).toEqual([1, 1, 1]);
  });

  it('run up to instanceConcurrency invocations at once on one instance, and start another only when every one is full', async () => {
    const answers = await Promise.all([0, 1, 2].map(() => probe({ waitMs: 300 }, 'probe-shared')));
    for (const answer of answers) expect(answer.statusCode).toBe(200);
    expect(instancesOf(answers)).toEqual([2, 1]);
    const later = await Promise.all([0, 1].map(() => probe({}, 'probe-shared')));
    expect(instancesOf(later)).toEqual([2]);
  });

  it('keep each line a shared instance prints with the invocation whose request id it carries, and lines with none with every one running', async () => {
    const answers = await Promise.all(
      ['first', 'second'].map((u) => probe({ untagged: u, waitMs: 500 }, 'probe-shared')),
    );
    expect(instancesOf(answers)).toEqual([2]);
    const ids = answers.map((a) => a.headers['x-fc-request-id']);
    for (const [mine, other] of [ids, [...ids].reverse()]) {
      const logs = fcInvocations(cloud.core).find((r) => r.requestId === mine)?.logs ?? [];
      expect(logs).toContain(`probe ran for ${mine}`);
      expect(logs).not.toContain(`probe ran for ${other}`);
      expect(logs).toEqual(expect.arrayContaining(['first', 'second']));
    }
  });

  it('stop a shared instance whose invocation runs past the timeout, failing the other invocation it ran', async () => {
    const hanging = probe({ hang: true }, 'probe-shared');
    // Started 400 ms later on the same instance, it would end before its own timeout, after the first one's.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const [hung, other] = await Promise.all([hanging, probe({ waitMs: 900 }, 'probe-shared')]);
    expect(hung?.json).toMatchObject({ errorMessage: 'Function timed out after 1 seconds' });
    expect(other?.json).toMatchObject({ errorType: 'InstanceExited' });
    expect((await probe({}, 'probe-shared')).statusCode).toBe(200);
  });

  it('fail every invocation a shared instance was running when it exits, and run the next on a new instance', async () => {
    const first = (await probe({}, 'probe-shared')).json as ProbeAnswer;
    // Both on the instance that answered first: one answers, then has it exit 100 ms later; the other is still
    // waiting then.
    const [leaving, waiting] = await Promise.all([
      probe({ exit: 100 }, 'probe-shared'),
      probe({ waitMs: 600 }, 'probe-shared'),
    ]);
    expect(leaving?.json).toMatchObject({ pid: first.pid });
    expect(waiting?.json).toMatchObject({ errorType: 'InstanceExited' });
    const next = (await probe({}, 'probe-shared')).json as ProbeAnswer;
    expect(next.pid).not.toBe(first.pid);
  });
});
