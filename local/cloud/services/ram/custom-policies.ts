/**
 * RAM custom policies of an account: CreatePolicy and GetPolicy, with RAM's codes (`EntityAlreadyExists.Policy`,
 * `EntityNotExist.Policy`, `InvalidParameter.PolicyName.InvalidChars`, `MalformedPolicyDocument`) and the
 * 6,144-character document limit. Each policy has one version, `v1` (CreatePolicyVersion is not modelled). Both
 * need permission on `acs:ram:*:<account>:policy/<name>`.
 */
import { LocalCloudError } from '../../errors.js';
import { ramDate } from '../../roles.js';
import { SYSTEM_POLICIES } from '../../system-policies.js';
import { authorize, type RamAction, type RamCall, required } from './context.js';
import { policyResource, policyType } from './policies.js';

/** Most characters of a custom policy document (RAM's limit). */
export const MAX_POLICY_DOCUMENT_CHARS = 6_144;

/** When each custom policy was created, by `<account>/<name>` (the accounts file declares none). */
function createDates(call: RamCall): Map<string, string> {
  return call.core.serviceState<Map<string, string>>('ram.policyDates', () => new Map());
}

function policyName(call: RamCall): string {
  const name = required(call, 'PolicyName');
  if (!/^[A-Za-z0-9-]{1,128}$/.test(name)) {
    throw new LocalCloudError(
      400,
      'InvalidParameter.PolicyName.InvalidChars',
      'The parameter PolicyName contains invalid characters.',
    );
  }
  return name;
}

function checkDocument(text: string): void {
  if (text.length > MAX_POLICY_DOCUMENT_CHARS) {
    throw new LocalCloudError(400, 'LimitExceeded.Policy.Length', 'The policy document exceeds 6144 characters.');
  }
  let document: { Version?: unknown; Statement?: unknown };
  try {
    document = JSON.parse(text) as typeof document;
  } catch {
    throw new LocalCloudError(400, 'MalformedPolicyDocument', 'The policy document is not valid JSON.');
  }
  if (document.Version !== '1' || !Array.isArray(document.Statement) || document.Statement.length === 0) {
    throw new LocalCloudError(400, 'MalformedPolicyDocument', 'The policy document has not passed grammar check.');
  }
}

/** CreatePolicy: PolicyName, PolicyDocument, Description. */
export const createPolicy: RamAction = (call) => {
  const name = policyName(call);
  const document = required(call, 'PolicyDocument');
  authorize(call, 'CreatePolicy', policyResource(call.account.id, { name, type: 'Custom' }));
  if (call.account.customPolicies.has(name)) {
    throw new LocalCloudError(409, 'EntityAlreadyExists.Policy', `The policy already exists: ${name}.`);
  }
  checkDocument(document);
  call.account.customPolicies.set(name, document);
  const created = ramDate(call.core.now());
  createDates(call).set(`${call.account.id}/${name}`, created);
  return {
    Policy: {
      PolicyName: name,
      PolicyType: 'Custom',
      Description: call.params['Description'] ?? '',
      DefaultVersion: 'v1',
      CreateDate: created,
    },
  };
};

/** GetPolicy: PolicyName, PolicyType; the policy and its default version's document. */
export const getPolicy: RamAction = (call) => {
  const name = policyName(call);
  const type = policyType(call);
  authorize(call, 'GetPolicy', policyResource(call.account.id, { name, type }));
  const document =
    type === 'System'
      ? SYSTEM_POLICIES[name] && JSON.stringify(SYSTEM_POLICIES[name].document)
      : call.account.customPolicies.get(name);
  if (document === undefined)
    throw new LocalCloudError(404, 'EntityNotExist.Policy', `The policy not exists: ${name}.`);
  const created = createDates(call).get(`${call.account.id}/${name}`) ?? ramDate(new Date(0));
  return {
    Policy: { PolicyName: name, PolicyType: type, DefaultVersion: 'v1', CreateDate: created, UpdateDate: created },
    DefaultPolicyVersion: { VersionId: 'v1', IsDefaultVersion: true, PolicyDocument: document, CreateDate: created },
  };
};
