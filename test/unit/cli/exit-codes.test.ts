import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeOf, exitCodeOfError } from '../../../cli/exit-codes.js';
import {
  CloudApiError,
  CloudErrorKind,
  ConcurrentModificationError,
  ConfigError,
  DtsTrustError,
  ValidationError,
} from '../../../shared/domain/errors.js';

const cloudError = (api: string, kind: CloudErrorKind = CloudErrorKind.Unavailable) =>
  new CloudApiError({ api, code: 'Some.Code', kind, message: 'm' });

describe('exitCodeOf', () => {
  it('is 0 when nothing failed and every audit event was delivered', () => {
    expect(exitCodeOf({ failed: 0, undelivered: 0 })).toBe(ExitCode.Ok);
  });

  it('is 3 when the work was done but audit events stay undelivered', () => {
    expect(exitCodeOf({ failed: 0, undelivered: 2 })).toBe(ExitCode.AuditUndelivered);
  });

  it('is 1 when something failed, also when audit events stay undelivered', () => {
    expect(exitCodeOf({ failed: 1, undelivered: 0 })).toBe(ExitCode.Failed);
    expect(exitCodeOf({ failed: 1, undelivered: 5 })).toBe(ExitCode.Failed);
  });
});

describe('exitCodeOfError', () => {
  it('is 2 for input at fault: an option, a file or key, the configuration, no credentials in the environment', () => {
    const problem = { code: 'InvalidField', field: 'options.owner', message: 'm', fix: 'f' };
    expect(exitCodeOfError(new ValidationError([problem]))).toBe(ExitCode.Usage);
    expect(exitCodeOfError(new ConfigError('DTS_TRUST_PROTOCOL must be http or https'))).toBe(ExitCode.Usage);
    expect(exitCodeOfError(cloudError('credentials:DefaultChain', CloudErrorKind.NoPermission))).toBe(ExitCode.Usage);
  });

  it('is 1 when the cloud or the program failed: nothing about the input would change it', () => {
    expect(exitCodeOfError(cloudError('tablestore:GetRange'))).toBe(ExitCode.Failed);
    expect(exitCodeOfError(cloudError('ram:GetRole', CloudErrorKind.NoPermission))).toBe(ExitCode.Failed);
    expect(exitCodeOfError(new ConcurrentModificationError('lost a race'))).toBe(ExitCode.Failed);
    expect(exitCodeOfError(new DtsTrustError('Unexpected', 'a defect'))).toBe(ExitCode.Failed);
    expect(exitCodeOfError(new TypeError('x is undefined'))).toBe(ExitCode.Failed);
  });
});
