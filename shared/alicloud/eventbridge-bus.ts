import EventBridgeSdk from '@alicloud/eventbridge';
import { CloudErrorKind } from '../domain/errors.js';
import { callCloud, toCloudApiError } from './cloud-error.js';
import type { OwnKeysSource } from './credentials.js';
import { eventBridgeConfig } from './eventbridge.js';

/** EventBridge actions the setup calls with the operator's keys in the automation account. */
export const EVENTBRIDGE_SETUP_ACTIONS = ['eventbridge:GetEventBus', 'eventbridge:CreateEventBus'] as const;

/** Codes EventBridge answers for a bus that is missing, or already there (undocumented; the open-source peer's). */
const MISSING_BUS = /^EventBusNotExist/;
const EXISTING_BUS = /^EventBusAlreadyExist/;

/** The runtime options the SDK's `...WithOptions` calls take. */
type EventBridgeRuntime = Parameters<InstanceType<typeof EventBridgeSdk.default>['getEventBusWithOptions']>[1];

/** Where the bus lives and whose keys manage it. */
export interface EventBusSetupOptions {
  /** `<account>.eventbridge.<region>.aliyuncs.com`, or `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId: string;
  readonly keys: OwnKeysSource;
}

/** An EventBridge client for setup calls with `options`' keys, and the runtime options every setup call uses. */
export async function setupClient(options: EventBusSetupOptions) {
  const keys = await options.keys();
  const client = new EventBridgeSdk.default(
    eventBridgeConfig(keys, { endpoint: options.endpoint, protocol: options.protocol, regionId: options.regionId }),
  );
  // The SDK reads its runtime options as plain fields; its RuntimeOptions class comes from a package of its own.
  const runtime = { autoretry: false, connectTimeout: 5_000, readTimeout: 10_000 } as unknown as EventBridgeRuntime;
  return { client, runtime };
}

/**
 * Make sure the custom bus `name` exists (GetEventBus, then CreateEventBus when it is missing), through
 * `@alicloud/eventbridge`. A concurrent creation that wins first counts as existing. Errors are classified
 * `CloudApiError`s (`eventbridge:GetEventBus`, `eventbridge:CreateEventBus`).
 */
export async function ensureEventBus(options: EventBusSetupOptions, name: string): Promise<'created' | 'exists'> {
  const { client, runtime } = await setupClient(options);
  try {
    await client.getEventBusWithOptions(new EventBridgeSdk.GetEventBusRequest({ eventBusName: name }), runtime);
    return 'exists';
  } catch (error) {
    const e = toCloudApiError('eventbridge:GetEventBus', error);
    if (!MISSING_BUS.test(e.code) && e.kind !== CloudErrorKind.NotFound) throw e;
  }
  try {
    await callCloud('eventbridge:CreateEventBus', () =>
      client.createEventBusWithOptions(
        new EventBridgeSdk.CreateEventBusRequest({ eventBusName: name, description: 'dts-trust audit events' }),
        runtime,
      ),
    );
    return 'created';
  } catch (error) {
    if (error instanceof Error && 'code' in error && EXISTING_BUS.test(String(error.code))) return 'exists';
    throw error;
  }
}
