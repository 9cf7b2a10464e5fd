import type * as CommonSdk from 'tencentcloud-sdk-nodejs-common';
import type * as StsSdk from 'tencentcloud-sdk-nodejs-sts';

let common: Promise<typeof CommonSdk> | undefined;
let sts: Promise<typeof StsSdk> | undefined;

/**
 * Tencent Cloud's SDKs, loaded on first use: only a deployment with Tencent owners calls them, and with node-fetch,
 * whatwg-url (its Unicode tables) and form-data they were about 540 KiB of every bundle, evaluated on every cold
 * start. The build keeps them outside the bundles and ships them beside each one, as npm installed them
 * (scripts/build.mjs, `UNBUNDLED`), so a function that never calls Tencent never loads them.
 */
export function loadTencentCommonSdk(): Promise<typeof CommonSdk> {
  common ??= import('tencentcloud-sdk-nodejs-common');
  return common;
}

/** The Tencent STS SDK, loaded on first use (see {@link loadTencentCommonSdk}). */
export function loadTencentStsSdk(): Promise<typeof StsSdk> {
  sts ??= import('tencentcloud-sdk-nodejs-sts');
  return sts;
}
