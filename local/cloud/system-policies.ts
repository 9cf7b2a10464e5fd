/**
 * The built-in (System) RAM policies the local cloud knows, with the permission documents it evaluates.
 * Attaching a System policy not listed here answers `EntityNotExist.Policy`, as RAM does for an unknown name.
 */

/** One statement of a permission policy document. */
export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
}

/** A permission policy document (`Version` "1"). */
export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
}

function allow(description: string, ...actions: string[]): { description: string; document: PolicyDocument } {
  return { description, document: { Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] } };
}

/** System policies by name: description (returned by ListPoliciesForRole) and document. */
export const SYSTEM_POLICIES: Readonly<Record<string, { description: string; document: PolicyDocument }>> = {
  AdministratorAccess: allow('Provides full access to Alibaba Cloud services and resources.', '*'),
  AliyunRAMFullAccess: allow('Provides full access to Resource Access Management (RAM).', 'ram:*'),
  AliyunRAMReadOnlyAccess: allow(
    'Provides read-only access to Resource Access Management (RAM).',
    'ram:Get*',
    'ram:List*',
  ),
  AliyunSTSAssumeRoleAccess: allow('Provides access to call the AssumeRole operation of STS.', 'sts:AssumeRole'),
  AliyunDTSRolePolicy: allow(
    'The policy for the AliyunDTSDefaultRole role: DTS reads the database instances it migrates.',
    'rds:Describe*',
    'rds:ModifySecurityIps',
    'ecs:DescribeInstances',
    'ecs:DescribeSecurityGroups',
    'ecs:AuthorizeSecurityGroup',
    'vpc:Describe*',
    'polardb:Describe*',
    'polardb:ModifyDBClusterAccessWhitelist',
    'kvstore:Describe*',
    'kvstore:ModifySecurityIps',
    'dds:Describe*',
    'dds:ModifySecurityIps',
    'adb:Describe*',
    'drds:Describe*',
    'dts:*',
  ),
  AliyunDTSFullAccess: allow('Provides full access to Data Transmission Service (DTS).', 'dts:*'),
  AliyunDTSReadOnlyAccess: allow('Provides read-only access to Data Transmission Service (DTS).', 'dts:Describe*'),
  AliyunOTSFullAccess: allow('Provides full access to Tablestore.', 'ots:*'),
  AliyunOTSReadOnlyAccess: allow(
    'Provides read-only access to Tablestore.',
    'ots:Get*',
    'ots:List*',
    'ots:Describe*',
    'ots:BatchGet*',
  ),
  AliyunEventBridgeFullAccess: allow('Provides full access to EventBridge.', 'eventbridge:*'),
  AliyunFCFullAccess: allow('Provides full access to Function Compute.', 'fc:*'),
  AliyunFCInvocationAccess: allow('Provides access to invoke Function Compute functions.', 'fc:InvokeFunction'),
  AliyunMNSFullAccess: allow('Provides full access to Message Service (MNS).', 'mns:*'),
  AliyunLogFullAccess: allow('Provides full access to Simple Log Service.', 'log:*'),
};
