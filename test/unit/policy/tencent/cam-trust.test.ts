import { describe, expect, it } from 'vitest';
import { PolicyParseError, ValidationError } from '../../../../shared/domain/errors.js';
import { TrustFindingKind, trustedAccountsOf } from '../../../../shared/policy/index.js';
import {
  buildCamTrustPolicy,
  camDocumentOf,
  diffCamTrust,
  parseCamTrustPolicy,
  parsedFromCamDocument,
  renderCamTrustPolicy,
} from '../../../../shared/policy/tencent/index.js';

const OWNER = '100000000001';
const TRUSTED = '100000000002';
const SECOND = '100000000003';
const STRANGER = '100000000009';
const SUB_USER = '100000000077';
const context = { ownerAccountId: OWNER };

const desiredFor = (uins: string[], externalId?: string) =>
  parsedFromCamDocument(buildCamTrustPolicy(uins, externalId === undefined ? {} : { externalId }));

const liveWith = (qcs: string | string[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    version: '2.0',
    statement: [{ action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs }, ...extra }],
  });

describe('buildCamTrustPolicy', () => {
  it('trusts the root of every trusted account with name/sts:AssumeRole, version 2.0', () => {
    expect(renderCamTrustPolicy(buildCamTrustPolicy([SECOND, TRUSTED, SECOND]))).toBe(
      `{"version":"2.0","statement":[{"action":"name/sts:AssumeRole","effect":"allow","principal":{"qcs":["qcs::cam::uin/${TRUSTED}:root","qcs::cam::uin/${SECOND}:root"]}}]}`,
    );
  });

  it('requires the external ID with string_equal sts:external_id when one is declared', () => {
    expect(buildCamTrustPolicy([TRUSTED], { externalId: 'ext-123' }).statement[0]?.condition).toEqual({
      string_equal: { 'sts:external_id': 'ext-123' },
    });
  });

  it('refuses an empty list and a UIN that is not numeric, naming each', () => {
    const error = (() => {
      try {
        buildCamTrustPolicy(['12ab']);
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.problems.map((p) => [p.code, p.field])).toEqual([['InvalidAccountId', 'trustedAccountIds[0]']]);
    expect(() => buildCamTrustPolicy([])).toThrow(/at least one trusted root account/);
  });
});

describe('parseCamTrustPolicy', () => {
  it('reads a lone principal string as a one-element list', () => {
    expect(parseCamTrustPolicy(liveWith(`qcs::cam::uin/${TRUSTED}:root`))).toEqual(desiredFor([TRUSTED]));
  });

  it('reads :uin/<same uin> as :root', () => {
    expect(parseCamTrustPolicy(liveWith([`qcs::cam::uin/${TRUSTED}:uin/${TRUSTED}`])).entries).toEqual(
      desiredFor([TRUSTED]).entries,
    );
  });

  it('reads keys and effects in any case and actions without the name/ prefix', () => {
    const text = JSON.stringify({
      Version: '2.0',
      Statement: { Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { QCS: [`qcs::cam::uin/${TRUSTED}:root`] } },
    });
    expect(parseCamTrustPolicy(text).entries).toEqual(desiredFor([TRUSTED]).entries);
  });

  it('reads the external-ID condition in any key case and a value as a list', () => {
    const live = liveWith([`qcs::cam::uin/${TRUSTED}:root`], {
      Condition: { STRING_EQUAL: { 'STS:EXTERNAL_ID': ['ext-123'] } },
    });
    expect(parseCamTrustPolicy(live).entries).toEqual(desiredFor([TRUSTED], 'ext-123').entries);
  });

  it('keeps a sub-user apart from its root account', () => {
    const [entry] = parseCamTrustPolicy(liveWith([`qcs::cam::uin/${TRUSTED}:uin/${SUB_USER}`])).entries;
    expect(entry?.principal).toBe(`qcs::cam::uin/${TRUSTED}:uin/${SUB_USER}`);
  });

  it('names the field that is wrong when the document is malformed', () => {
    expect(() => parseCamTrustPolicy('{"version":"2.0","statement":[{"effect":"maybe"}]}')).toThrow(PolicyParseError);
    expect(() => parseCamTrustPolicy('{"version":"2.0","statement":[{"effect":"maybe"}]}')).toThrow(
      /statement\[0\]\.effect/,
    );
    expect(() => parseCamTrustPolicy('not json')).toThrow(/not valid JSON/);
  });
});

describe('diffCamTrust', () => {
  it('finds no drift in a document CAM rewrote (strings, :uin/ form, upper-case keys, no name/ prefix)', () => {
    const rewritten = JSON.stringify({
      Version: '2.0',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { qcs: [`qcs::cam::uin/${TRUSTED}:uin/${TRUSTED}`, `qcs::cam::uin/${SECOND}:root`] },
          Condition: { string_equal: { 'sts:external_id': 'ext-1' } },
        },
      ],
    });
    const diff = diffCamTrust(desiredFor([TRUSTED, SECOND], 'ext-1'), parseCamTrustPolicy(rewritten), context);
    expect(diff).toMatchObject({ upToDate: true, toAdd: [], toRemove: [], summary: 'up to date' });
  });

  it('removes an account no grant declares as undeclaredAccount', () => {
    const diff = diffCamTrust(
      desiredFor([TRUSTED]),
      parseCamTrustPolicy(liveWith([`qcs::cam::uin/${TRUSTED}:root`, `qcs::cam::uin/${STRANGER}:root`])),
      context,
    );
    expect(diff.toAdd).toEqual([]);
    expect(diff.toRemove.map((r) => [r.entry.principal, r.finding])).toEqual([
      [`qcs::cam::uin/${STRANGER}:root`, TrustFindingKind.UndeclaredAccount],
    ]);
  });

  it('removes a sub-user, a role and a SAML provider of the declared account as undeclaredPrincipal', () => {
    const live = liveWith([
      `qcs::cam::uin/${TRUSTED}:root`,
      `qcs::cam::uin/${TRUSTED}:uin/${SUB_USER}`,
      `qcs::cam::uin/${TRUSTED}:roleName/other`,
      `qcs::cam::uin/${TRUSTED}:saml-provider/idp`,
    ]);
    const diff = diffCamTrust(desiredFor([TRUSTED]), parseCamTrustPolicy(live), context);
    expect(diff.toRemove.map((r) => r.finding)).toEqual([
      TrustFindingKind.UndeclaredPrincipal,
      TrustFindingKind.UndeclaredPrincipal,
      TrustFindingKind.UndeclaredPrincipal,
    ]);
  });

  it('removes a wildcard, a service and a Deny with their own findings', () => {
    const live = JSON.stringify({
      version: '2.0',
      statement: [
        { action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: ['*', `qcs::cam::uin/${TRUSTED}:root`] } },
        { action: 'name/sts:AssumeRole', effect: 'allow', principal: { service: ['cvm.qcloud.com'] } },
        { action: 'name/sts:AssumeRole', effect: 'deny', principal: { qcs: [`qcs::cam::uin/${SECOND}:root`] } },
      ],
    });
    const diff = diffCamTrust(desiredFor([TRUSTED]), parseCamTrustPolicy(live), context);
    expect(diff.toRemove.map((r) => r.finding).sort()).toEqual(
      [TrustFindingKind.ForeignService, TrustFindingKind.UndeclaredStatement, TrustFindingKind.Wildcard].sort(),
    );
  });

  it('reports a changed external ID as conditionChanged and adds the declared one', () => {
    const live = liveWith([`qcs::cam::uin/${TRUSTED}:root`], {
      condition: { string_equal: { 'sts:external_id': 'old' } },
    });
    const diff = diffCamTrust(desiredFor([TRUSTED], 'new'), parseCamTrustPolicy(live), context);
    expect(diff.toAdd).toHaveLength(1);
    expect(diff.toRemove.map((r) => r.finding)).toEqual([TrustFindingKind.ConditionChanged]);
  });

  it('adds a declared account the live policy lacks', () => {
    const live = parseCamTrustPolicy(liveWith([`qcs::cam::uin/${SECOND}:root`]));
    const diff = diffCamTrust(desiredFor([TRUSTED, SECOND]), live, context);
    expect(diff.toAdd.map((e) => e.principal)).toEqual([`qcs::cam::uin/${TRUSTED}:root`]);
    expect(diff.toRemove).toEqual([]);
  });
});

describe('camDocumentOf', () => {
  it('writes entries back as a CAM document that parses to the same entries', () => {
    const parsed = parseCamTrustPolicy(
      liveWith([`qcs::cam::uin/${TRUSTED}:root`, `qcs::cam::uin/${TRUSTED}:uin/${SUB_USER}`], {
        condition: { string_equal: { 'sts:external_id': 'x1' } },
      }),
    );
    expect(parsedFromCamDocument(camDocumentOf(parsed.entries)).entries).toEqual(parsed.entries);
  });
});

describe('trustedAccountsOf (CAM entries)', () => {
  it('names the root account of every qcs principal', () => {
    const parsed = parseCamTrustPolicy(
      liveWith([`qcs::cam::uin/${TRUSTED}:root`, `qcs::cam::uin/${SECOND}:uin/${SUB_USER}`]),
    );
    expect(trustedAccountsOf(parsed)).toEqual([TRUSTED, SECOND].sort());
  });
});
