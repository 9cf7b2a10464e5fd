import {
  LOCAL_AUTOMATION,
  type LocalCloudAddress,
  localCloudEnvironment,
} from '../../local/harness/local-environment.js';
import { createServices, type Services } from '../../shared/composition/services.js';
import { loadConfig } from '../../shared/config/config.js';
import type { Clock } from '../../shared/ports.js';

/**
 * The product's services over the local cloud, configured as the deployed functions are (plus `extra` env) and
 * acting with the local automation runner's keys, their tables ensured.
 */
export async function localRunnerServices(
  cloud: LocalCloudAddress,
  options: { extra?: Readonly<Record<string, string>>; clock?: Clock } = {},
): Promise<Services> {
  const services = createServices(loadConfig(localCloudEnvironment(cloud, options.extra)), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await services.ensureTables();
  return services;
}
