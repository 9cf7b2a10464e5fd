import { defaultChainKeys, type OwnKeys, type OwnKeysSource, staticKeys } from '../alicloud/credentials.js';
import { createServices, type Services } from '../composition/services.js';
import { type Config, loadConfig } from '../config/config.js';
import { createLogger } from '../logger.js';
import type { Logger } from '../ports.js';
import { environmentOf, type FcContext, parseFcContext } from './context.js';

/** What a function body receives besides the event. */
export interface InvocationScope {
  readonly context: FcContext;
  readonly services: Services;
  readonly logger: Logger;
}

/** Services of a warm container and where their keys come from. */
interface WarmServices {
  readonly services: Services;
  /** Keys of the current invocation (FC context credentials), read by `ownKeys`. */
  readonly current: { keys: OwnKeys | undefined };
  readonly ownKeys: OwnKeysSource;
}

/**
 * Warm containers keep their services, keyed by the settings, the account and where the keys come from, never by
 * the keys themselves: FC hands out new STS keys with every credential refresh, and rebuilding the services on each
 * would repeat the table checks and drop every cached client and connection. New keys are handed to the kept
 * services instead ({@link Services.useKeys}). An entry is kept as a promise, set before anything is awaited, so
 * that invocations an instance runs at once (reconcile-shard's `instanceConcurrency`) share one set of services.
 */
const warm = new Map<string, Promise<WarmServices>>();

function keysOf(context: FcContext, env: Readonly<Record<string, string | undefined>>): OwnKeys | undefined {
  const c = context.credentials;
  if (c?.accessKeyId && c.accessKeySecret) {
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
  }
  if (env.ALIBABA_CLOUD_ACCESS_KEY_ID && env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
    return {
      accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN,
    };
  }
  return undefined;
}

async function warmServices(config: Config, keys: OwnKeys | undefined): Promise<WarmServices> {
  const current = { keys };
  const ownKeys: OwnKeysSource = keys ? async () => current.keys ?? keys : defaultChainKeys();
  const services = createServices(config, { ownKeys, tablestoreKeys: await ownKeys() });
  return { services, current, ownKeys };
}

async function servicesFor(
  config: Config,
  context: FcContext,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Services> {
  const given = keysOf(context, env);
  const keys = given ? await staticKeys(given)() : undefined;
  // Nothing is awaited from here until the entry is kept: invocations running at once find the same entry.
  const cacheKey = JSON.stringify([config, context.accountId ?? env.FC_ACCOUNT_ID, keys ? 'given' : 'chain']);
  const kept = warm.get(cacheKey);
  if (kept === undefined) {
    if (warm.size > 8) warm.clear();
    const made = warmServices(config, keys);
    warm.set(cacheKey, made);
    made.catch(() => {
      if (warm.get(cacheKey) === made) warm.delete(cacheKey);
    });
    return (await made).services;
  }
  const entry = await kept;
  entry.current.keys = keys;
  entry.services.useKeys(await entry.ownKeys());
  return entry.services;
}

/**
 * Wrap a function body as FC's nodejs20 runtime calls it (`handler(event, context)`, event a Buffer): validate
 * the context and configuration, wire the services once per warm container, log start and end.
 */
export function fcHandler<R>(
  name: string,
  body: (event: Buffer, scope: InvocationScope) => Promise<R>,
): (event: unknown, context: unknown) => Promise<R> {
  return async (event, rawContext) => {
    const context = parseFcContext(rawContext);
    const env = environmentOf(context);
    const logger = createLogger({ fields: { function: name, requestId: context.requestId } });
    const config = loadConfig(env);
    const services = await servicesFor(config, context, env);
    await services.ensureTables();
    const buffer = Buffer.isBuffer(event)
      ? event
      : Buffer.from(typeof event === 'string' ? event : JSON.stringify(event));
    const started = Date.now();
    try {
      const result = await body(buffer, { context, services, logger });
      logger.info('invocation finished', { durationMs: Date.now() - started });
      return result;
    } catch (error) {
      logger.error('invocation failed', { durationMs: Date.now() - started, error });
      throw error;
    }
  };
}
