/**
 * Destinations of asynchronous invocations: after the last attempt of an invocation that failed (or after one
 * that succeeded, for `onSuccess`), FC sends a record of it to the configured destination with the function
 * role's permission. The local cloud models EventBridge bus destinations: the record becomes an event on the bus
 * (source `acs.fc`), readable like any other with `readEventBridgeEvents`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CloudCore } from '../../contract.js';
import { busExists, EVENTBRIDGE_SERVICE, eventBridgeState } from '../eventbridge/store.js';
import type { FcCredentials } from './context.js';
import type { FcErrorBody } from './instances.js';

/** `acs:eventbridge:<region>:<account>:eventbus/<bus>`. */
export const EVENT_BUS_ARN = /^acs:eventbridge:([a-z0-9-]+):(\d+):eventbus\/([A-Za-z0-9_.-]+)$/;

/** The event types of destination records (the local cloud's naming; FC documents the record, not this name). */
export const FcDestinationEventType = {
  Failure: 'fc:AsyncInvoke:Failure',
  Success: 'fc:AsyncInvoke:Success',
} as const;

/** The record FC sends a destination about one asynchronous invocation. */
export interface FcDestinationRecord {
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    /** The error type of the last attempt (`UnhandledInvocationError`, ...), empty on success. */
    readonly condition: string;
    /** How many times the invocation ran. */
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: string;
  readonly responseContext: { readonly statusCode: number; readonly functionError: string };
  readonly responsePayload: string;
}

/** What happened to one delivery. */
export type DestinationOutcome = { status: 'delivered' } | { status: 'failed'; error: string };

/** Everything a delivery needs. */
export interface DestinationDelivery {
  readonly arn: string;
  readonly kind: keyof typeof FcDestinationEventType;
  readonly functionArn: string;
  readonly requestId: string;
  readonly attempts: number;
  readonly event: Buffer;
  readonly error?: FcErrorBody;
  readonly response?: string;
  /** The keys FC delivers with (the function role's). */
  readonly credentials: FcCredentials;
}

/** Deliver the record of an asynchronous invocation to an EventBridge bus, as the function's role. */
export function deliverToDestination(core: CloudCore, delivery: DestinationDelivery): DestinationOutcome {
  const match = EVENT_BUS_ARN.exec(delivery.arn);
  if (!match) return { status: 'failed', error: `destination ${delivery.arn} is not an EventBridge bus` };
  const [, , accountId, bus] = match as unknown as [string, string, string, string];
  const principal = core.resolveAccessKey(delivery.credentials.accessKeyId);
  if (!principal || !core.isAllowed(principal, 'eventbridge:PutEvents', delivery.arn)) {
    return { status: 'failed', error: `the function role may not eventbridge:PutEvents on ${delivery.arn}` };
  }
  const state = eventBridgeState(core);
  const configured = core.serviceOptions<{ buses?: string[] }>(EVENTBRIDGE_SERVICE)?.buses ?? [];
  if (!busExists(state, accountId, bus) && !configured.includes(bus)) {
    return { status: 'failed', error: `the event bus ${bus} does not exist in account ${accountId}` };
  }
  const now = core.now().toISOString();
  const record: FcDestinationRecord = {
    timestamp: now,
    requestContext: {
      requestId: delivery.requestId,
      functionArn: delivery.functionArn,
      condition: delivery.error?.errorType ?? '',
      approximateInvokeCount: delivery.attempts,
    },
    requestPayload: delivery.event.toString('utf8'),
    responseContext: { statusCode: 200, functionError: delivery.error?.errorMessage ?? '' },
    responsePayload: delivery.error ? JSON.stringify(delivery.error) : (delivery.response ?? ''),
  };
  const eventId = randomUUID();
  state.events.push({
    accountId,
    bus,
    eventId,
    traceId: randomBytes(16).toString('hex'),
    receivedAt: now,
    event: {
      specversion: '1.0',
      id: eventId,
      source: 'acs.fc',
      type: FcDestinationEventType[delivery.kind],
      subject: delivery.functionArn,
      time: now,
      datacontenttype: 'application/json',
      aliyuneventbusname: bus,
      data: record,
    },
  });
  return { status: 'delivered' };
}
