/**
 * The ticket queue of a local deployment, as s.yaml and docs/deploy.md set it up in the cloud: the queue and its
 * dead-letter queue created through `@alicloud/mns`, the ticket-intake function's `ticket-queue` trigger read
 * from s.yaml, and helpers that put tickets on the queue as a ticketing system does and let the trigger deliver
 * them. The demo, the e2e tests and anyone who deploys the functions to a local cloud use these.
 */
import MnsClient from '@alicloud/mns';
import { staticKeys } from '../../shared/alicloud/credentials.js';
import { TicketQueue } from '../../shared/alicloud/mns.js';
import type { CloudCore } from '../cloud/contract.js';
import {
  MnsQueueTrigger,
  type QueueTriggerOptions,
  type TriggerDelivery,
} from '../cloud/triggers/mns-queue-trigger.js';
import { QueuePoller, type QueuePollerOptions } from '../cloud/triggers/queue-poller.js';
import { deadLetterQueueOf } from '../cloud/triggers/trigger-config.js';
import { FunctionName, type InvocationAnswer } from './deployment.js';
import { HarnessError } from './errors.js';
import { LOCAL_AUTOMATION } from './local-environment.js';
import { type SYamlTrigger, sYamlTrigger } from './s-yaml-triggers.js';

/** The queue tickets arrive on (s.yaml's `QueueName`). */
export const TICKET_QUEUE = 'dts-trust-tickets';

/** The RAM user of the automation account that ticketing systems send as (only mns:SendMessage on the queue). */
export const LOCAL_TICKET_SENDER = {
  accessKeyId: 'LTAI5tLocalTicketSender',
  accessKeySecret: 'local-ticket-sender-secret-0001',
} as const;

/** The automation account's root keys, which create the queues (a deployer's job). */
const AUTOMATION_ROOT = {
  accessKeyId: 'LTAI5tLocalAutomationRoot',
  accessKeySecret: 'local-automation-root-secret-0001',
} as const;

/** The local cloud as these helpers need it. */
export interface TicketQueueCloud {
  readonly url: string;
  readonly endpoint: string;
  readonly core: CloudCore;
}

/**
 * The ticket-intake function's `ticket-queue` trigger as s.yaml declares it, with `${vars.region}` and
 * `${vars.accountId}` resolved for the local deployment.
 */
export function ticketQueueTriggerFromSYaml(path?: URL, vars?: { region: string; accountId: string }): SYamlTrigger {
  return sYamlTrigger('ticket-intake', 'ticket-queue', {
    ...(path ? { path } : {}),
    ...(vars ? { vars } : {}),
  });
}

const triggers = new WeakMap<object, MnsQueueTrigger>();

/**
 * Create the ticket queue and its dead-letter queue in the automation account (through `@alicloud/mns`, as a
 * deployer does) and start the ticket-intake trigger of s.yaml; returns the trigger. Call after
 * `deployLocally`. `options.clock` makes windows and retry delays run on a fake clock.
 */
export async function deployTicketQueue(
  cloud: TicketQueueCloud,
  options: QueueTriggerOptions = {},
): Promise<MnsQueueTrigger> {
  const declared = ticketQueueTriggerFromSYaml();
  const mns = new MnsClient(LOCAL_AUTOMATION.accountId, { ...AUTOMATION_ROOT, endpoint: cloud.url });
  const trigger = new MnsQueueTrigger(
    { core: cloud.core, endpoint: cloud.endpoint },
    {
      functionName: FunctionName.TicketIntake,
      triggerName: declared.triggerName,
      accountId: LOCAL_AUTOMATION.accountId,
      ...(declared.qualifier ? { qualifier: declared.qualifier } : {}),
      triggerConfig: declared.triggerConfig,
    },
    options,
  );
  await mns.createQueue(trigger.config.eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName);
  const dlq = trigger.config.runOptions.deadLetterQueue?.Arn;
  if (dlq) await mns.createQueue(deadLetterQueueOf(dlq).queueName);
  triggers.set(cloud.core, trigger);
  return trigger;
}

/**
 * Create the ticket queue and its trigger ({@link deployTicketQueue}) and poll it in the background, as the
 * EventBridge MNS source does in the cloud: a ticket any MNS client sends reaches the intake by itself. What
 * `npm run local-cloud -- --deploy-bundles` runs; stop the poller before the cloud.
 */
export async function serveTicketQueue(
  cloud: TicketQueueCloud,
  options: { readonly trigger?: QueueTriggerOptions; readonly poller?: QueuePollerOptions } = {},
): Promise<QueuePoller> {
  const trigger = await deployTicketQueue(cloud, options.trigger);
  return new QueuePoller(trigger, options.poller).start();
}

/** The trigger {@link deployTicketQueue} started for this cloud. */
export function ticketTrigger(cloud: TicketQueueCloud): MnsQueueTrigger {
  const trigger = triggers.get(cloud.core);
  if (!trigger) throw new HarnessError('DemoSetup', 'call deployTicketQueue(cloud) before sending tickets');
  return trigger;
}

/** Put message bodies on the ticket queue as the ticketing system's RAM user; returns their message ids. */
export async function sendTickets(
  cloud: TicketQueueCloud,
  bodies: readonly string[],
  keys: { accessKeyId: string; accessKeySecret: string } = LOCAL_TICKET_SENDER,
): Promise<string[]> {
  const queue = new TicketQueue({
    endpoint: cloud.url,
    accountId: LOCAL_AUTOMATION.accountId,
    queueName: TICKET_QUEUE,
    keys: staticKeys(keys),
  });
  return (await queue.send(bodies)).map((m) => m.messageId);
}

/** What the trigger did with the tickets of one {@link deliverTickets}. */
export interface TicketsDelivered {
  readonly messageIds: readonly string[];
  /** Every batch the trigger pushed meanwhile. */
  readonly deliveries: readonly TriggerDelivery[];
  /** The last invocation of the batch holding the first message: what the intake answered. */
  readonly answer: InvocationAnswer;
}

/** Send message bodies through the queue and let the trigger deliver them to the intake; returns its answer. */
export async function deliverTickets(cloud: TicketQueueCloud, bodies: readonly string[]): Promise<TicketsDelivered> {
  const messageIds = await sendTickets(cloud, bodies);
  const deliveries = await ticketTrigger(cloud).drain();
  const ours = deliveries.find((d) => d.messageIds.includes(messageIds[0]!));
  const last = ours?.invocations.at(-1);
  if (!last) throw new HarnessError('DemoSetup', `the trigger delivered none of messages ${messageIds.join(', ')}`);
  return {
    messageIds,
    deliveries,
    answer: { statusCode: last.statusCode, ...(last.errorType ? { errorType: last.errorType } : {}), body: last.body },
  };
}
