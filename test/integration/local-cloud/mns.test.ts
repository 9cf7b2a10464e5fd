import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MnsClient from '@alicloud/mns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE, startTestCloud, type TestCloud, type TestKeys } from '../../support/local-cloud.js';

const QUEUE = 'tickets';
let clock: FakeClock;
let cloud: TestCloud;

function client(keys: TestKeys = EXAMPLE.automation.root): MnsClient {
  return new MnsClient(EXAMPLE.automation.id, {
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    endpoint: cloud.cloud.url,
  });
}

async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the MNS call to fail');
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

beforeAll(async () => {
  clock = new FakeClock(new Date());
  cloud = await startTestCloud({
    clock,
    services: { mns: { queues: [{ accountId: EXAMPLE.automation.id, name: QUEUE }] } },
  });
});

afterAll(async () => {
  await cloud?.stop();
});

async function drainQueue(mns: MnsClient, queue = QUEUE): Promise<void> {
  for (;;) {
    try {
      const got = await mns.batchReceiveMessage(queue, 16);
      await mns.batchDeleteMessage(
        queue,
        got.body.map((m) => m.ReceiptHandle),
      );
    } catch {
      return;
    }
  }
}

describe('local MNS queue API through @alicloud/mns', () => {
  it('sends, receives and deletes a message by its receipt handle', async () => {
    const mns = client();
    const body = b64('{"hello":"wörld"}');
    const sent = await mns.sendMessage(QUEUE, { MessageBody: body });
    expect(sent.code).toBe(201);
    expect(sent.body.MessageBodyMD5).toBe(createHash('md5').update(body).digest('hex').toUpperCase());
    const got = await mns.receiveMessage(QUEUE);
    expect(got.body).toMatchObject({ MessageId: sent.body.MessageId, MessageBody: body, DequeueCount: '1' });
    expect(Number(got.body.NextVisibleTime) - clock.millis).toBe(30_000);
    expect(await failure(mns.receiveMessage(QUEUE))).toMatchObject({ name: 'MNSMessageNotExistError' });
    expect((await mns.deleteMessage(QUEUE, got.body.ReceiptHandle)).code).toBe(204);
    expect(await failure(mns.deleteMessage(QUEUE, got.body.ReceiptHandle))).toMatchObject({
      name: 'MNSMessageNotExistError',
    });
  });

  it('hands a message out again once its visibility timeout passes, and the old handle no longer deletes it', async () => {
    const mns = client();
    await mns.sendMessage(QUEUE, { MessageBody: b64('again') });
    const first = await mns.receiveMessage(QUEUE);
    clock.advance(30_001);
    const second = await mns.receiveMessage(QUEUE);
    expect(second.body.MessageId).toBe(first.body.MessageId);
    expect(second.body.DequeueCount).toBe('2');
    expect(second.body.FirstDequeueTime).toBe(first.body.FirstDequeueTime);
    expect(await failure(mns.deleteMessage(QUEUE, first.body.ReceiptHandle))).toMatchObject({
      name: 'MNSMessageNotExistError',
    });
    await mns.deleteMessage(QUEUE, second.body.ReceiptHandle);
  });

  it('changes a message visibility with a new receipt handle', async () => {
    const mns = client();
    await mns.sendMessage(QUEUE, { MessageBody: b64('later') });
    const got = await mns.receiveMessage(QUEUE);
    const changed = await mns.changeMessageVisibility(QUEUE, got.body.ReceiptHandle, 5);
    expect(Number(changed.body.NextVisibleTime)).toBe(clock.millis + 5_000);
    expect(changed.body.ReceiptHandle).not.toBe(got.body.ReceiptHandle);
    clock.advance(5_001);
    const again = await mns.receiveMessage(QUEUE);
    expect(again.body.MessageId).toBe(got.body.MessageId);
    await mns.deleteMessage(QUEUE, again.body.ReceiptHandle);
  });

  it('refuses a receipt handle it never issued with ReceiptHandleError', async () => {
    expect(await failure(client().deleteMessage(QUEUE, 'not-a-handle'))).toMatchObject({
      name: 'MNSReceiptHandleErrorError',
    });
  });

  it('sends and receives batches, serving higher priority first', async () => {
    const mns = client();
    const sent = await mns.batchSendMessage(QUEUE, [
      { MessageBody: b64('low'), Priority: 16 },
      { MessageBody: b64('high'), Priority: 1 },
      { MessageBody: b64('normal') },
    ]);
    expect(sent.code).toBe(201);
    expect(sent.body).toHaveLength(3);
    const got = await mns.batchReceiveMessage(QUEUE, 16);
    expect(got.body.map((m) => Buffer.from(m.MessageBody, 'base64').toString())).toEqual(['high', 'normal', 'low']);
    const deleted = await mns.batchDeleteMessage(
      QUEUE,
      got.body.map((m) => m.ReceiptHandle),
    );
    expect(deleted.code).toBe(204);
  });

  it('peeks at messages without taking them', async () => {
    const mns = client();
    await mns.batchSendMessage(QUEUE, [{ MessageBody: b64('p1') }, { MessageBody: b64('p2') }]);
    const one = await mns.peekMessage(QUEUE);
    const both = await mns.batchPeekMessage(QUEUE, 16);
    expect(both.body.map((m) => m.MessageId)).toContain(one.body.MessageId);
    expect(both.body).toHaveLength(2);
    expect(both.body.every((m) => m.DequeueCount === '0')).toBe(true);
    expect((await mns.batchReceiveMessage(QUEUE, 16)).body).toHaveLength(2);
    await drainQueue(mns);
  });

  it('deletes a batch and names each receipt handle it could not delete', async () => {
    const mns = client();
    await mns.sendMessage(QUEUE, { MessageBody: b64('d1') });
    const got = await mns.receiveMessage(QUEUE);
    const deleted = await mns.batchDeleteMessage(QUEUE, [got.body.ReceiptHandle, 'not-a-handle']);
    expect(deleted.code).toBe(404);
    expect(deleted.body).toEqual([
      expect.objectContaining({ ErrorCode: 'ReceiptHandleError', ReceiptHandle: 'not-a-handle' }),
    ]);
    expect(await failure(mns.receiveMessage(QUEUE))).toMatchObject({ name: 'MNSMessageNotExistError' });
  });

  it('accepts a 64 KB body and refuses one byte more with InvalidArgument', async () => {
    const mns = client();
    expect((await mns.sendMessage(QUEUE, { MessageBody: 'a'.repeat(65_536) })).code).toBe(201);
    const tooBig = await failure(mns.sendMessage(QUEUE, { MessageBody: 'a'.repeat(65_537) }));
    expect(tooBig.name).toBe('MNSInvalidArgumentError');
    expect(tooBig.message).toContain('65536');
    await drainQueue(mns);
  });

  it('fails only the oversized entry of a batch and answers every entry', async () => {
    const mns = client();
    await mns.setQueueAttributes(QUEUE, { MaximumMessageSize: 1024 });
    try {
      const sent = await mns.batchSendMessage(QUEUE, [{ MessageBody: 'small' }, { MessageBody: 'b'.repeat(2000) }]);
      expect(sent.code).toBe(500);
      expect(sent.body[0]?.MessageId).toBeDefined();
      expect(sent.body[1]).toMatchObject({ ErrorCode: 'InvalidArgument' });
    } finally {
      await mns.setQueueAttributes(QUEUE, { MaximumMessageSize: 65_536 });
    }
    await drainQueue(mns);
  });

  it('answers MalformedXML to a body with an unescaped "&", as the SDK sends it', async () => {
    expect(await failure(client().sendMessage(QUEUE, { MessageBody: '{"team":"R&D"}' }))).toMatchObject({
      name: 'MNSMalformedXMLError',
    });
  });

  it('waits for a message with waitseconds and answers MessageNotExist when the wait runs out', async () => {
    const mns = client();
    const before = clock.millis;
    expect(await failure(mns.receiveMessage(QUEUE, 3))).toMatchObject({ name: 'MNSMessageNotExistError' });
    expect(clock.millis - before).toBeGreaterThanOrEqual(3_000);
  });

  it('refuses a wrong signature, an unknown key and a user without MNS permission', async () => {
    const wrong = { ...EXAMPLE.automation.root, accessKeySecret: 'not-the-secret' };
    expect(await failure(client(wrong).sendMessage(QUEUE, { MessageBody: 'x' }))).toMatchObject({
      name: 'MNSSignatureDoesNotMatchError',
    });
    const unknown = { accessKeyId: 'LTAI5tNobody', accessKeySecret: 'nothing' };
    expect(await failure(client(unknown).sendMessage(QUEUE, { MessageBody: 'x' }))).toMatchObject({
      name: 'MNSInvalidAccessKeyIdError',
    });
    expect(await failure(client(EXAMPLE.automation.runner).sendMessage(QUEUE, { MessageBody: 'x' }))).toMatchObject({
      name: 'MNSAccessDeniedError',
    });
  });

  it('creates, lists, describes and deletes queues', async () => {
    const mns = client();
    expect((await mns.createQueue('extra-queue', { VisibilityTimeout: 60 })).code).toBe(201);
    expect((await mns.createQueue('extra-queue', { VisibilityTimeout: 60 })).code).toBe(204);
    expect(await failure(mns.createQueue('extra-queue', { VisibilityTimeout: 61 }))).toMatchObject({
      name: 'MNSQueueAlreadyExistError',
    });
    const attributes = await mns.getQueueAttributes('extra-queue');
    expect(attributes.body).toMatchObject({ QueueName: 'extra-queue', VisibilityTimeout: '60', ActiveMessages: '0' });
    const listed = await mns.listQueue(undefined, 10, 'extra');
    expect(listed.body?.map((q) => q.QueueURL.split('/').pop())).toEqual(['extra-queue']);
    await mns.deleteQueue('extra-queue');
    expect(await failure(mns.getQueueAttributes('extra-queue'))).toMatchObject({ name: 'MNSQueueNotExistError' });
  });

  it('logs each call with its action and error code', () => {
    const mnsCalls = cloud.cloud.log.filter((e) => e.service === 'mns');
    expect(mnsCalls.some((e) => e.action === 'BatchSendMessage' && e.status === 201)).toBe(true);
    expect(mnsCalls.some((e) => e.action === 'SendMessage' && e.code === 'MalformedXML')).toBe(true);
  });

  it('refuses a request dated more than 15 minutes from its clock with TimeExpired', async () => {
    clock.advance(16 * 60 * 1000);
    expect(await failure(client().sendMessage(QUEUE, { MessageBody: 'late' }))).toMatchObject({
      name: 'MNSTimeExpiredError',
    });
  });
});

describe('local MNS long polling on the real clock', () => {
  it('answers a waiting receive as soon as a message arrives', async () => {
    const real = await startTestCloud({
      services: { mns: { queues: [{ accountId: EXAMPLE.automation.id, name: QUEUE }] } },
    });
    try {
      const mns = new MnsClient(EXAMPLE.automation.id, { ...EXAMPLE.automation.root, endpoint: real.cloud.url });
      const started = Date.now();
      const waiting = mns.receiveMessage(QUEUE, 5);
      setTimeout(() => void mns.sendMessage(QUEUE, { MessageBody: b64('arrived') }), 30);
      const got = await waiting;
      expect(Buffer.from(got.body.MessageBody, 'base64').toString()).toBe('arrived');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await real.stop();
    }
  });
});

describe('local MNS with --state', () => {
  it('keeps queues and their messages across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mns-state-'));
    const statePath = join(dir, 'state.json');
    const services = { mns: { queues: [{ accountId: EXAMPLE.automation.id, name: QUEUE }] } };
    try {
      const first = await startTestCloud({ statePath, services });
      const mns = new MnsClient(EXAMPLE.automation.id, { ...EXAMPLE.automation.root, endpoint: first.cloud.url });
      const sent = await mns.sendMessage(QUEUE, { MessageBody: b64('kept') });
      await first.stop();
      const second = await startTestCloud({ statePath, services });
      try {
        const again = new MnsClient(EXAMPLE.automation.id, { ...EXAMPLE.automation.root, endpoint: second.cloud.url });
        const got = await again.receiveMessage(QUEUE);
        expect(got.body).toMatchObject({ MessageId: sent.body.MessageId, MessageBody: b64('kept') });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
