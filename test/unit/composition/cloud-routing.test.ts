import { describe, expect, it } from 'vitest';
import {
  cloudRoutedBroker,
  cloudRoutedDirectory,
  TENCENT_NOT_CONFIGURED,
} from '../../../shared/composition/cloud-routing.js';
import { CloudApiError } from '../../../shared/domain/errors.js';
import type { AccountCredentials, CredentialBroker } from '../../../shared/ports.js';
import { MemoryRoleDirectory } from '../../support/memory-role-directory.js';

const ALIBABA = '1437508826153950';
const TENCENT = '100000000001';

const broker = (cloud: string): CredentialBroker => ({
  credentialsFor: async (accountId) => ({ accountId, accessKeyId: cloud, accessKeySecret: 'x' }),
});
const account = (accountId: string): AccountCredentials => ({ accountId, accessKeyId: 'k', accessKeySecret: 's' });

describe('cloudRoutedBroker', () => {
  it('enters a 16-digit account through Alibaba STS and any other UIN through Tencent STS', async () => {
    const routed = cloudRoutedBroker({ alibaba: broker('alibaba'), tencent: broker('tencent') });
    expect((await routed.credentialsFor(ALIBABA)).accessKeyId).toBe('alibaba');
    expect((await routed.credentialsFor(TENCENT)).accessKeyId).toBe('tencent');
  });

  it('refuses a Tencent account without Tencent configured: no permission (the run stops that account), with the fix', async () => {
    const routed = cloudRoutedBroker({ alibaba: broker('alibaba'), tencent: undefined });
    const error = await routed.credentialsFor(TENCENT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({ code: 'TencentNotConfigured', kind: 'noPermission' });
    expect((error as Error).message).toMatch(/DTS_TRUST_TENCENT_HUB_KEYS_SECRET/);
  });

  it('refuses what is no account ID of either cloud as invalid', async () => {
    const routed = cloudRoutedBroker({ alibaba: broker('alibaba'), tencent: broker('tencent') });
    await expect(routed.credentialsFor('12')).rejects.toMatchObject({ code: 'InvalidAccountId', kind: 'invalid' });
  });
});

describe('cloudRoutedDirectory', () => {
  it("reads and writes roles in the directory of the credentials' account's cloud", async () => {
    const ram = new MemoryRoleDirectory();
    const cam = new MemoryRoleDirectory();
    const routed = cloudRoutedDirectory({ alibaba: ram, tencent: cam });
    const role = { roleName: 'r', trustPolicy: '{}', description: 'd', tags: {} };
    await routed.createRole(account(TENCENT), role);
    expect(await cam.getRole(account(TENCENT), 'r')).toBeDefined();
    expect(await ram.getRole(account(TENCENT), 'r')).toBeUndefined();
    expect(await routed.getRole(account(ALIBABA), 'r')).toBeUndefined();
  });

  it('answers an account of no configured cloud with a rejected promise, never a thrown error', async () => {
    const routed = cloudRoutedDirectory({ alibaba: new MemoryRoleDirectory(), tencent: undefined });
    const answer = routed.getRole(account(TENCENT), 'r');
    await expect(answer).rejects.toMatchObject({ code: TENCENT_NOT_CONFIGURED, kind: 'noPermission' });
    await expect(routed.deleteRole(account('12'), 'r')).rejects.toMatchObject({ code: 'InvalidAccountId' });
  });
});
