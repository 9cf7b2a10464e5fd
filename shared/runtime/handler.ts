import { defaultChainKeys, type OwnKeysSource, staticKeys } from '../alicloud/credentials.js';
import { type Config, loadConfig } from './config.js';
import { environmentOf, type FcContext, parseFcContext } from './fc-context.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services.js';

/** What a function body receives besides the event. */
export interface InvocationScope {
  readonly context: FcContext;
  readonly services: Services;
  readonly logger: Logger;
}

/** Warm containers keep their services, keyed by the settings and the keys they were built with. */
const warm = new Map<string, Services>();

async function servicesFor(
  config: Config,
  context: FcContext,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Services> {
  const c = context.credentials;
  const keys =
    c?.accessKeyId && c.accessKeySecret
      ? { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken }
      : env.ALIBABA_CLOUD_ACCESS_KEY_ID && env.ALIBABA_CLOUD_ACCESS_KEY_SECRET
        ? {
            accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
            accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
            securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN,
          }
        : undefined;
  const cacheKey = JSON.stringify([config, keys?.accessKeyId, keys?.securityToken]);
  let services = warm.get(cacheKey);
  if (!services) {
    const ownKeys: OwnKeysSource = keys ? staticKeys(keys) : defaultChainKeys();
    const tablestoreKeys = await ownKeys();
    services = createServices(config, { ownKeys, tablestoreKeys });
    if (warm.size > 8) warm.clear();
    warm.set(cacheKey, services);
  }
  return services;
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
