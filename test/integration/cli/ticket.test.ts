import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SentJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { deployLocally } from '../../../local/harness/local-deployment.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import { DEMO_TICKET_KEY } from '../../../local/harness/sample-events.js';
import { deployTicketQueue, LOCAL_TICKET_SENDER, ticketTrigger } from '../../../local/harness/ticket-queue.js';
import type { TablestoreGrantStore } from '../../../shared/alicloud/tablestore/grant-store.js';
import {
  signTicketMessage,
  type TicketMessage,
  TicketMessageSchema,
  verifyTicketSignature,
} from '../../../shared/intake/ticket-message.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE, exampleAccountsDocument } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

const KEYS = { [DEMO_TICKET_KEY.keyId]: DEMO_TICKET_KEY.secret };
let cloud: LocalCloud;
let grants: TablestoreGrantStore;
let dir: string;
let keyFile: string;

const ticketYaml = (issuedAt: string) => `# a ticket as a person writes it
action: declare
issuedAt: ${issuedAt}
ticket:
  system: jira
  id: DBA-2001
  requester: ana.lima@example.com
  approver: josé.müller@example.com
relationship:
  scenario: source
  source: { accountId: "${EXAMPLE.sourceOwner.id}", databaseType: mysql, accessMethod: instance, roleName: ram-for-dts-cli-queue }
  destination: { accountId: "${EXAMPLE.destinationOwner.id}", databaseType: mysql, accessMethod: instance }
`;

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, 'utf8');
  return path;
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n'), lines };
}

const senderEnv = (): Record<string, string> => ({
  DTS_TRUST_TICKET_KEY_ID: DEMO_TICKET_KEY.keyId,
  DTS_TRUST_AUTOMATION_ACCOUNT_ID: LOCAL_AUTOMATION.accountId,
  DTS_TRUST_MNS_ENDPOINT: cloud.url,
  ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_TICKET_SENDER.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_TICKET_SENDER.accessKeySecret,
});

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dts-trust-ticket-'));
  keyFile = await file('jira.key', `${DEMO_TICKET_KEY.secret}\n`);
  cloud = await startLocalCloud({
    accounts: exampleAccountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, tablestore: { tableLoadSeconds: 0 } },
  });
  deployLocally(cloud);
  await deployTicketQueue(cloud, { clock: new FakeClock(new Date()) });
  grants = (await localRunnerServices(cloud)).grants;
});

afterAll(async () => {
  await cloud?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ticket sign', () => {
  it('signs a YAML ticket with non-ASCII text as the intake verifies it', async () => {
    const path = await file('sign.yaml', ticketYaml(now()));
    const { code, lines } = await cli([
      'ticket',
      'sign',
      path,
      '--key-id',
      DEMO_TICKET_KEY.keyId,
      '--key-file',
      keyFile,
    ]);
    expect(code).toBe(0);
    const message = TicketMessageSchema.parse(JSON.parse(lines[0]!));
    expect(verifyTicketSignature(message, KEYS)).toBe('valid');
    expect(message.body).toMatchObject({ ticket: { approver: 'josé.müller@example.com' } });
    expect((message.body as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('signs every ticket of a JSON list, reading it as strictly as the intake does', async () => {
    const body = (id: string) => ({
      id,
      issuedAt: now(),
      action: 'revoke',
      ticket: { system: 'jira', id: 'DBA-9', requester: 'a', approver: 'b' },
      relationship: {
        scenario: 'destination',
        source: { accountId: EXAMPLE.sourceOwner.id, databaseType: 'mysql', accessMethod: 'instance' },
        destination: {
          accountId: EXAMPLE.destinationOwner.id,
          databaseType: 'mysql',
          accessMethod: 'instance',
          roleName: 'ram-for-dts-x',
        },
      },
    });
    const path = await file('list.json', JSON.stringify([body('ticket-0001'), body('ticket-0002')]));
    const { code, lines } = await cli(['ticket', 'sign', path, '--key-file', keyFile], senderEnv());
    expect(code).toBe(0);
    expect(lines.map((l) => (JSON.parse(l) as TicketMessage).body)).toEqual(
      [body('ticket-0001'), body('ticket-0002')].map((b) => ({ ...b, issuedAt: expect.any(String) })),
    );
    const duplicate = await file('duplicate.json', '{"action":"declare","action":"revoke"}');
    const refused = await cli(['ticket', 'sign', duplicate, '--key-file', keyFile], senderEnv());
    expect(refused.code).toBe(2);
    expect(refused.text).toMatch(/duplicate/i);
  });

  it('refuses YAML that cannot be I-JSON, naming the field', async () => {
    const path = await file(
      'big.yaml',
      ticketYaml(now()).replace(`accountId: "${EXAMPLE.sourceOwner.id}"`, 'accountId: 123456789012345678901'),
    );
    const { code, text } = await cli(['ticket', 'sign', path, '--key-file', keyFile], senderEnv());
    expect(code).toBe(2);
    expect(text).toContain('relationship.source.accountId');
    expect(text).toContain('NotIJson');
  });

  it('refuses a missing or short key with what to give', async () => {
    const path = await file('nokey.yaml', ticketYaml(now()));
    const missing = await cli(['ticket', 'sign', path], {});
    expect(missing.code).toBe(2);
    expect(missing.text).toContain('--key-id or DTS_TRUST_TICKET_KEY_ID');
    const short = await cli(['ticket', 'sign', path, '--key-id', 'k'], { DTS_TRUST_TICKET_KEY_SECRET: 'too-short' });
    expect(short.code).toBe(2);
    expect(short.text).toContain('at least 32 characters');
  });

  it('signs the bytes the Python example signs, and not those of Python’s defaults', async () => {
    const body = {
      id: 'python-0001',
      issuedAt: now(),
      action: 'declare',
      ticket: { system: 'jira', id: 'DBA-7', requester: 'zoë@example.com', approver: 'Ωmega 東京' },
      relationship: {
        scenario: 'source',
        source: {
          accountId: EXAMPLE.sourceOwner.id,
          databaseType: 'mysql',
          accessMethod: 'instance',
          roleName: 'ram-for-dts',
        },
        destination: { accountId: EXAMPLE.destinationOwner.id, databaseType: 'mysql', accessMethod: 'instance' },
      },
    };
    const script = new URL('../../../docs/examples/sign_ticket.py', import.meta.url).pathname;
    const fromPython = JSON.parse(
      execFileSync('python3', [script], {
        input: JSON.stringify(body),
        env: {
          ...process.env,
          DTS_TRUST_TICKET_KEY_ID: DEMO_TICKET_KEY.keyId,
          DTS_TRUST_TICKET_KEY_SECRET: DEMO_TICKET_KEY.secret,
        },
      }).toString('utf8'),
    ) as TicketMessage;
    expect(verifyTicketSignature(fromPython, KEYS)).toBe('valid');
    expect(fromPython.signature).toBe(signTicketMessage(body, DEMO_TICKET_KEY.keyId, DEMO_TICKET_KEY.secret).signature);
    const defaults = execFileSync(
      'python3',
      [
        '-c',
        'import hashlib,hmac,json,sys;b=json.load(sys.stdin);print(hmac.new(sys.argv[1].encode(),json.dumps(b,sort_keys=True).encode(),hashlib.sha256).hexdigest())',
        DEMO_TICKET_KEY.secret,
      ],
      { input: JSON.stringify(body) },
    )
      .toString('utf8')
      .trim();
    expect(verifyTicketSignature({ ...fromPython, signature: defaults }, KEYS)).toBe('invalid');
  });

  it('signs the bytes the JavaScript example signs', async () => {
    const href = new URL('../../../docs/examples/ticket-signer.mjs', import.meta.url).href;
    const example = (await import(href)) as {
      signTicket(body: unknown, keyId: string, secret: string): TicketMessage;
    };
    const body = { b: 'é', a: [1, 2.5, { z: null, y: true }], '\u20ac': 'euro', '\ud83d\ude00': 'smile' };
    expect(example.signTicket(body, 'k', DEMO_TICKET_KEY.secret).signature).toBe(
      signTicketMessage(body, 'k', DEMO_TICKET_KEY.secret).signature,
    );
  });
});

describe('ticket send', () => {
  it('puts the signed ticket on the queue, and the intake declares it', async () => {
    const path = await file('send.yaml', ticketYaml(now()));
    const { code, text } = await cli(['ticket', 'send', path, '--key-file', keyFile], senderEnv());
    expect(code).toBe(0);
    expect(text).toContain('1 ticket(s) sent to dts-trust-tickets');
    const [delivery] = await ticketTrigger(cloud).drain();
    const answer = delivery?.invocations.at(-1)?.body as { results: { outcome: string }[] } | undefined;
    const results = answer?.results ?? [];
    expect(results.map((r) => r.outcome)).toEqual(['declared']);
    expect(
      await grants.getGrant({
        ownerAccountId: EXAMPLE.sourceOwner.id,
        roleName: 'ram-for-dts-cli-queue',
        trustedAccountId: EXAMPLE.destinationOwner.id,
      }),
    ).toMatchObject({ ticket: { system: 'jira', id: 'DBA-2001', approver: 'josé.müller@example.com' } });
  });

  it('prints what it sent as the one JSON document the lifecycle commands print', async () => {
    const path = await file('send-json.yaml', ticketYaml(now()).replace('DBA-2001', 'DBA-2002'));
    const { code, lines } = await cli(['ticket', 'send', path, '--key-file', keyFile, '--json'], senderEnv());
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(SentJson.parse(JSON.parse(lines[0] ?? ''))).toEqual({
      sent: [{ messageId: expect.any(String), action: 'declare', ticket: 'jira:DBA-2002', id: expect.any(String) }],
      queue: 'dts-trust-tickets',
    });
    await ticketTrigger(cloud).drain();
  });

  it('exits 1 with the queue’s error when the sender may not send', async () => {
    const path = await file('denied.yaml', ticketYaml(now()));
    const { code, text } = await cli(['ticket', 'send', path, '--key-file', keyFile], {
      ...senderEnv(),
      ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_AUTOMATION.runner.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_AUTOMATION.runner.accessKeySecret,
    });
    expect(code).toBe(1);
    expect(text).toContain('AccessDenied');
  });
});
