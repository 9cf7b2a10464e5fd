import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAccountsFile } from '../../../local/cloud/accounts.js';
import { CloudEmulatorError, CloudSetupError, LocalCloudError } from '../../../local/cloud/errors.js';
import { parseFaults } from '../../../local/cloud/faults.js';
import { FcRoleError } from '../../../local/cloud/services/fc/context.js';
import { FcInstanceError } from '../../../local/cloud/services/fc/instances.js';
import { OtsError } from '../../../local/cloud/services/tablestore/errors.js';
import { readStateFile } from '../../../local/cloud/state.js';
import { DtsTrustError } from '../../../shared/domain/errors.js';

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe("the local cloud's errors", () => {
  it('root every service error in CloudEmulatorError, none in the product', () => {
    const errors = [
      new LocalCloudError(404, 'EntityNotExist.Role', 'The role does not exist.'),
      new CloudSetupError('accounts.0.id: give an account id'),
      new OtsError('OTSObjectNotExist', 'Requested table does not exist.'),
      new FcRoleError('role r does not exist in account 1'),
      new FcInstanceError('the function instance could not start'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(CloudEmulatorError);
      expect(error).not.toBeInstanceOf(DtsTrustError);
    }
    expect(errors.map((e) => [e.name, e.code])).toEqual([
      ['LocalCloudError', 'EntityNotExist.Role'],
      ['CloudSetupError', 'InvalidConfiguration'],
      ['OtsError', 'OTSObjectNotExist'],
      ['FcRoleError', 'InvalidArgument'],
      ['FcInstanceError', 'FcInstanceFailed'],
    ]);
  });

  it('keep the reply of an Alibaba error: status, code and extra body fields, and the cause', () => {
    const cause = new Error('the role store is locked');
    const error = new LocalCloudError(
      403,
      'NoPermission',
      'You are not authorized.',
      { AccessDeniedDetail: {} },
      {
        cause,
      },
    );
    expect([error.status, error.code, error.extra, error.cause]).toEqual([
      403,
      'NoPermission',
      { AccessDeniedDetail: {} },
      cause,
    ]);
  });

  it('answer a missing accounts file with a CloudSetupError that keeps the file error as its cause', async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'cloud-errors-'));
    const missing = path.join(scratch, 'accounts.json');
    const error = await loadAccountsFile(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudSetupError);
    expect((error as CloudSetupError).message).toContain(`Cannot read the accounts file ${missing}`);
    expect(((error as CloudSetupError).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('answer a corrupt state file with a CloudSetupError that keeps the parse error as its cause', async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'cloud-errors-'));
    const file = path.join(scratch, 'state.json');
    writeFileSync(file, '{ not json');
    const error = await readStateFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudSetupError);
    expect((error as CloudSetupError).cause).toBeInstanceOf(SyntaxError);
  });

  it('answer a bad faults document with a CloudSetupError naming the field', () => {
    expect(() => parseFaults({ errors: { rate: 'often' } })).toThrow(CloudSetupError);
    expect(() => parseFaults({ errors: { rate: 'often' } })).toThrow(/faults\.errors\.rate/);
  });
});
