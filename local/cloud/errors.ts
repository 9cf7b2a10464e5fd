/**
 * The typed error hierarchy of the local cloud. It emulates Alibaba Cloud, not dts-trust, so it owns its errors:
 * every error it raises on purpose is a {@link CloudEmulatorError}; each subclass sets `name` and keeps `cause`.
 * Service-specific errors (`OtsError`, `FcRoleError`, `FcInstanceError`) live with their service and extend it.
 */

/** Root of every error the local cloud raises on purpose. */
export class CloudEmulatorError extends Error {
  /** A stable machine-readable code (the emulated service's own code where one applies). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudEmulatorError';
    this.code = code;
  }
}

/**
 * The error a local-cloud handler throws to answer a call with an Alibaba-style error; the core turns it into
 * the owning module's error reply (`faultReply`).
 */
export class LocalCloudError extends CloudEmulatorError {
  /** HTTP status of the reply (400, 403, 404, 409, 500, 503). */
  readonly status: number;
  /** Extra fields merged into the error body (`AccessDeniedDetail`). */
  readonly extra: Readonly<Record<string, unknown>> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    extra?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'LocalCloudError';
    this.status = status;
    this.extra = extra;
  }
}

/**
 * What the local cloud was given to start or to change is invalid: the accounts, faults or state file, a
 * service's options, a snapshot, a function or trigger registered through the admin API. The message names the
 * field and the fix.
 */
export class CloudSetupError extends CloudEmulatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidConfiguration', message, options);
    this.name = 'CloudSetupError';
  }
}
