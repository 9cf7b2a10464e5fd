import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipPackages } from '../../../scripts/code-package.mjs';
import { GENERATED_PROTO, REST_FILE, trimShippedProto } from '../../../scripts/generated-proto.mjs';
import { buildSideBundle, bundleShippedPackage, SIDE_BUNDLED } from '../../../scripts/side-bundles.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));

let codeDir: string;
/** `require` as the function bundle (dist/<function>/index.js) does. */
let requireFromBundle: NodeJS.Require;

beforeAll(async () => {
  codeDir = await mkdtemp(path.join(tmpdir(), 'dts-trust-side-bundles-'));
  for (const pkg of SIDE_BUNDLED) await buildSideBundle(ROOT, codeDir, pkg);
  requireFromBundle = createRequire(path.join(codeDir, 'index.js'));
}, 60_000);

afterAll(() => rm(codeDir, { recursive: true, force: true }));

describe('the side bundles of the packages only lazy modules require', () => {
  it.each(SIDE_BUNDLED)('%s: the bundle finds it beside itself, with the exports of the package', (pkg) => {
    const file = requireFromBundle.resolve(pkg);
    expect(file).toBe(path.join(codeDir, 'node_modules', pkg, 'index.js'));
    const side = requireFromBundle(pkg) as Record<string, unknown>;
    const real = requireFromRoot(pkg) as Record<string, unknown>;
    expect(typeof side).toBe(typeof real);
    expect(Object.keys(side).sort()).toEqual(Object.keys(real).sort());
  });

  it('work as the packages do', async () => {
    type Credentials = { default: new () => { getCredential(): Promise<{ accessKeyId?: string; type?: string }> } };
    const credentials = requireFromBundle('@alicloud/credentials') as Credentials;
    const saved = { id: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID, secret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'AK-FROM-ENV';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'secret';
    try {
      // The default chain, as defaultChainKeys builds it outside FC: the environment's keys.
      const model = await new credentials.default().getCredential();
      expect({ accessKeyId: model.accessKeyId, type: model.type }).toEqual({
        accessKeyId: 'AK-FROM-ENV',
        type: 'default',
      });
    } finally {
      for (const [name, value] of [
        ['ALIBABA_CLOUD_ACCESS_KEY_ID', saved.id],
        ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const lodash = requireFromBundle('lodash') as { merge(...objects: object[]): object };
    expect(lodash.merge({}, { a: { b: 1 } }, { a: { c: 2 } })).toEqual({ a: { b: 1, c: 2 } });
    const moment = requireFromBundle('moment') as typeof import('moment');
    expect(moment.utc('2026-12-01T18:00:00Z').add(1, 'day').format('YYYY-MM-DD')).toBe('2026-12-02');
    const xml2js = requireFromBundle('xml2js') as typeof import('xml2js');
    expect(await xml2js.parseStringPromise('<a><b>1</b></a>')).toEqual({ a: { b: ['1'] } });
    expect(new xml2js.Builder({ headless: true }).buildObject({ a: { b: 1 } })).toBe('<a>\n  <b>1</b>\n</a>');
    const ws = requireFromBundle('ws') as { WebSocket: unknown; Server: unknown };
    expect([typeof ws.WebSocket, typeof ws.Server]).toEqual(['function', 'function']);
    type Agents = Record<string, new (proxy: string) => object>;
    for (const [pkg, name, proxy] of [
      ['http-proxy-agent', 'HttpProxyAgent', 'http://127.0.0.1:3128'],
      ['https-proxy-agent', 'HttpsProxyAgent', 'http://127.0.0.1:3128'],
      ['socks-proxy-agent', 'SocksProxyAgent', 'socks5://127.0.0.1:1080'],
    ] as const) {
      const Agent = (requireFromBundle(pkg) as Agents)[name];
      expect(Agent, pkg).toBeTypeOf('function');
      expect(new (Agent as NonNullable<typeof Agent>)(proxy)).toBeInstanceOf(requireFromBundle('node:events'));
    }
  });
});

describe('the tablestore SDK shipped as one file', () => {
  it('exports what the SDK exports, its own files still sloppy, with its dependencies beside it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dts-trust-tablestore-bundle-'));
    try {
      await shipPackages(ROOT, dir, ['tablestore']);
      await trimShippedProto(dir);
      const rest = path.join(path.dirname(GENERATED_PROTO), REST_FILE);
      await bundleShippedPackage(dir, 'tablestore', [rest]);
      const sdkDir = path.join(dir, 'node_modules', 'tablestore');
      expect(readdirSync(sdkDir).sort()).toEqual(['LICENSE', 'index.js', 'lib', 'package.json']);
      expect(readdirSync(sdkDir, { recursive: true }).filter((f) => String(f).endsWith('.js'))).toEqual(
        expect.arrayContaining(['index.js', rest]),
      );
      const code = readFileSync(path.join(sdkDir, 'index.js'), 'utf8');
      expect(code.startsWith('"use strict"')).toBe(false);
      const fromBundle = createRequire(path.join(dir, 'index.js'));
      const sdk = fromBundle('tablestore') as Record<string, unknown> & {
        Long: { fromNumber(n: number): { toNumber(): number } };
      };
      const real = requireFromRoot('tablestore') as Record<string, unknown>;
      expect(Object.keys(sdk).sort()).toEqual(Object.keys(real).sort());
      expect(sdk.Long.fromNumber(2 ** 40).toNumber()).toBe(2 ** 40);
      expect(fromBundle.resolve('long')).toBe(path.join(dir, 'node_modules', 'long', 'src', 'long.js'));
      // A type none of dts-trust's operations reads comes from the file beside the bundle, on first read.
      const restFile = path.join(sdkDir, rest);
      const loaded = () => Object.keys(fromBundle.cache).includes(restFile);
      const { encoder } = sdk as unknown as { encoder: { encode(op: string, p: object): { query?: string } } };
      encoder.encode('getRow', { tableName: 't', primaryKey: [{ id: 'a' }] });
      expect(loaded()).toBe(false);
      expect(encoder.encode('SQLQuery', { query: 'select 1' }).query).toBe('select 1');
      expect(loaded()).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
