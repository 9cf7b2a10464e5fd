import { Cloud } from '../domain/grant.js';
import { buildTrustPolicy, renderTrustPolicy } from './build.js';
import { diffTrust } from './diff.js';
import { BoundedMemo, memoizedDiff, memoizedParse } from './memo.js';
import { parsedFromDocument, parseTrustPolicy } from './parse.js';
import { accountOfDtsServicePrincipal, accountOfRamPrincipal } from './principals.js';
import { buildCamTrustPolicy, camDocumentOf, renderCamTrustPolicy } from './tencent/build.js';
import { diffCamTrust } from './tencent/diff.js';
import { parseCamTrustPolicy, parsedFromCamDocument } from './tencent/parse.js';
import { accountOfQcsPrincipal, isQcsRootPrincipal } from './tencent/principals.js';
import {
  type ParsedTrustPolicy,
  PrincipalKind,
  type TrustDiff,
  type TrustDiffContext,
  type TrustEntry,
  type TrustPolicyDocument,
  type TrustPolicyOptions,
  type TrustStatementDocument,
} from './types.js';

/** A trust policy to send and its entries to compare. */
export interface BuiltTrust {
  readonly text: string;
  readonly parsed: ParsedTrustPolicy;
}

/**
 * One cloud's trust-policy language behind one interface, so the engine stays one: build the desired document,
 * parse what the service returns, diff the two as entries, write a set of entries back as a document (the
 * narrowing steps), and tell whether an entry lets an account in the way DTS expects.
 */
export interface TrustDialect {
  readonly cloud: Cloud;
  /** The desired trust of a role trusting `trustedAccountIds`; throws `ValidationError` on bad input. */
  build(trustedAccountIds: readonly string[], options: TrustPolicyOptions): BuiltTrust;
  /** The entries of a live document; throws `PolicyParseError`. */
  parse(text: string): ParsedTrustPolicy;
  diff(desired: ParsedTrustPolicy, observed: ParsedTrustPolicy, context: TrustDiffContext): TrustDiff;
  /** A document holding exactly these entries, as text to send. */
  render(entries: readonly TrustEntry[]): string;
  /** True when the entry lets one of `accounts` in as DTS expects (RAM: `:root` or DTS's service; CAM: the root). */
  namesAccount(entry: TrustEntry, accounts: ReadonlySet<string>): boolean;
}

/** A canonical condition back as a RAM Condition block, a one-element list written as its value. */
function conditionOf(canonical: string): NonNullable<TrustStatementDocument['Condition']> {
  const blocks = JSON.parse(canonical) as Record<string, Record<string, string[]>>;
  return Object.fromEntries(
    Object.entries(blocks).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, values.length === 1 ? values[0] : values])),
    ]),
  ) as NonNullable<TrustStatementDocument['Condition']>;
}

/** The RAM document of a set of entries: one statement per effect, action and condition. */
export function ramDocumentOf(entries: readonly TrustEntry[]): TrustPolicyDocument {
  const statements = new Map<string, { statement: TrustStatementDocument; principal: Record<string, string[]> }>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.effect, entry.action, entry.condition]);
    let group = statements.get(key);
    if (group === undefined) {
      const principal: Record<string, string[]> = {};
      group = {
        principal,
        statement: {
          Effect: entry.effect,
          Action: entry.action,
          Principal: principal,
          ...(entry.condition === '' ? {} : { Condition: conditionOf(entry.condition) }),
        },
      };
      statements.set(key, group);
    }
    group.principal[entry.principalKind] = [...(group.principal[entry.principalKind] ?? []), entry.principal];
  }
  return { Version: '1', Statement: [...statements.values()].map((g) => g.statement) };
}

/** The memo key of a build: the trusted accounts as given and the external ID. */
const buildKey = (trustedAccountIds: readonly string[], options: TrustPolicyOptions): string =>
  JSON.stringify([trustedAccountIds, options.externalId ?? null]);

const ramBuilt = new BoundedMemo<BuiltTrust>();

/** Alibaba Cloud RAM (Version "1"). Build, parse and diff are memoized (./memo.ts). */
export const RamTrustDialect: TrustDialect = {
  cloud: Cloud.Alibaba,
  build(trustedAccountIds, options) {
    return ramBuilt.get(buildKey(trustedAccountIds, options), () => {
      const document = buildTrustPolicy(trustedAccountIds, options);
      return { text: renderTrustPolicy(document), parsed: parsedFromDocument(document) };
    });
  },
  parse: memoizedParse(parseTrustPolicy),
  diff: memoizedDiff(diffTrust),
  render: (entries) => renderTrustPolicy(ramDocumentOf(entries)),
  namesAccount(entry, accounts) {
    if (entry.principalKind === PrincipalKind.Ram) {
      return /^acs:ram::\d+:root$/i.test(entry.principal) && accounts.has(accountOfRamPrincipal(entry.principal) ?? '');
    }
    if (entry.principalKind === PrincipalKind.Service) {
      return accounts.has(accountOfDtsServicePrincipal(entry.principal) ?? '');
    }
    return false;
  },
};

const camBuilt = new BoundedMemo<BuiltTrust>();

/** Tencent Cloud CAM (version "2.0"). Build, parse and diff are memoized (./memo.ts). */
export const CamTrustDialect: TrustDialect = {
  cloud: Cloud.Tencent,
  build(trustedAccountIds, options) {
    return camBuilt.get(buildKey(trustedAccountIds, options), () => {
      const document = buildCamTrustPolicy(trustedAccountIds, options);
      return { text: renderCamTrustPolicy(document), parsed: parsedFromCamDocument(document) };
    });
  },
  parse: memoizedParse(parseCamTrustPolicy),
  diff: memoizedDiff(diffCamTrust),
  render: (entries) => renderCamTrustPolicy(camDocumentOf(entries)),
  namesAccount(entry, accounts) {
    return (
      entry.principalKind === PrincipalKind.Qcs &&
      isQcsRootPrincipal(entry.principal) &&
      accounts.has(accountOfQcsPrincipal(entry.principal) ?? '')
    );
  },
};

/** The dialect of a cloud. */
export function trustDialectOf(cloud: Cloud): TrustDialect {
  return cloud === Cloud.Tencent ? CamTrustDialect : RamTrustDialect;
}
