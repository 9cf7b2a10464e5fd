import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import {
  buildTrustPolicy,
  diffTrust,
  isTrustUpToDate,
  parsedFromDocument,
  parseTrustPolicy,
  renderTrustPolicy,
  type TrustPolicyDocument,
} from '../../../shared/policy/index.js';
import { compactDocument, OWNER, SECOND, TRUSTED } from './fixtures.js';

describe('buildTrustPolicy', () => {
  it('builds exactly the document DTS documents for one trusted account', () => {
    expect(buildTrustPolicy([TRUSTED])).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${TRUSTED}:root`], Service: [`${TRUSTED}@dts.aliyuncs.com`] },
        },
      ],
    });
  });

  it('lists every trusted account once, sorted', () => {
    const document = buildTrustPolicy([SECOND, TRUSTED, SECOND]);
    expect(document.Statement).toHaveLength(1);
    expect(document.Statement[0]?.Principal).toEqual({
      RAM: [`acs:ram::${TRUSTED}:root`, `acs:ram::${SECOND}:root`],
      Service: [`${TRUSTED}@dts.aliyuncs.com`, `${SECOND}@dts.aliyuncs.com`],
    });
  });

  it('requires the external ID through an sts:ExternalId condition when one is given', () => {
    const document = buildTrustPolicy([TRUSTED], { externalId: 'ticket-42' });
    expect(document.Statement[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'ticket-42' } });
  });

  it('adds no condition without an external ID', () => {
    expect(buildTrustPolicy([TRUSTED]).Statement[0]).not.toHaveProperty('Condition');
  });

  it.each([
    { name: 'an empty list', accounts: [], options: {}, field: 'trustedAccountIds', code: 'EmptyTrustPolicy' },
    { name: 'a wildcard', accounts: ['*'], options: {}, field: 'trustedAccountIds[0]', code: 'AliyunUidFormat' },
    {
      name: 'a short account ID',
      accounts: [TRUSTED, '12345'],
      options: {},
      field: 'trustedAccountIds[1]',
      code: 'AliyunUidFormat',
    },
    {
      name: 'an ARN instead of an ID',
      accounts: [`acs:ram::${TRUSTED}:root`],
      options: {},
      field: 'trustedAccountIds[0]',
      code: 'AliyunUidFormat',
    },
    {
      name: 'an empty external ID',
      accounts: [TRUSTED],
      options: { externalId: ' ' },
      field: 'externalId',
      code: 'InvalidExternalId',
    },
  ])('rejects $name with a ValidationError naming $field', ({ accounts, options, field, code }) => {
    let caught: unknown;
    try {
      buildTrustPolicy(accounts, options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const problems = (caught as ValidationError).problems;
    expect(problems).toContainEqual(expect.objectContaining({ field, code }));
  });
});

describe('renderTrustPolicy', () => {
  it('renders compact JSON identical to the documented text', () => {
    expect(renderTrustPolicy(buildTrustPolicy([TRUSTED]))).toBe(compactDocument(TRUSTED));
  });

  it('renders the same text whatever the key order of the document', () => {
    const shuffled = JSON.parse(
      '{"Statement":[{"Condition":{"StringEquals":{"sts:ExternalId":"x"}},"Principal":{"Service":["s"],"RAM":["r"]},"Action":"sts:AssumeRole","Effect":"Allow"}],"Version":"1"}',
    ) as TrustPolicyDocument;
    expect(renderTrustPolicy(shuffled)).toBe(
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["r"],"Service":["s"]},"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}',
    );
  });
});

describe('build, render, parse and diff', () => {
  it.each([
    { name: 'one account', accounts: [TRUSTED], options: {} },
    { name: 'two accounts', accounts: [SECOND, TRUSTED], options: {} },
    { name: 'an external ID', accounts: [TRUSTED, SECOND], options: { externalId: 'ext-id-1' } },
  ])('round-trips $name to an up-to-date diff', ({ accounts, options }) => {
    const document = buildTrustPolicy(accounts, options);
    const desired = parsedFromDocument(document);
    const observed = parseTrustPolicy(renderTrustPolicy(document));
    const diff = diffTrust(desired, observed, { ownerAccountId: OWNER });
    expect(diff).toEqual({ upToDate: true, toAdd: [], toRemove: [], summary: 'up to date' });
    expect(isTrustUpToDate(desired, observed)).toBe(true);
    expect(observed).toEqual(desired);
  });
});
