import { handler as driftEvent } from '../../functions/drift-event/index.js';
import { handler as driftReconciler } from '../../functions/drift-reconciler/index.js';
import { handler as reconcileShard } from '../../functions/reconcile-shard/index.js';
import { handler as ticketIntake } from '../../functions/ticket-intake/index.js';
import type { LocalCloud } from '../cloud/server.js';
import { registerFcFunction } from '../cloud/services/fc/functions.js';
import { FunctionName, functionSettings } from './deployment.js';
import { localCloudEnvironment } from './local-environment.js';

export { FunctionName, type InvocationAnswer, invokeLocally, settleLocally } from './deployment.js';

/**
 * "Deploy" the four functions' sources to the local cloud as s.yaml does to FC, run in the local cloud's own
 * process (fast, for the source-level tests and `npm start`): same settings, the function role
 * `dts-trust-function` in the automation account, the environment pointing at the local cloud. `deployBundles`
 * (deployment.ts) deploys the built code packages instead.
 */
export function deployLocally(cloud: LocalCloud, extraEnv: Readonly<Record<string, string>> = {}): void {
  const settings = functionSettings(localCloudEnvironment(cloud, extraEnv));
  const handlers = {
    [FunctionName.TicketIntake]: ticketIntake,
    [FunctionName.DriftReconciler]: driftReconciler,
    [FunctionName.ReconcileShard]: reconcileShard,
    [FunctionName.DriftEvent]: driftEvent,
  };
  for (const [name, handler] of Object.entries(handlers))
    registerFcFunction(cloud.core, name, { ...settings[name], handler });
}
