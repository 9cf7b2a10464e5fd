/**
 * The typed error hierarchy of dts-trust. Every error the product raises on purpose is a
 * {@link DtsTrustError}; each subclass sets `name` and keeps the underlying `cause`.
 */

/** Root of every error dts-trust raises on purpose. */
export class DtsTrustError extends Error {
  /** A stable machine-readable code (a DTS catalog code where one applies). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DtsTrustError';
    this.code = code;
  }
}

/** One problem found while validating input: what, where, and how to fix it. */
export interface ValidationProblem {
  /** DTS catalog code where one applies (`AliyunUidFormat`), else a product code (`InvalidRoleName`). */
  readonly code: string;
  /** Dotted path of the offending field (`grants[0].ownerAccountId`). */
  readonly field: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** What to do about it, in one sentence. */
  readonly fix: string;
}

/** Input failed validation; carries every problem found, not just the first. */
export class ValidationError extends DtsTrustError {
  readonly problems: readonly ValidationProblem[];

  constructor(problems: readonly ValidationProblem[], options?: { cause?: unknown }) {
    const first = problems[0];
    const summary = problems.map((p) => `${p.field}: ${p.message} (${p.code}) - ${p.fix}`).join('; ');
    super(first?.code ?? 'ValidationError', `Invalid input: ${summary}`, options);
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

/** A trust-policy document could not be parsed or does not follow the RAM grammar. */
export class PolicyParseError extends DtsTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MalformedPolicyDocument', message, options);
    this.name = 'PolicyParseError';
  }
}

/** How an error from a cloud API should be treated by the engine. */
export const CloudErrorKind = {
  /** Throttling.*: retry with backoff. */
  Throttled: 'throttled',
  /** 5xx or a transport failure: retry with backoff. */
  Unavailable: 'unavailable',
  /** EntityNotExist.*: the thing is absent; this is state, not failure. */
  NotFound: 'notFound',
  /** EntityAlreadyExists.* and DeleteConflict.*: the state moved under us. */
  Conflict: 'conflict',
  /** NoPermission / AccessDenied: terminal for the account. */
  NoPermission: 'noPermission',
  /** Any other 4xx: a defect in the request; terminal for the role. */
  Invalid: 'invalid',
} as const;

/** One of {@link CloudErrorKind}. */
export type CloudErrorKind = (typeof CloudErrorKind)[keyof typeof CloudErrorKind];

/** An error answered by a cloud API, classified so the engine can decide without knowing the SDK. */
export class CloudApiError extends DtsTrustError {
  readonly kind: CloudErrorKind;
  /** HTTP status, when the service answered. */
  readonly statusCode: number | undefined;
  /** The service's request id, for support tickets. */
  readonly requestId: string | undefined;
  /** The API that failed, e.g. `ram:GetRole`. */
  readonly api: string;

  constructor(
    init: {
      api: string;
      code: string;
      kind: CloudErrorKind;
      message: string;
      statusCode?: number | undefined;
      requestId?: string | undefined;
    },
    options?: { cause?: unknown },
  ) {
    super(init.code, `${init.api} failed with ${init.code}: ${init.message}`, options);
    this.name = 'CloudApiError';
    this.kind = init.kind;
    this.api = init.api;
    this.statusCode = init.statusCode;
    this.requestId = init.requestId;
  }

  /** True when waiting and trying again may succeed: kinds `throttled` and `unavailable` (`isRetryable` uses it). */
  get retryable(): boolean {
    return this.kind === CloudErrorKind.Throttled || this.kind === CloudErrorKind.Unavailable;
  }
}

/** A conditional write lost a race (Tablestore `OTSConditionCheckFail`). */
export class ConcurrentModificationError extends DtsTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ConcurrentModification', message, options);
    this.name = 'ConcurrentModificationError';
  }
}

/** A setting (environment variable, CLI flag, file) is missing or invalid. */
export class ConfigError extends DtsTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidConfiguration', message, options);
    this.name = 'ConfigError';
  }
}
