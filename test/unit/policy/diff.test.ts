import { describe, expect, it } from 'vitest';
import {
  buildTrustPolicy,
  diffTrust,
  isTrustUpToDate,
  parsedFromDocument,
  parseTrustPolicy,
  type TrustFindingKind,
} from '../../../shared/policy/index.js';
import {
  compactDocument,
  documentWith,
  dtsPrincipals,
  externalIdCondition,
  OWNER,
  prettyDocument,
  SECOND,
  STRANGER,
  splitStatementsDocument,
  stringPrincipalDocument,
  TRUSTED,
} from './fixtures.js';

const context = { ownerAccountId: OWNER };
const desiredFor = (accounts: string[], externalId?: string) =>
  parsedFromDocument(buildTrustPolicy(accounts, externalId === undefined ? {} : { externalId }));

/** A document trusting the documented principals of TRUSTED plus `extra` principals in the same statement. */
const withExtra = (extra: Record<string, string[]>): string => {
  const base = dtsPrincipals(TRUSTED);
  return documentWith({
    RAM: [...base.RAM, ...(extra.RAM ?? [])],
    Service: [...base.Service, ...(extra.Service ?? [])],
    ...(extra.Federated ? { Federated: extra.Federated } : {}),
  });
};

const statements = (...list: unknown[]): string => JSON.stringify({ Version: '1', Statement: list });

describe('diffTrust', () => {
  it.each([
    { name: 'compact', text: compactDocument(TRUSTED) },
    { name: 'pretty-printed with keys shuffled', text: prettyDocument(TRUSTED) },
    { name: 'string principals', text: stringPrincipalDocument(TRUSTED) },
    { name: 'split over several statements', text: splitStatementsDocument(TRUSTED) },
  ])('finds a $name live policy up to date', ({ text }) => {
    const diff = diffTrust(desiredFor([TRUSTED]), parseTrustPolicy(text), context);
    expect(diff).toEqual({ upToDate: true, toAdd: [], toRemove: [], summary: 'up to date' });
  });

  it.each<{ name: string; observed: string; principal: string; finding: TrustFindingKind }>([
    {
      name: 'the rewritten bare service principal',
      observed: documentWith({ RAM: [`acs:ram::${TRUSTED}:root`], Service: ['dts.aliyuncs.com'] }),
      principal: 'dts.aliyuncs.com',
      finding: 'servicePrincipalRewritten',
    },
    {
      name: "the owner's own DTS service principal",
      observed: withExtra({ Service: [`${OWNER}@dts.aliyuncs.com`] }),
      principal: `${OWNER}@dts.aliyuncs.com`,
      finding: 'servicePrincipalRewritten',
    },
    {
      name: 'another service',
      observed: withExtra({ Service: ['ecs.aliyuncs.com'] }),
      principal: 'ecs.aliyuncs.com',
      finding: 'foreignService',
    },
    {
      name: 'DTS acting for an undeclared account',
      observed: withExtra({ Service: [`${STRANGER}@dts.aliyuncs.com`] }),
      principal: `${STRANGER}@dts.aliyuncs.com`,
      finding: 'foreignService',
    },
    {
      name: 'the root of an undeclared account',
      observed: withExtra({ RAM: [`acs:ram::${STRANGER}:root`] }),
      principal: `acs:ram::${STRANGER}:root`,
      finding: 'undeclaredAccount',
    },
    {
      name: 'an undeclared account as a bare ID',
      observed: withExtra({ RAM: [STRANGER] }),
      principal: STRANGER,
      finding: 'undeclaredAccount',
    },
    {
      name: 'a role of an undeclared account',
      observed: withExtra({ RAM: [`acs:ram::${STRANGER}:role/ops`] }),
      principal: `acs:ram::${STRANGER}:role/ops`,
      finding: 'undeclaredAccount',
    },
    {
      name: 'a user of an undeclared account',
      observed: withExtra({ RAM: [`acs:ram::${STRANGER}:user/alice`] }),
      principal: `acs:ram::${STRANGER}:user/alice`,
      finding: 'undeclaredAccount',
    },
    {
      name: 'a RAM principal naming no account',
      observed: withExtra({ RAM: ['somebody'] }),
      principal: 'somebody',
      finding: 'undeclaredAccount',
    },
    {
      name: 'an identity provider of an undeclared account',
      observed: withExtra({ Federated: [`acs:ram::${STRANGER}:saml-provider/idp`] }),
      principal: `acs:ram::${STRANGER}:saml-provider/idp`,
      finding: 'undeclaredAccount',
    },
    {
      name: 'a role of the declared account',
      observed: withExtra({ RAM: [`acs:ram::${TRUSTED}:role/ops`] }),
      principal: `acs:ram::${TRUSTED}:role/ops`,
      finding: 'undeclaredPrincipal',
    },
    {
      name: 'the declared account as a bare ID',
      observed: withExtra({ RAM: [TRUSTED] }),
      principal: TRUSTED,
      finding: 'undeclaredPrincipal',
    },
    { name: 'the wildcard "*"', observed: withExtra({ RAM: ['*'] }), principal: '*', finding: 'wildcard' },
    {
      name: 'a wildcard account',
      observed: withExtra({ RAM: ['acs:ram::*:root'] }),
      principal: 'acs:ram::*:root',
      finding: 'wildcard',
    },
    {
      name: 'a wildcard service',
      observed: withExtra({ Service: ['*.aliyuncs.com'] }),
      principal: '*.aliyuncs.com',
      finding: 'wildcard',
    },
  ])('removes $name as $finding and keeps the rest', ({ observed, principal, finding }) => {
    const diff = diffTrust(desiredFor([TRUSTED]), parseTrustPolicy(observed), context);
    expect(diff.upToDate).toBe(false);
    expect(diff.toRemove).toEqual([{ entry: expect.objectContaining({ principal }), finding }]);
    if (principal === 'dts.aliyuncs.com') {
      expect(diff.toAdd).toEqual([expect.objectContaining({ principal: `${TRUSTED}@dts.aliyuncs.com` })]);
    } else {
      expect(diff.toAdd).toEqual([]);
    }
  });

  it('treats "Principal":"*" as a wildcard', () => {
    const observed = statements(
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: dtsPrincipals(TRUSTED) },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' },
    );
    const diff = diffTrust(desiredFor([TRUSTED]), parseTrustPolicy(observed), context);
    expect(diff.toRemove.map((r) => r.finding)).toEqual(['wildcard']);
  });

  it.each<{ name: string; extra: unknown; finding: TrustFindingKind }>([
    {
      name: 'a Deny statement',
      extra: { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${STRANGER}:root` } },
      finding: 'undeclaredStatement',
    },
    {
      name: 'a Deny statement with a wildcard',
      extra: { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: '*' },
      finding: 'undeclaredStatement',
    },
    {
      name: 'another action for a declared principal',
      extra: { Effect: 'Allow', Action: 'sts:SetSourceIdentity', Principal: { RAM: `acs:ram::${TRUSTED}:root` } },
      finding: 'undeclaredStatement',
    },
    {
      name: 'sts:* for a declared principal',
      extra: { Effect: 'Allow', Action: 'sts:*', Principal: { Service: `${TRUSTED}@dts.aliyuncs.com` } },
      finding: 'undeclaredStatement',
    },
    {
      name: 'another action for an undeclared account',
      extra: { Effect: 'Allow', Action: '*', Principal: { RAM: `acs:ram::${STRANGER}:root` } },
      finding: 'undeclaredAccount',
    },
  ])('removes $name as $finding', ({ extra, finding }) => {
    const observed = statements(
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: dtsPrincipals(TRUSTED) },
      extra,
    );
    const diff = diffTrust(desiredFor([TRUSTED]), parseTrustPolicy(observed), context);
    expect(diff.toAdd).toEqual([]);
    expect(diff.toRemove.map((r) => r.finding)).toEqual([finding]);
  });

  it.each([
    { name: 'equal', observed: externalIdCondition('ext-1'), upToDate: true },
    { name: 'equal as a one-element list', observed: externalIdCondition(['ext-1']), upToDate: true },
    { name: 'changed', observed: externalIdCondition('ext-2'), upToDate: false },
    { name: 'missing', observed: {}, upToDate: false },
    { name: 'widened to a second value', observed: externalIdCondition(['ext-1', 'ext-2']), upToDate: false },
  ])('compares an external-ID condition that is $name', ({ observed, upToDate }) => {
    const diff = diffTrust(
      desiredFor([TRUSTED], 'ext-1'),
      parseTrustPolicy(documentWith(dtsPrincipals(TRUSTED), observed)),
      context,
    );
    expect(diff.upToDate).toBe(upToDate);
    if (!upToDate) {
      expect(diff.toAdd.map((e) => e.principal)).toEqual([`acs:ram::${TRUSTED}:root`, `${TRUSTED}@dts.aliyuncs.com`]);
      expect(diff.toRemove.map((r) => r.finding)).toEqual(['conditionChanged', 'conditionChanged']);
    }
  });

  it('reports a condition no grant declares as changed', () => {
    const observed = parseTrustPolicy(documentWith(dtsPrincipals(TRUSTED), externalIdCondition('surprise')));
    const diff = diffTrust(desiredFor([TRUSTED]), observed, context);
    expect(diff.toRemove.map((r) => r.finding)).toEqual(['conditionChanged', 'conditionChanged']);
    expect(diff.toAdd).toHaveLength(2);
  });

  it('adds the principals of a newly declared account', () => {
    const diff = diffTrust(desiredFor([TRUSTED, SECOND]), parseTrustPolicy(compactDocument(TRUSTED)), context);
    expect(diff.toRemove).toEqual([]);
    expect(diff.toAdd.map((e) => `${e.principalKind} ${e.principal}`)).toEqual([
      `RAM acs:ram::${SECOND}:root`,
      `Service ${SECOND}@dts.aliyuncs.com`,
    ]);
  });

  it('removes the principals of an account no longer declared as undeclaredAccount and foreignService', () => {
    const live = parseTrustPolicy(JSON.stringify(buildTrustPolicy([TRUSTED, SECOND])));
    const diff = diffTrust(desiredFor([TRUSTED]), live, context);
    expect(diff.toAdd).toEqual([]);
    expect(diff.toRemove.map((r) => [r.entry.principal, r.finding])).toEqual([
      [`acs:ram::${SECOND}:root`, 'undeclaredAccount'],
      [`${SECOND}@dts.aliyuncs.com`, 'foreignService'],
    ]);
  });

  it.each([
    { name: 'an up-to-date policy', accounts: [TRUSTED], observed: compactDocument(TRUSTED), summary: 'up to date' },
    {
      name: 'a rewritten service principal and a missing root',
      accounts: [TRUSTED],
      observed: documentWith({ Service: 'dts.aliyuncs.com' }),
      summary: `add RAM acs:ram::${TRUSTED}:root, Service ${TRUSTED}@dts.aliyuncs.com; remove Service dts.aliyuncs.com (service principal rewritten: the owner's own ID was entered)`,
    },
    {
      name: 'a Deny statement',
      accounts: [TRUSTED],
      observed: statements(
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: dtsPrincipals(TRUSTED) },
        { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: STRANGER } },
      ),
      summary: `remove Deny sts:AssumeRole RAM ${STRANGER} (statement no grant declares)`,
    },
    {
      name: 'a changed external ID',
      accounts: [TRUSTED],
      externalId: 'new',
      observed: documentWith({ RAM: `acs:ram::${TRUSTED}:root` }, externalIdCondition('old')),
      summary: `add RAM acs:ram::${TRUSTED}:root if StringEquals sts:ExternalId="new", Service ${TRUSTED}@dts.aliyuncs.com if StringEquals sts:ExternalId="new"; remove RAM acs:ram::${TRUSTED}:root if StringEquals sts:ExternalId="old" (condition changed)`,
    },
  ])('summarises $name in one line', ({ accounts, externalId, observed, summary }) => {
    expect(diffTrust(desiredFor(accounts, externalId), parseTrustPolicy(observed), context).summary).toBe(summary);
  });
});

describe('isTrustUpToDate', () => {
  it.each([
    { name: 'the same entries written differently', observed: prettyDocument(TRUSTED), expected: true },
    { name: 'an extra principal', observed: withExtra({ RAM: [`acs:ram::${STRANGER}:root`] }), expected: false },
    { name: 'a missing principal', observed: documentWith({ RAM: `acs:ram::${TRUSTED}:root` }), expected: false },
  ])('answers $expected for $name', ({ observed, expected }) => {
    expect(isTrustUpToDate(desiredFor([TRUSTED]), parseTrustPolicy(observed))).toBe(expected);
  });
});
