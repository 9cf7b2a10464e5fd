import type { Clock } from '../ports.js';
import { TokenBucket } from '../reconcile/token-bucket.js';

/** CAM's documented per-action limits, calls per second: CreateRole 2/s, other writes 3/s, reads 10/s or more. */
export const CamRateLimits: Readonly<Record<string, number>> = {
  CreateRole: 2,
  UpdateAssumeRolePolicy: 3,
  UpdateRoleDescription: 3,
  AttachRolePolicy: 3,
  DetachRolePolicy: 3,
  DeleteRole: 3,
  TagRole: 3,
  CreatePolicy: 3,
  UpdatePolicy: 3,
  AttachUserPolicy: 3,
  DetachUserPolicy: 3,
  DetachGroupPolicy: 3,
  DeletePolicy: 3,
  GetRole: 20,
  DescribeRoleList: 10,
  ListAttachedRolePolicies: 10,
  GetPolicy: 10,
  ListPolicies: 10,
  ListEntitiesForPolicy: 10,
};

/** One token bucket per CAM action (the limits are per action), created on first use. */
export class CamRateLimiter {
  readonly #clock: Clock;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Wait until `action` may be called again within its limit. */
  async take(action: string): Promise<void> {
    let bucket = this.#buckets.get(action);
    if (!bucket) {
      bucket = new TokenBucket(this.#clock, { ratePerSecond: CamRateLimits[action] ?? 3 });
      this.#buckets.set(action, bucket);
    }
    await bucket.take();
  }
}
