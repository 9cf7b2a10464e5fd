import { describe, expect, it } from 'vitest';
import { RAM_DIRECTORY_ACTIONS } from '../../../shared/alicloud/ram.js';
import { loadConfig } from '../../../shared/config/config.js';
import {
  eventRoutePolicy,
  eventRouteSetupPolicy,
  eventRouteTrustPolicy,
  functionRolePolicy,
  inventoryRolePolicy,
  managementRolePolicy,
} from '../../../shared/deploy/permissions.js';

const statementsWith = (action: string, policy = managementRolePolicy()) =>
  policy.Statement.filter((s) => s.Action.includes(action));

describe('managementRolePolicy', () => {
  it('allows every role action the directory calls on roles only', () => {
    const [roles] = managementRolePolicy().Statement;
    expect(roles).toEqual({ Effect: 'Allow', Action: [...RAM_DIRECTORY_ACTIONS], Resource: ['acs:ram:*:*:role/*'] });
  });

  it('allows attaching only the DTS system policy by default, on its system policy resource', () => {
    const resources = statementsWith('ram:AttachPolicyToRole').flatMap((s) => s.Resource);
    expect(resources).toEqual(['acs:ram:*:*:role/*', 'acs:ram:*:system:policy/AliyunDTSRolePolicy']);
  });

  it('allows attaching each allowed policy, custom ones on the account policy resource', () => {
    const policy = managementRolePolicy(['AliyunDTSRolePolicy', 'dts-extra-read']);
    expect(statementsWith('ram:AttachPolicyToRole', policy)[1]?.Resource).toEqual([
      'acs:ram:*:system:policy/AliyunDTSRolePolicy',
      'acs:ram:*:*:policy/dts-extra-read',
    ]);
  });

  it('allows detaching any policy, system or custom, so undeclared attachments can go', () => {
    const resources = statementsWith('ram:DetachPolicyFromRole').flatMap((s) => s.Resource);
    expect(resources).toEqual(['acs:ram:*:*:role/*', 'acs:ram:*:system:policy/*', 'acs:ram:*:*:policy/*']);
  });

  it('allows the preflight to read RAM users by name (GetUser), on users only, and nothing else about users', () => {
    expect(statementsWith('ram:GetUser')).toEqual([
      { Effect: 'Allow', Action: ['ram:GetUser'], Resource: ['acs:ram:*:*:user/*'] },
    ]);
    const userActions = managementRolePolicy()
      .Statement.filter((s) => s.Resource.some((r) => r.includes(':user/')))
      .flatMap((s) => s.Action);
    expect(userActions).toEqual(['ram:GetUser']);
  });

  it("allows reading, creating and converging the RAM change route's rule on the default bus, and no other EventBridge action", () => {
    const eventbridge = managementRolePolicy().Statement.filter((s) =>
      s.Action.some((a) => a.startsWith('eventbridge:')),
    );
    expect(eventbridge).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'eventbridge:GetRule',
          'eventbridge:CreateRule',
          'eventbridge:UpdateRule',
          'eventbridge:PutTargets',
          'eventbridge:DeleteTargets',
        ],
        Resource: ['acs:eventbridge:*:*:eventbus/default/rule/dts-trust-ram-changes'],
      },
    ]);
  });

  it('never allows a wildcard action', () => {
    expect(
      managementRolePolicy()
        .Statement.flatMap((s) => s.Action)
        .some((a) => a.includes('*')),
    ).toBe(false);
  });
});

describe('inventoryRolePolicy', () => {
  it('reads DTS jobs and, for the preflight, the one role DTS creates in an account, nothing else in RAM', () => {
    expect(inventoryRolePolicy()).toEqual({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['dts:DescribeDtsJobs', 'dts:DescribeDtsJobDetail'], Resource: ['*'] },
        { Effect: 'Allow', Action: ['ram:GetRole'], Resource: ['acs:ram:*:*:role/aliyundtsdefaultrole'] },
      ],
    });
  });
});

describe('the RAM change route role (automation account)', () => {
  const AUTOMATION = '5820374619283746';

  it("is trusted by each owner account's EventBridge only, once each, in a stable order", () => {
    expect(eventRouteTrustPolicy(['2222222222222222', '1111111111111111', '2222222222222222'])).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: {
            Service: ['1111111111111111@eventbridge.aliyuncs.com', '2222222222222222@eventbridge.aliyuncs.com'],
          },
        },
      ],
    });
  });

  it("may only put events onto the automation account's default bus", () => {
    expect(eventRoutePolicy('cn-hangzhou', AUTOMATION)).toEqual({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['eventbridge:PutEvents'],
          Resource: [`acs:eventbridge:cn-hangzhou:${AUTOMATION}:eventbus/default`],
        },
      ],
    });
  });

  it('is set up by a caller allowed to list roles, and to change only the route roles by name and their policy', () => {
    const policy = eventRouteSetupPolicy(AUTOMATION);
    const route = [
      `acs:ram:*:${AUTOMATION}:role/dts-trust-event-route`,
      `acs:ram:*:${AUTOMATION}:role/dts-trust-event-route-*`,
    ];
    const routePolicy = `acs:ram:*:${AUTOMATION}:policy/dts-trust-event-route-policy`;
    expect(policy.Statement.flatMap((s) => s.Resource)).toEqual([
      `acs:ram:*:${AUTOMATION}:role/*`,
      ...route,
      routePolicy,
      routePolicy,
    ]);
    // The only statement on every role of the account is ListRoles (names, no trust policies).
    expect(policy.Statement.find((s) => s.Resource.includes(`acs:ram:*:${AUTOMATION}:role/*`))?.Action).toEqual([
      'ram:ListRoles',
    ]);
    expect(policy.Statement.flatMap((s) => s.Action).some((a) => a.includes('*'))).toBe(false);
    const deleting = policy.Statement.filter((s) => s.Action.includes('ram:DeleteRole'));
    expect(deleting.flatMap((s) => s.Resource)).toEqual(route);
  });
});

describe('functionRolePolicy with Tencent configured', () => {
  it('lets the functions read the Tencent hub keys secret besides the trust settings, and nothing more', () => {
    const env = {
      DTS_TRUST_AUTOMATION_ACCOUNT_ID: '5820374619283746',
      DTS_TRUST_SETTINGS_SECRET: 'dts-trust/settings',
    };
    const kms = (extra: Record<string, string>) =>
      functionRolePolicy(loadConfig({ ...env, ...extra })).Statement.find((s) =>
        s.Action.includes('kms:GetSecretValue'),
      );
    expect(kms({})?.Resource).toEqual(['acs:kms:cn-hangzhou:5820374619283746:secret/dts-trust/settings']);
    expect(kms({ DTS_TRUST_TENCENT_HUB_KEYS_SECRET: 'dts-trust/tencent-hub' })?.Resource).toEqual([
      'acs:kms:cn-hangzhou:5820374619283746:secret/dts-trust/settings',
      'acs:kms:cn-hangzhou:5820374619283746:secret/dts-trust/tencent-hub',
    ]);
  });
});
