/** Account IDs and RAM-shaped trust-policy documents shared by the policy tests. */

/** The account that owns the role. */
export const OWNER = '1111111111111111';
/** The account a grant trusts (creates the DTS task). */
export const TRUSTED = '1234567890123456';
/** A second declared trusted account. */
export const SECOND = '2222222222222222';
/** An account no grant declares. */
export const STRANGER = '9999999999999999';

/** The document DTS documents for one trusted account, compact, as we send it. */
export const compactDocument = (uid: string): string =>
  `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::${uid}:root"],"Service":["${uid}@dts.aliyuncs.com"]}}]}`;

/** The same document as GetRole may return it: pretty-printed with keys in another order. */
export const prettyDocument = (uid: string): string => `{
  "Statement": [
    {
      "Principal": {
        "Service": [
          "${uid}@dts.aliyuncs.com"
        ],
        "RAM": [
          "acs:ram::${uid}:root"
        ]
      },
      "Action": "sts:AssumeRole",
      "Effect": "Allow"
    }
  ],
  "Version": "1"
}`;

/** The same document with string principals and a one-element Action list. */
export const stringPrincipalDocument = (uid: string): string =>
  `{"Version":"1","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],"Principal":{"RAM":"acs:ram::${uid}:root","Service":"${uid}@dts.aliyuncs.com"}}]}`;

/** The same grants split over two statements, one principal each. */
export const splitStatementsDocument = (uid: string): string =>
  JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: [`${uid}@dts.aliyuncs.com`] } },
      { Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${uid}:root` }, Effect: 'Allow' },
    ],
  });

/** A one-statement document with the given principal block and an optional condition. */
export const documentWith = (principal: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, ...extra }],
  });

/** The principal block of the documented DTS trust policy for one account. */
export const dtsPrincipals = (uid: string): { RAM: string[]; Service: string[] } => ({
  RAM: [`acs:ram::${uid}:root`],
  Service: [`${uid}@dts.aliyuncs.com`],
});

/** An external-ID condition block. */
export const externalIdCondition = (externalId: string | string[]): Record<string, unknown> => ({
  Condition: { StringEquals: { 'sts:ExternalId': externalId } },
});
