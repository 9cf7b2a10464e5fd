import { readFile } from 'node:fs/promises';
import EventBridgeSdk from '@alicloud/eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_PATTERN_INVALID } from '../../../local/cloud/services/eventbridge/patterns.js';
import { LOCAL_AUTOMATION } from '../../../local/harness/local-environment.js';
import { AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import {
  FINDING_KINDS,
  type FindingKind,
  FindingSeverity,
  newFindingEvent,
  newResolvedEvent,
} from '../../../shared/domain/finding.js';
import { sdkFailure, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

let cloud: TestCloud;
let client: InstanceType<typeof EventBridgeSdk.default>;
let pattern: string;

/** The rule's pattern exactly as docs/deploy.md shows it (the fenced block after its marker). */
async function documentedPattern(): Promise<string> {
  const doc = await readFile(new URL('../../../docs/deploy.md', import.meta.url), 'utf8');
  const match = /<!-- rule: high-severity-findings[^>]*-->\s*```json\n([\s\S]*?)```/.exec(doc);
  if (!match?.[1]) throw new Error('docs/deploy.md lost the high-severity-findings rule block');
  return match[1];
}

const matches = async (event: unknown, eventPattern = pattern) =>
  (
    await client.testEventPattern(
      new EventBridgeSdk.TestEventPatternRequest({ event: JSON.stringify(event), eventPattern }),
    )
  ).result;

function finding(kind: FindingKind, severity?: FindingSeverity) {
  return newFindingEvent({
    id: 'e-1',
    kind,
    subject: 'acs:ram::1111111111111111:role/ram-for-dts',
    about: 'x',
    time: new Date('2030-01-01T00:00:00Z'),
    correlationId: 'c',
    summary: 's',
    evidence: {},
    ...(severity ? { severity } : {}),
  });
}

beforeAll(async () => {
  cloud = await startTestCloud();
  client = new EventBridgeSdk.default(
    new EventBridgeSdk.Config({
      accessKeyId: LOCAL_AUTOMATION.runner.accessKeyId,
      accessKeySecret: LOCAL_AUTOMATION.runner.accessKeySecret,
      endpoint: cloud.cloud.endpoint,
      protocol: 'http',
    }),
  );
  pattern = await documentedPattern();
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the high-severity finding rule in docs/deploy.md', () => {
  it('matches every kind of finding raised at high or critical severity, and their resolutions', async () => {
    for (const kind of Object.keys(FINDING_KINDS) as FindingKind[]) {
      for (const severity of [FindingSeverity.High, FindingSeverity.Critical]) {
        expect({ kind, severity, matched: await matches(finding(kind, severity)) }).toEqual({
          kind,
          severity,
          matched: true,
        });
      }
    }
    const resolved = newResolvedEvent({
      id: 'r-1',
      kind: 'management-role-broken',
      findingId: 'fnd-0',
      subject: 'acs:ram::1111111111111111:root',
      time: new Date(),
      correlationId: 'c',
      summary: 'the account runs again',
      resolvedBy: 'dts-trust',
    });
    expect(await matches(resolved)).toBe(true);
  });

  it('lets low and medium findings and every other audit event pass by', async () => {
    expect(await matches(finding('role-unused-by-dts'))).toBe(false);
    expect(await matches(finding('service-principal-rewritten'))).toBe(false);
    const created = newAuditEvent({
      id: 'e-2',
      type: AuditEventType.RoleCreated,
      subject: 'acs:ram::1111111111111111:role/ram-for-dts',
      time: new Date(),
      data: { correlationId: 'c', outcome: 'created', detail: { severity: 'high' } },
    });
    expect(await matches(created)).toBe(false);
    expect(await matches({ ...finding('wildcard-principal-removed'), source: 'someone-else' })).toBe(false);
  });

  it('is a pattern the service accepts: the local EventBridge refuses one outside the grammar', async () => {
    const failure = await sdkFailure(matches(finding('tug-of-war'), '{"type": "dts-trust.finding.tug-of-war"}'));
    expect(failure.code).toBe(EVENT_PATTERN_INVALID);
    expect(failure.message).toContain('pattern.type');
  });
});
