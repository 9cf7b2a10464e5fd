import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../../shared/domain/errors.js';
import {
  buildTrustPolicy,
  parsedFromDocument,
  parseTrustPolicy,
  type TrustEntry,
} from '../../../shared/policy/index.js';
import {
  compactDocument,
  documentWith,
  dtsPrincipals,
  externalIdCondition,
  prettyDocument,
  SECOND,
  STRANGER,
  splitStatementsDocument,
  stringPrincipalDocument,
  TRUSTED,
} from './fixtures.js';

const allow = (principalKind: TrustEntry['principalKind'], principal: string, condition = ''): TrustEntry => ({
  effect: 'Allow',
  action: 'sts:AssumeRole',
  principalKind,
  principal,
  condition,
});

const documentedEntries = (uid: string): TrustEntry[] => [
  allow('RAM', `acs:ram::${uid}:root`),
  allow('Service', `${uid}@dts.aliyuncs.com`),
];

describe('parseTrustPolicy', () => {
  it.each([
    { name: 'compact with list principals', text: compactDocument(TRUSTED) },
    { name: 'pretty-printed with keys shuffled', text: prettyDocument(TRUSTED) },
    { name: 'string principals and a one-element Action list', text: stringPrincipalDocument(TRUSTED) },
    { name: 'one statement per principal', text: splitStatementsDocument(TRUSTED) },
    {
      name: 'a lone statement object',
      text: JSON.stringify({ Version: '1', Statement: JSON.parse(compactDocument(TRUSTED)).Statement[0] }),
    },
    {
      name: 'duplicated principals',
      text: documentWith({
        RAM: [`acs:ram::${TRUSTED}:root`, `acs:ram::${TRUSTED}:root`],
        Service: `${TRUSTED}@dts.aliyuncs.com`,
      }),
    },
  ])('reads the documented policy written as $name', ({ text }) => {
    expect(parseTrustPolicy(text)).toEqual({ version: '1', entries: documentedEntries(TRUSTED) });
  });

  it('reads one entry per action of a statement', () => {
    const parsed = parseTrustPolicy(
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
            Principal: { RAM: `acs:ram::${TRUSTED}:root` },
          },
        ],
      }),
    );
    expect(parsed.entries.map((e) => e.action)).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
  });

  it('keeps Deny statements as Deny entries', () => {
    const parsed = parseTrustPolicy(
      JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: dtsPrincipals(TRUSTED) },
          { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${STRANGER}:root` } },
        ],
      }),
    );
    expect(parsed.entries).toContainEqual({ ...allow('RAM', `acs:ram::${STRANGER}:root`), effect: 'Deny' });
    expect(parsed.entries).toHaveLength(3);
  });

  it.each([
    { name: '"Principal":"*"', principal: '*', kind: 'RAM' },
    { name: '{"RAM":"*"}', principal: { RAM: '*' }, kind: 'RAM' },
    { name: '{"Service":["*"]}', principal: { Service: ['*'] }, kind: 'Service' },
  ])('reads $name as a wildcard entry', ({ principal, kind }) => {
    expect(parseTrustPolicy(documentWith(principal)).entries).toEqual([
      allow(kind as TrustEntry['principalKind'], '*'),
    ]);
  });

  it('reads Federated principals', () => {
    const provider = `acs:ram::${TRUSTED}:saml-provider/idp`;
    expect(parseTrustPolicy(documentWith({ Federated: provider })).entries).toEqual([allow('Federated', provider)]);
  });

  it.each([
    {
      name: 'a string and a one-element list',
      a: { StringEquals: { 'sts:ExternalId': 'abc' } },
      b: { StringEquals: { 'sts:ExternalId': ['abc'] } },
    },
    {
      name: 'lists in another order',
      a: { StringEquals: { 'sts:ExternalId': ['b', 'a'] } },
      b: { StringEquals: { 'sts:ExternalId': ['a', 'b', 'a'] } },
    },
    {
      name: 'operators and keys in another order',
      a: { StringLike: { 'acs:SourceIp': '10.*' }, StringEquals: { 'sts:ExternalId': 'x', 'acs:MFAPresent': 'true' } },
      b: { StringEquals: { 'acs:MFAPresent': true, 'sts:ExternalId': 'x' }, StringLike: { 'acs:SourceIp': ['10.*'] } },
    },
  ])('canonicalises conditions that differ only by $name', ({ a, b }) => {
    const first = parseTrustPolicy(documentWith(dtsPrincipals(TRUSTED), { Condition: a }));
    const second = parseTrustPolicy(documentWith(dtsPrincipals(TRUSTED), { Condition: b }));
    expect(first).toEqual(second);
    expect(first.entries[0]?.condition).not.toBe('');
  });

  it('records the external-ID condition on every entry of its statement', () => {
    const parsed = parseTrustPolicy(documentWith(dtsPrincipals(TRUSTED), externalIdCondition('abc')));
    const condition = '{"StringEquals":{"sts:ExternalId":["abc"]}}';
    expect(parsed.entries).toEqual([
      allow('RAM', `acs:ram::${TRUSTED}:root`, condition),
      allow('Service', `${TRUSTED}@dts.aliyuncs.com`, condition),
    ]);
  });

  it('treats an empty Condition as no condition', () => {
    expect(parseTrustPolicy(documentWith(dtsPrincipals(TRUSTED), { Condition: { StringEquals: {} } }))).toEqual(
      parseTrustPolicy(compactDocument(TRUSTED)),
    );
  });

  it.each([
    { name: 'text that is not JSON', text: 'not json', mentions: 'not valid JSON' },
    { name: 'an empty string', text: '', mentions: 'not valid JSON' },
    { name: 'a JSON array', text: '[]', mentions: 'document: must be a JSON object' },
    { name: 'JSON null', text: 'null', mentions: 'document: must be a JSON object' },
    { name: 'a missing Statement', text: '{"Version":"1"}', mentions: 'Statement: is required' },
    { name: 'a missing Version', text: '{"Statement":[]}', mentions: 'Version: is required' },
    {
      name: 'a Statement that is a string',
      text: '{"Version":"1","Statement":"x"}',
      mentions: 'Statement: must be a list',
    },
    {
      name: 'Effect "Maybe"',
      text: '{"Version":"1","Statement":[{"Effect":"Maybe","Action":"sts:AssumeRole","Principal":{"RAM":"r"}}]}',
      mentions: 'Statement[0].Effect: must be "Allow" or "Deny", not "Maybe"',
    },
    {
      name: 'a missing Effect',
      text: '{"Version":"1","Statement":[{"Action":"sts:AssumeRole","Principal":{"RAM":"r"}}]}',
      mentions: 'Statement[0].Effect: is required',
    },
    {
      name: 'a Principal that is a number',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":5}]}',
      mentions: 'Statement[0].Principal: must be "*" or an object',
    },
    {
      name: 'a Principal string other than "*"',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"acs:ram::1:root"}]}',
      mentions: 'Statement[0].Principal: must be "*" or an object',
    },
    {
      name: 'a lower-case principal type',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"ram":"r"}}]}',
      mentions: '"ram" is not a principal type',
    },
    {
      name: 'an empty Principal',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{}}]}',
      mentions: 'must name at least one principal',
    },
    {
      name: 'a principal list holding a number',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["r",7]}}]}',
      mentions: 'Statement[0].Principal.RAM[1]: must be a string',
    },
    {
      name: 'an empty principal',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":[""]}}]}',
      mentions: 'Statement[0].Principal.RAM[0]: must not be empty',
    },
    {
      name: 'an empty Action list',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":[],"Principal":{"RAM":"r"}}]}',
      mentions: 'Statement[0].Action: must name at least one action',
    },
    {
      name: 'a Condition that is a string',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"r"},"Condition":"x"}]}',
      mentions: 'Statement[0].Condition: must be an object',
    },
    {
      name: 'a condition value that is an object',
      text: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"r"},"Condition":{"StringEquals":{"sts:ExternalId":{}}}}]}',
      mentions: 'Statement[0].Condition.StringEquals.sts:ExternalId[0]: must be a string',
    },
  ])('throws PolicyParseError for $name', ({ text, mentions }) => {
    let caught: unknown;
    try {
      parseTrustPolicy(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyParseError);
    expect((caught as PolicyParseError).code).toBe('MalformedPolicyDocument');
    expect((caught as PolicyParseError).message).toContain(mentions);
  });
});

describe('parsedFromDocument', () => {
  it('gives the same entries as parsing the rendered text', () => {
    const document = buildTrustPolicy([SECOND, TRUSTED], { externalId: 'e-1' });
    expect(parsedFromDocument(document)).toEqual(parseTrustPolicy(JSON.stringify(document)));
  });

  it('throws PolicyParseError for a document that breaks the grammar', () => {
    const broken = {
      Version: '1',
      Statement: [{ Effect: 'Maybe', Action: 'sts:AssumeRole', Principal: { RAM: 'r' } }],
    };
    expect(() => parsedFromDocument(broken as never)).toThrow(PolicyParseError);
  });
});
