/**
 * The import walls of biome.json catch what they are for. Each probe is a one-import file written at a path a wall
 * covers, in a scratch copy of the project's biome configuration; biome lints them all in one run and each probe
 * must be refused by `noRestrictedImports` (with its wall's message) or let through, as the wall says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIOME = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'biome.cmd' : 'biome');

/** The first words of each wall's message in biome.json, to tell which wall refused a probe. */
const Wall = {
  productFromLocal: 'The product imports nothing from local/',
  runtimeFromBelow: 'Adapters, intake, audit delivery and the pure core do not import the runtime that composes them',
  adaptersFromCore: 'The pure core does not import the adapters',
  sdkFromCore: 'The pure core imports no SDK',
  ioFromCore: 'The pure core does no I/O',
  productFromCloud: 'The local cloud emulates Alibaba Cloud, not dts-trust',
  usersFromCloud: 'The local cloud imports nothing from its users',
  demoFromHarness: 'The harness does not import the demo',
  demoFromUsers: 'Tests, bench and scripts use local/harness, not local/demo',
} as const;
type Wall = (typeof Wall)[keyof typeof Wall];

/** How a probe imports: a value import, a type import, a re-export or a dynamic `import()`. */
const ImportForm = {
  value: (specifier: string) => `import { x } from '${specifier}';\nexport { x };\n`,
  type: (specifier: string) => `import type { X } from '${specifier}';\nexport type { X };\n`,
  reexport: (specifier: string) => `export { x } from '${specifier}';\n`,
  dynamic: (specifier: string) => `export const x = await import('${specifier}');\n`,
} as const;

/** A file at `file` whose only import is `imports`; `wall` refuses it, or nothing does (`allowed`). */
interface Probe {
  readonly file: string;
  readonly imports: string;
  readonly form?: keyof typeof ImportForm;
  readonly wall: Wall | 'allowed';
}

const probes: readonly Probe[] = [
  // The local cloud imports nothing from the product, nor from those who use it.
  {
    file: 'local/cloud/accounts-probe.ts',
    imports: '../../shared/domain/errors.js',
    wall: Wall.productFromCloud,
  },
  {
    file: 'local/cloud/services/ram/type-probe.ts',
    imports: '../../../../shared/ports.js',
    form: 'type',
    wall: Wall.productFromCloud,
  },
  {
    file: 'local/cloud/services/fc/functions-probe.ts',
    imports: '../../../../functions/ticket-intake/index.js',
    wall: Wall.productFromCloud,
  },
  {
    file: 'local/cloud/triggers/reexport-probe.ts',
    imports: '../../../cli/main.js',
    form: 'reexport',
    wall: Wall.productFromCloud,
  },
  {
    file: 'local/cloud/services/dynamic-probe.ts',
    imports: '../../../shared/alicloud/ram.js',
    form: 'dynamic',
    wall: Wall.productFromCloud,
  },
  { file: 'local/cloud/harness-probe.ts', imports: '../harness/deployment.js', wall: Wall.usersFromCloud },
  { file: 'local/cloud/demo-probe.ts', imports: '../demo/report.js', wall: Wall.usersFromCloud },
  { file: 'local/cloud/test-probe.ts', imports: '../../test/support/fake-clock.js', wall: Wall.usersFromCloud },
  { file: 'local/cloud/services/ram/own-probe.ts', imports: '../../errors.js', wall: 'allowed' },
  { file: 'local/cloud/services/fc/sdk-probe.ts', imports: '@alicloud/fc20230330', wall: 'allowed' },
  { file: 'local/cloud/services/fc/sibling-probe.ts', imports: './functions.js', wall: 'allowed' },

  // Adapters, intake and audit delivery do not import the runtime that composes them (FC glue, configuration, composition root,
  // deploy tooling, use cases).
  { file: 'shared/alicloud/config-probe.ts', imports: '../config/config.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/intake/usecase-probe.ts', imports: '../usecases/shards.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/alicloud/deploy-probe.ts', imports: '../deploy/permissions.js', wall: Wall.runtimeFromBelow },
  {
    file: 'shared/alicloud/tablestore/composition-probe.ts',
    imports: '../../composition/services.js',
    wall: Wall.runtimeFromBelow,
  },
  { file: 'shared/intake/envelope-probe.ts', imports: '../fc/envelopes.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/audit/config-probe.ts', imports: '../config/config.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/audit/logger-probe.ts', imports: '../logger.js', wall: 'allowed' },
  {
    file: 'shared/alicloud/local-probe.ts',
    imports: '../../local/cloud/server.js',
    wall: Wall.productFromLocal,
  },
  { file: 'shared/alicloud/domain-probe.ts', imports: '../domain/errors.js', wall: 'allowed' },
  { file: 'shared/alicloud/sdk-probe.ts', imports: '@alicloud/ram20150501', wall: 'allowed' },
  { file: 'shared/intake/domain-probe.ts', imports: '../domain/grant.js', wall: 'allowed' },

  // The pure core: no SDK, no I/O, no adapters, no runtime.
  { file: 'shared/reconcile/sdk-probe.ts', imports: '@alicloud/ram20150501', wall: Wall.sdkFromCore },
  { file: 'shared/domain/kms-probe.ts', imports: '@alicloud/kms20160120', wall: Wall.sdkFromCore },
  { file: 'shared/policy/dara-probe.ts', imports: '@darabonba/typescript', wall: Wall.sdkFromCore },
  { file: 'shared/reconcile/tablestore-probe.ts', imports: 'tablestore', wall: Wall.sdkFromCore },
  { file: 'shared/reconcile/fs-probe.ts', imports: 'node:fs/promises', wall: Wall.ioFromCore },
  { file: 'shared/domain/http-probe.ts', imports: 'node:http', wall: Wall.ioFromCore },
  { file: 'shared/reconcile/adapter-probe.ts', imports: '../alicloud/ram.js', wall: Wall.adaptersFromCore },
  { file: 'shared/policy/config-probe.ts', imports: '../config/config.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/reconcile/fc-probe.ts', imports: '../fc/handler.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/reconcile/usecase-probe.ts', imports: '../usecases/shards.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/domain/composition-probe.ts', imports: '../composition/services.js', wall: Wall.runtimeFromBelow },
  { file: 'shared/domain/local-probe.ts', imports: '../../local/harness/x.js', wall: Wall.productFromLocal },
  { file: 'shared/reconcile/ports-probe.ts', imports: '../ports.js', wall: 'allowed' },
  { file: 'shared/policy/crypto-probe.ts', imports: 'node:crypto', wall: 'allowed' },
  { file: 'shared/domain/zod-probe.ts', imports: 'zod', wall: 'allowed' },

  // The rest of the product imports nothing from local/.
  { file: 'shared/composition/harness-probe.ts', imports: '../../local/harness/x.js', wall: Wall.productFromLocal },
  {
    file: 'functions/drift-reconciler/cloud-probe.ts',
    imports: '../../local/cloud/server.js',
    wall: Wall.productFromLocal,
  },
  { file: 'cli/demo-probe.ts', imports: '../local/demo/report.js', wall: Wall.productFromLocal },
  { file: 'shared/composition/adapter-probe.ts', imports: '../alicloud/ram.js', wall: 'allowed' },
  {
    file: 'functions/drift-reconciler/runtime-probe.ts',
    imports: '../../shared/fc/handler.js',
    wall: 'allowed',
  },

  // local/demo (npm start) is built on the harness, and only npm start uses it.
  { file: 'local/harness/demo-probe.ts', imports: '../demo/report.js', wall: Wall.demoFromHarness },
  { file: 'test/e2e/demo-probe.ts', imports: '../../local/demo/report.js', wall: Wall.demoFromUsers },
  { file: 'bench/demo-probe.ts', imports: '../local/demo/report.js', wall: Wall.demoFromUsers },
  { file: 'scripts/demo-probe.ts', imports: '../local/demo/main.js', wall: Wall.demoFromUsers },
  { file: 'local/harness/cloud-probe.ts', imports: '../cloud/server.js', wall: 'allowed' },
  {
    file: 'local/harness/product-probe.ts',
    imports: '../../functions/ticket-intake/index.js',
    wall: 'allowed',
  },
  { file: 'local/demo/harness-probe.ts', imports: '../harness/sample-events.js', wall: 'allowed' },
  { file: 'test/e2e/harness-probe.ts', imports: '../../local/harness/sample-events.js', wall: 'allowed' },
];

interface Diagnostic {
  readonly category: string;
  readonly message: string;
  readonly location: { readonly path: string };
}

let scratch: string;
let linted: number;
let refusals: Map<string, readonly Diagnostic[]>;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'import-walls-'));
  const { $schema: _schema, ...config } = JSON.parse(readFileSync(path.join(ROOT, 'biome.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(path.join(scratch, 'biome.json'), JSON.stringify(config));
  for (const probe of probes) {
    mkdirSync(path.dirname(path.join(scratch, probe.file)), { recursive: true });
    writeFileSync(path.join(scratch, probe.file), ImportForm[probe.form ?? 'value'](probe.imports));
  }
  const run = spawnSync(
    BIOME,
    ['lint', '--only=style/noRestrictedImports', '--reporter=json', '--max-diagnostics=none', '.'],
    {
      cwd: scratch,
      encoding: 'utf8',
    },
  );
  const report = JSON.parse(run.stdout) as {
    summary: { unchanged: number; changed: number };
    diagnostics: Diagnostic[];
  };
  linted = report.summary.unchanged + report.summary.changed;
  refusals = new Map();
  for (const diagnostic of report.diagnostics) {
    const file = diagnostic.location.path.split(path.sep).join('/');
    refusals.set(file, [...(refusals.get(file) ?? []), diagnostic]);
  }
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the import walls', () => {
  it('are checked on every probe and on nothing else (the probes and biome.json)', () => {
    expect(linted).toBe(probes.length + 1);
    expect([...refusals.keys()].filter((file) => !probes.some((p) => p.file === file))).toEqual([]);
  });

  it.each(probes.filter((p) => p.wall !== 'allowed'))('refuse $file importing $imports', (probe) => {
    const found = refusals.get(probe.file) ?? [];
    expect(found.map((d) => d.category)).toEqual(['lint/style/noRestrictedImports']);
    expect(found[0]?.message).toContain(probe.wall);
  });

  it.each(probes.filter((p) => p.wall === 'allowed'))('let $file import $imports', (probe) => {
    expect(refusals.get(probe.file) ?? []).toEqual([]);
  });
});
