// Invoke a function deployed on the local cloud (`npm run local-cloud -- ... --deploy-bundles`) through the real
// FC 3.0 SDK, in plain node, signed with the example automation account's runner keys.
// Usage: node scripts/invoke-local.mjs <endpoint 127.0.0.1:<port>> <function name> <event.json> [--async]
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import FcSdk from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';

const [endpoint, functionName, eventFile, ...flags] = process.argv.slice(2);
if (!endpoint || !functionName || !eventFile) {
  console.error('usage: node scripts/invoke-local.mjs 127.0.0.1:<port> <function name> <event.json> [--async]');
  process.exit(2);
}
const accounts = JSON.parse(await readFile(new URL('../local/accounts.example.json', import.meta.url), 'utf8'));
const runner = accounts.accounts.find((a) => a.name === 'automation')?.users?.find((u) => u.name === 'dts-trust-runner')
  ?.accessKeys?.[0];
if (!runner) throw new Error('local/accounts.example.json has no dts-trust-runner user in the automation account');
const client = new FcSdk.default(
  new $OpenApiUtil.Config({
    accessKeyId: runner.id,
    accessKeySecret: runner.secret,
    endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  }),
);
const res = await client.invokeFunctionWithOptions(
  functionName,
  new FcSdk.InvokeFunctionRequest({ body: Readable.from([await readFile(eventFile)]) }),
  new FcSdk.InvokeFunctionHeaders(flags.includes('--async') ? { xFcInvocationType: 'Async' } : {}),
  new $dara.RuntimeOptions({ autoretry: false, connectTimeout: 60_000, readTimeout: 900_000 }),
);
const chunks = [];
for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk));
const errorType = res.headers?.['x-fc-error-type'];
console.log(`HTTP ${res.statusCode}${errorType ? ` ${errorType}` : ''} request ${res.headers?.['x-fc-request-id']}`);
console.log(Buffer.concat(chunks).toString('utf8'));
process.exit(errorType ? 1 : 0);
