import type { DtsJobRef } from '../../shared/domain/dts-usage.js';
import type { DtsJobDirectory } from '../../shared/ports.js';

/** The DTS jobs of task accounts in memory, counting listings; some accounts fail to list with a given error. */
export class MemoryDtsJobs implements DtsJobDirectory {
  readonly #jobs = new Map<string, DtsJobRef[]>();
  readonly #failures = new Map<string, Error>();
  /** Task accounts listed, in order (one entry per listing). */
  readonly listings: string[] = [];

  /** A job `taskAccountId` created whose source is `roleName` in `ownerAccountId` (running unless `status` says). */
  addJob(
    taskAccountId: string,
    job: {
      dtsJobId: string;
      ownerAccountId: string;
      roleName: string;
      status?: string;
      side?: 'source' | 'destination';
    },
  ): void {
    const endpoint = { aliyunUid: job.ownerAccountId, roleName: job.roleName };
    const ref: DtsJobRef = {
      dtsJobId: job.dtsJobId,
      jobName: `job ${job.dtsJobId}`,
      status: job.status ?? 'Migrating',
      region: 'cn-hangzhou',
      source: job.side === 'destination' ? {} : endpoint,
      destination: job.side === 'destination' ? endpoint : {},
    };
    this.#jobs.set(taskAccountId, [...(this.#jobs.get(taskAccountId) ?? []), ref]);
  }

  /** Set the status of a job (a migration that finished). */
  setStatus(taskAccountId: string, dtsJobId: string, status: string): void {
    const jobs = this.#jobs.get(taskAccountId) ?? [];
    this.#jobs.set(
      taskAccountId,
      jobs.map((j) => (j.dtsJobId === dtsJobId ? { ...j, status } : j)),
    );
  }

  /** Release a job: it is no longer listed. */
  release(taskAccountId: string, dtsJobId: string): void {
    this.#jobs.set(
      taskAccountId,
      (this.#jobs.get(taskAccountId) ?? []).filter((j) => j.dtsJobId !== dtsJobId),
    );
  }

  /** Make listing `taskAccountId` fail with `error`. */
  fail(taskAccountId: string, error: Error): void {
    this.#failures.set(taskAccountId, error);
  }

  async jobsOf(taskAccountId: string): Promise<readonly DtsJobRef[]> {
    this.listings.push(taskAccountId);
    const failure = this.#failures.get(taskAccountId);
    if (failure) throw failure;
    return [...(this.#jobs.get(taskAccountId) ?? [])];
  }
}
