import MnsClient from '@alicloud/mns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerFcFunction } from '../../../local/cloud/services/fc/functions.js';
import { DeliveryOutcome, MnsQueueTrigger } from '../../../local/cloud/triggers/mns-queue-trigger.js';
import { parseMnsEvent } from '../../../shared/fc/envelopes.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

const ACCOUNT = EXAMPLE.automation.id;
const FUNCTION = 'queue-consumer';
let clock: FakeClock;
let cloud: TestCloud;
let mns: MnsClient;
/** What the function saw, and how many of the next calls fail. */
let calls: { at: number; events: unknown[] }[] = [];
let failNext = 0;

function triggerConfig(runOptions: Record<string, unknown> = {}, base64 = true) {
  return {
    triggerEnable: true,
    asyncInvocationType: false,
    eventRuleFilterPattern: '{}',
    eventSourceConfig: {
      eventSourceType: 'MNS',
      eventSourceParameters: { sourceMNSParameters: { QueueName: 'work', IsBase64Decode: base64 } },
    },
    eventSinkConfig: { deliveryOption: { mode: 'event-streaming', eventSchema: 'CloudEvents' } },
    runOptions: {
      mode: 'event-streaming',
      errorsTolerance: 'ALL',
      retryStrategy: { PushRetryStrategy: 'BACKOFF_RETRY' },
      deadLetterQueue: { Arn: `acs:mns:cn-hangzhou:${ACCOUNT}:/queues/work-dlq` },
      batchWindow: { CountBasedWindow: 10, TimeBasedWindow: 2 },
      ...runOptions,
    },
  };
}

function trigger(runOptions: Record<string, unknown> = {}, base64 = true): MnsQueueTrigger {
  return new MnsQueueTrigger(
    { core: cloud.cloud.core, endpoint: cloud.endpoint },
    {
      functionName: FUNCTION,
      triggerName: 'work-queue',
      accountId: ACCOUNT,
      triggerConfig: triggerConfig(runOptions, base64),
    },
    { clock, random: () => 0.5 },
  );
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

async function send(...bodies: string[]): Promise<string[]> {
  const sent = await mns.batchSendMessage(
    'work',
    bodies.map((b) => ({ MessageBody: b64(b) })),
  );
  return sent.body.map((m) => m.MessageId!);
}

async function queueCounts(queue = 'work') {
  const { body } = await mns.getQueueAttributes(queue);
  return { active: Number(body.ActiveMessages), inactive: Number(body.InactiveMessages) };
}

beforeAll(async () => {
  clock = new FakeClock(new Date());
  cloud = await startTestCloud({
    clock,
    services: {
      mns: {
        // The fake clock runs a day ahead of the dates the SDK puts on its requests.
        maxClockSkewSeconds: 0,
        queues: [
          { accountId: ACCOUNT, name: 'work' },
          { accountId: ACCOUNT, name: 'work-dlq' },
        ],
      },
    },
  });
  mns = new MnsClient(ACCOUNT, { ...EXAMPLE.automation.root, endpoint: cloud.cloud.url });
  registerFcFunction(cloud.cloud.core, FUNCTION, {
    accountId: ACCOUNT,
    handler: (event: Buffer) => {
      const events = JSON.parse(event.toString('utf8')) as unknown[];
      calls.push({ at: clock.millis, events });
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('the store is down');
      }
      return { received: events.length };
    },
  });
});

beforeEach(() => {
  calls = [];
  failNext = 0;
  cloud.cloud.setFaults({});
});

afterAll(async () => {
  await cloud?.stop();
});

describe('MNS queue trigger (EventBridge MNS source to FC)', () => {
  it('delivers batches of at most CountBasedWindow messages as CloudEvents the intake parses, then deletes them', async () => {
    const ids = await send(...Array.from({ length: 12 }, (_, i) => `{"n":${i},"text":"naïve"}`));
    const deliveries = await trigger().drain();
    expect(deliveries.map((d) => d.messageIds.length)).toEqual([10, 2]);
    expect(deliveries.every((d) => d.outcome === DeliveryOutcome.Delivered)).toBe(true);
    const first = calls[0]!.events[0] as Record<string, unknown>;
    expect(first).toMatchObject({
      specversion: '1.0',
      type: 'mns:Queue:SendMessage',
      source: `MNS-${FUNCTION}-work-queue`,
      subject: `acs:mns:cn-hangzhou:${ACCOUNT}:queues/work`,
      aliyunaccountid: ACCOUNT,
      data: { messageId: ids[0], messageBody: '{"n":0,"text":"naïve"}' },
    });
    const parsed = parseMnsEvent(Buffer.from(JSON.stringify(calls[1]!.events)));
    expect(parsed.map((m) => m.body)).toEqual(['{"n":10,"text":"naïve"}', '{"n":11,"text":"naïve"}']);
    expect(await queueCounts()).toEqual({ active: 0, inactive: 0 });
  });

  it('waits TimeBasedWindow seconds for a batch to fill before it invokes', async () => {
    await send('{"alone":true}');
    const before = clock.millis;
    await trigger().drain();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.at - before).toBeGreaterThanOrEqual(2_000);
  });

  it('delivers the body as sent when IsBase64Decode is false', async () => {
    await send('{"raw":1}');
    await trigger({}, false).drain();
    expect((calls[0]!.events[0] as { data: { messageBody: string } }).data.messageBody).toBe(b64('{"raw":1}'));
  });

  it('redelivers a batch the function failed, 10 to 20 s apart, until it succeeds', async () => {
    await send('{"retry":true}');
    failNext = 2;
    const [delivery] = await trigger().drain();
    expect(delivery?.invocations.map((i) => i.ok)).toEqual([false, false, true]);
    expect(delivery?.invocations[0]?.errorType).toBe('UnhandledInvocationError');
    expect(delivery?.outcome).toBe(DeliveryOutcome.Delivered);
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(10_000);
      expect(gap).toBeLessThanOrEqual(20_000);
    }
    expect(await queueCounts()).toEqual({ active: 0, inactive: 0 });
  });

  it('retries an FC outage like a function error', async () => {
    await send('{"outage":true}');
    const t = new MnsQueueTrigger(
      { core: cloud.cloud.core, endpoint: cloud.endpoint },
      { functionName: FUNCTION, triggerName: 'work-queue', accountId: ACCOUNT, triggerConfig: triggerConfig() },
      { clock, onInvocation: (i) => (i.ok ? undefined : cloud.cloud.setFaults({})) },
    );
    cloud.cloud.setFaults({ outages: ['fc'] });
    const [delivery] = await t.drain();
    expect(delivery?.invocations.map((i) => [i.ok, i.statusCode])).toEqual([
      [false, 503],
      [true, 200],
    ]);
  });

  it('sends each event to the dead-letter queue after a day of EXPONENTIAL_DECAY_RETRY', async () => {
    const [id] = await send('{"poison":true}');
    failNext = Number.POSITIVE_INFINITY;
    const before = clock.millis;
    const [delivery] = await trigger({ retryStrategy: { PushRetryStrategy: 'EXPONENTIAL_DECAY_RETRY' } }).drain();
    expect(delivery?.invocations).toHaveLength(177);
    expect(delivery?.outcome).toBe(DeliveryOutcome.DeadLettered);
    expect(clock.millis - before).toBeGreaterThanOrEqual(85_504_000);
    expect(await queueCounts()).toEqual({ active: 0, inactive: 0 });
    const dead = await mns.receiveMessage('work-dlq');
    expect(JSON.parse(dead.body.MessageBody)).toMatchObject({
      data: { messageId: id, messageBody: '{"poison":true}' },
    });
    await mns.deleteMessage('work-dlq', dead.body.ReceiptHandle);
  });

  it('stops the stream and leaves the messages in the queue when errorsTolerance is NONE', async () => {
    await send('{"blocking":true}');
    failNext = Number.POSITIVE_INFINITY;
    const t = trigger({ errorsTolerance: 'NONE' });
    const [delivery] = await t.drain();
    expect(delivery?.invocations).toHaveLength(4);
    expect(delivery?.outcome).toBe(DeliveryOutcome.Blocked);
    expect(t.status).toBe('ready');
    expect(await t.drain()).toEqual([]);
    expect(await queueCounts()).toEqual({ active: 0, inactive: 1 });
    clock.advance(3_600_000);
    failNext = 0;
    const [again] = await trigger().drain();
    expect(again?.outcome).toBe(DeliveryOutcome.Delivered);
  });

  it('refuses a trigger configuration it does not emulate, naming the field', () => {
    expect(
      () =>
        new MnsQueueTrigger(
          { core: cloud.cloud.core, endpoint: cloud.endpoint },
          {
            functionName: FUNCTION,
            triggerName: 'bad',
            accountId: ACCOUNT,
            triggerConfig: { ...triggerConfig(), eventRuleFilterPattern: '{"source":["x"]}' },
          },
        ),
    ).toThrow(/triggers\.bad\.triggerConfig\.eventRuleFilterPattern/);
  });
});
