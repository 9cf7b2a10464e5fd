/**
 * The API gateway's replay protection in front of the RPC-style services (RAM, STS, DTS, KMS): a signed call's
 * timestamp (`x-acs-date` for ACS3, `Timestamp` for V2) must be within the allowed clock skew of the gateway's
 * clock, and its nonce (`x-acs-signature-nonce`, `SignatureNonce`) must not have been used by the same access
 * key within the window, or the call is refused with the gateway's codes (`InvalidTimeStamp.Expired`,
 * `SignatureNonceUsed`). The SDKs (openapi-core, rpc-client) draw a new nonce and timestamp for every attempt,
 * retries included. Options: `startLocalCloud({ services: { gateway: {...} } })`, {@link GatewayOptions}.
 */
import type { CloudCore } from '../contract.js';
import { LocalCloudError } from '../errors.js';

/** The key of the gateway's options and state in the core. */
export const GATEWAY_SERVICE = 'gateway';

/** How far a call's timestamp may be from the gateway's clock unless configured: 15 minutes, as Alibaba's. */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 900;

/** Options of the gateway checks. */
export interface GatewayOptions {
  /** Seconds a call's timestamp may differ from the cloud's clock (either way); 0 turns the check off. */
  readonly maxClockSkewSeconds?: number;
  /** Refuse a nonce the same access key used within the window (default true). */
  readonly rejectReusedNonces?: boolean;
}

/** Most nonces remembered; the oldest go first beyond this (a bound for long benchmark runs). */
const MAX_REMEMBERED_NONCES = 500_000;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** Nonces seen, by `<access key id> <nonce>`, with when they may be forgotten (ms); insertion order = age. */
function nonceLedger(core: CloudCore): Map<string, number> {
  return core.serviceState<Map<string, number>>(`${GATEWAY_SERVICE}.nonces`, () => new Map());
}

function forgetExpired(ledger: Map<string, number>, nowMs: number): void {
  for (const [key, forgetAt] of ledger) {
    if (forgetAt > nowMs && ledger.size <= MAX_REMEMBERED_NONCES) break;
    ledger.delete(key);
  }
}

/** What a signed call claims about when and which nonce; names are the ones the error messages use. */
export interface RequestStamp {
  readonly accessKeyId: string;
  readonly timestamp: string | undefined;
  readonly nonce: string | undefined;
  /** `Timestamp`/`SignatureNonce` (V2) or `x-acs-date`/`x-acs-signature-nonce` (ACS3). */
  readonly names: { readonly timestamp: string; readonly nonce: string };
}

/**
 * Refuse a stale or replayed call: `MissingTimestamp`/`InvalidTimeStamp.Format`/`InvalidTimeStamp.Expired` for
 * the timestamp, `MissingSignatureNonce`/`SignatureNonceUsed` for the nonce. Run after the signature holds, so a
 * forged call cannot use up someone's nonce.
 */
export function checkFreshness(core: CloudCore, stamp: RequestStamp): void {
  const options = core.serviceOptions<GatewayOptions>(GATEWAY_SERVICE) ?? {};
  const skewSeconds = options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  const nowMs = core.now().getTime();
  if (skewSeconds > 0) {
    if (stamp.timestamp === undefined || stamp.timestamp === '') {
      throw new LocalCloudError(400, 'MissingTimestamp', `${stamp.names.timestamp} is mandatory for this action.`);
    }
    const at = ISO_UTC.test(stamp.timestamp) ? Date.parse(stamp.timestamp) : Number.NaN;
    if (Number.isNaN(at)) {
      throw new LocalCloudError(
        400,
        'InvalidTimeStamp.Format',
        `Specified time stamp or date value is not well formatted: ${stamp.names.timestamp} must be UTC ISO 8601 (yyyy-MM-ddTHH:mm:ssZ).`,
      );
    }
    if (Math.abs(nowMs - at) > skewSeconds * 1000) {
      throw new LocalCloudError(
        400,
        'InvalidTimeStamp.Expired',
        `Specified time stamp or date value is expired: ${stamp.names.timestamp} ${stamp.timestamp} is more than ${skewSeconds} s from the server time.`,
      );
    }
  }
  if (options.rejectReusedNonces === false) return;
  if (stamp.nonce === undefined || stamp.nonce === '') {
    throw new LocalCloudError(400, 'MissingSignatureNonce', `${stamp.names.nonce} is mandatory for this action.`);
  }
  const ledger = nonceLedger(core);
  forgetExpired(ledger, nowMs);
  const key = `${stamp.accessKeyId} ${stamp.nonce}`;
  if (ledger.has(key)) {
    throw new LocalCloudError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  const windowMs = Math.max(2 * skewSeconds, 2 * DEFAULT_MAX_CLOCK_SKEW_SECONDS) * 1000;
  ledger.set(key, nowMs + windowMs);
}
