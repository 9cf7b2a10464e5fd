/**
 * The error a local-cloud handler throws to answer a call with an Alibaba-style error; the core turns it into
 * the owning module's error reply (`faultReply`).
 */
export class LocalCloudError extends Error {
  /** HTTP status of the reply (400, 403, 404, 409, 500, 503). */
  readonly status: number;
  /** Alibaba error code (`EntityNotExist.Role`). */
  readonly code: string;
  /** Extra fields merged into the error body (`AccessDeniedDetail`). */
  readonly extra: Readonly<Record<string, unknown>> | undefined;

  constructor(status: number, code: string, message: string, extra?: Record<string, unknown>) {
    super(message);
    this.name = 'LocalCloudError';
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}
