import { describe, expect, it } from 'vitest';
import {
  accountOfDtsServicePrincipal,
  accountOfRamPrincipal,
  actionCoversAssumeRole,
  dtsServicePrincipal,
  parseTrustPolicy,
  ramRootPrincipal,
  trustedAccountsOf,
} from '../../../shared/policy/index.js';
import { compactDocument, documentWith, SECOND, STRANGER, TRUSTED } from './fixtures.js';

describe('ramRootPrincipal and dtsServicePrincipal', () => {
  it('name the documented principals of an account', () => {
    expect(ramRootPrincipal(TRUSTED)).toBe(`acs:ram::${TRUSTED}:root`);
    expect(dtsServicePrincipal(TRUSTED)).toBe(`${TRUSTED}@dts.aliyuncs.com`);
  });
});

describe('accountOfRamPrincipal', () => {
  it.each([
    { principal: `acs:ram::${TRUSTED}:root`, account: TRUSTED },
    { principal: `acs:ram::${TRUSTED}:role/dts-migration`, account: TRUSTED },
    { principal: `acs:ram::${TRUSTED}:user/alice`, account: TRUSTED },
    { principal: `acs:ram::${TRUSTED}:saml-provider/idp`, account: TRUSTED },
    { principal: TRUSTED, account: TRUSTED },
    { principal: 'acs:ram::*:root', account: undefined },
    { principal: 'dts.aliyuncs.com', account: undefined },
    { principal: 'alice', account: undefined },
  ])('reads $principal as account $account', ({ principal, account }) => {
    expect(accountOfRamPrincipal(principal)).toBe(account);
  });
});

describe('accountOfDtsServicePrincipal', () => {
  it.each([
    { principal: `${TRUSTED}@dts.aliyuncs.com`, account: TRUSTED },
    { principal: 'dts.aliyuncs.com', account: undefined },
    { principal: `${TRUSTED}@ecs.aliyuncs.com`, account: undefined },
    { principal: '*@dts.aliyuncs.com', account: undefined },
  ])('reads $principal as account $account', ({ principal, account }) => {
    expect(accountOfDtsServicePrincipal(principal)).toBe(account);
  });
});

describe('actionCoversAssumeRole', () => {
  it.each([
    { action: 'sts:AssumeRole', covers: true },
    { action: 'sts:*', covers: true },
    { action: '*', covers: true },
    { action: 'sts:SetSourceIdentity', covers: false },
    { action: 'ram:*', covers: false },
  ])('answers $covers for $action', ({ action, covers }) => {
    expect(actionCoversAssumeRole(action)).toBe(covers);
  });
});

describe('trustedAccountsOf', () => {
  it.each([
    { name: 'the documented policy', text: compactDocument(TRUSTED), accounts: [TRUSTED] },
    {
      name: 'a policy with a user of one account and DTS for another',
      text: documentWith({ RAM: `acs:ram::${SECOND}:user/bob`, Service: [`${TRUSTED}@dts.aliyuncs.com`] }),
      accounts: [TRUSTED, SECOND],
    },
    {
      name: 'the rewritten service principal alone',
      text: documentWith({ Service: 'dts.aliyuncs.com' }),
      accounts: [],
    },
    { name: 'a wildcard', text: documentWith('*'), accounts: ['*'] },
    {
      name: 'a policy whose stranger is only denied',
      text: JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: TRUSTED } },
          { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: STRANGER } },
          { Effect: 'Allow', Action: 'sts:SetSourceIdentity', Principal: { RAM: SECOND } },
        ],
      }),
      accounts: [TRUSTED],
    },
  ])('lists the accounts $name lets in', ({ text, accounts }) => {
    expect(trustedAccountsOf(parseTrustPolicy(text))).toEqual(accounts);
  });
});
