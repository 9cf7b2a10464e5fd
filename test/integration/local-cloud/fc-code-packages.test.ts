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

async function probe(request: Record<string, unknown> = {}) {
  return invokeFc(cloud.endpoint, ACCOUNT_A, 'probe', request);
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
});
