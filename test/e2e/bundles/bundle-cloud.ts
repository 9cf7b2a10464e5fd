/**
 * The local cloud with the built bundles deployed (dist/<function>, each function in node processes of its own,
 * as on FC's nodejs20 runtime). Nothing here imports a function's source: the functions are only what dist/ holds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { CodePackage, DIST_DIR, deployBundles } from '../../../local/harness/deployment.js';
import { LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import type { SampleAccounts } from '../../../local/harness/sample-events.js';
import { EXAMPLE, exampleAccountsDocument } from '../../support/local-cloud.js';

const ROOT = path.resolve(DIST_DIR, '..');

/** The example accounts in the roles the samples give them. */
export const accounts: SampleAccounts = {
  sourceOwner: EXAMPLE.sourceOwner.id,
  destinationOwner: EXAMPLE.destinationOwner.id,
  task: EXAMPLE.taskCreator.id,
  automation: EXAMPLE.automation.id,
};

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Fail with what to do when a bundle is missing or older than the sources it is built from. */
export function assertBundlesBuilt(): void {
  const sources = Math.max(newestSource(path.join(ROOT, 'functions')), newestSource(path.join(ROOT, 'shared')));
  for (const name of Object.values(CodePackage)) {
    const file = path.join(DIST_DIR, name, 'index.js');
    if (!existsSync(file)) throw new Error(`dist/${name}/index.js is missing: run npm run build (npm test does)`);
    if (statSync(file).mtimeMs < sources) {
      throw new Error(`dist/${name}/index.js is older than the sources: run npm run build (npm test does)`);
    }
  }
}

/** Start the local cloud (tables ready at once) and deploy the four bundles with `extraEnv` added. */
export async function startBundleCloud(extraEnv: Readonly<Record<string, string>> = {}): Promise<LocalCloud> {
  assertBundlesBuilt();
  const cloud = await startLocalCloud({
    port: 0,
    accounts: exampleAccountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, tablestore: { tableLoadSeconds: 0 } },
  });
  deployBundles(cloud, extraEnv);
  return cloud;
}

/** A timer trigger event for a run at `when` (FC's format: whole seconds, `Z`). */
export function timerEvent(when: Date): { triggerTime: string; triggerName: string; payload: string } {
  return { triggerTime: `${when.toISOString().slice(0, 19)}Z`, triggerName: 'drift-timer', payload: '' };
}
