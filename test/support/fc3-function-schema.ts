/**
 * The rules of the fc3 component's props schema (devsapp/fc3 `src/schema.json`, read at commit 0c2a220) that
 * dts-trust's s.yaml touches, restated as a JSON Schema for ajv. The component is downloaded from Serverless
 * Devs' own registry at `s` run time and is not published on npm, so the project cannot depend on its file;
 * these constraints are derived from it, and a little stricter where the published one accepts what FC refuses
 * or silently ignores: an unknown prop name is an error (a typo would otherwise deploy without the setting), and
 * each trigger's `triggerConfig` is checked against its own `triggerType` (the published `anyOf` includes an
 * `{type: object}` branch that accepts any object). docs/architecture.md says why.
 */

const nonEmptyString = { type: 'string', minLength: 1 } as const;

/** The VPC a function runs in; all-empty ids mean "no VPC" (what the component deploys when none is given). */
const vpcConfig = {
  anyOf: [
    {
      type: 'object',
      required: ['vpcId', 'vSwitchIds', 'securityGroupId'],
      additionalProperties: false,
      properties: {
        vpcId: { type: 'string' },
        securityGroupId: { type: 'string' },
        vSwitchIds: { anyOf: [{ type: 'array', items: { type: 'string' } }, { const: 'auto' }] },
      },
    },
    { const: 'auto' },
  ],
} as const;

const timerTriggerConfig = {
  type: 'object',
  required: ['cronExpression', 'enable'],
  additionalProperties: false,
  properties: { cronExpression: nonEmptyString, enable: { type: 'boolean' }, payload: { type: 'string' } },
} as const;

const eventBridgeTriggerConfig = {
  type: 'object',
  required: [
    'triggerEnable',
    'asyncInvocationType',
    'eventRuleFilterPattern',
    'eventSourceConfig',
    'eventSinkConfig',
    'runOptions',
  ],
  properties: {
    triggerEnable: { type: 'boolean' },
    asyncInvocationType: { type: 'boolean' },
    eventRuleFilterPattern: { type: 'string' },
    eventSourceConfig: {
      type: 'object',
      required: ['eventSourceType', 'eventSourceParameters'],
      properties: { eventSourceType: nonEmptyString, eventSourceParameters: { type: 'object' } },
    },
    eventSinkConfig: {
      type: 'object',
      required: ['deliveryOption'],
      properties: { deliveryOption: { type: 'object' } },
    },
    runOptions: { type: 'object' },
  },
} as const;

const trigger = {
  type: 'object',
  required: ['triggerName', 'triggerType', 'triggerConfig'],
  properties: {
    triggerName: nonEmptyString,
    triggerType: { enum: ['timer', 'eventbridge', 'http', 'oss', 'log', 'mns_topic', 'cdn_events', 'tablestore'] },
    description: { type: 'string' },
    qualifier: { type: 'string' },
    invocationRole: { type: 'string' },
    sourceArn: { type: 'string' },
    triggerConfig: { type: 'object' },
  },
  // Each trigger type with its own config (an `if`/`then` pair said with `anyOf`, one branch per type).
  anyOf: [
    { properties: { triggerType: { const: 'timer' }, triggerConfig: timerTriggerConfig } },
    { properties: { triggerType: { const: 'eventbridge' }, triggerConfig: eventBridgeTriggerConfig } },
    { properties: { triggerType: { enum: ['http', 'oss', 'log', 'mns_topic', 'cdn_events', 'tablestore'] } } },
  ],
} as const;

const destination = { type: 'object', properties: { destination: { type: 'string' } } } as const;

/** The props of one fc3 function resource. */
export const FC3_FUNCTION_PROPS_SCHEMA = {
  type: 'object',
  required: ['region', 'functionName', 'runtime', 'code', 'handler'],
  additionalProperties: false,
  properties: {
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+(-\\d+)?$' },
    functionName: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,127}$' },
    description: { type: 'string' },
    runtime: { enum: ['nodejs14', 'nodejs16', 'nodejs18', 'nodejs20'] },
    code: {
      anyOf: [
        nonEmptyString,
        {
          type: 'object',
          required: ['ossBucketName', 'ossObjectName'],
          properties: { ossBucketName: nonEmptyString, ossObjectName: nonEmptyString },
        },
      ],
    },
    handler: nonEmptyString,
    memorySize: { type: 'integer', minimum: 128, maximum: 32768, multipleOf: 64 },
    cpu: { type: 'number', minimum: 0.05, maximum: 16 },
    diskSize: { enum: [512, 10240] },
    timeout: { type: 'integer', minimum: 1, maximum: 86400 },
    instanceConcurrency: { type: 'integer', minimum: 1, maximum: 100 },
    role: { type: 'string' },
    internetAccess: { type: 'boolean' },
    vpcConfig,
    environmentVariables: { type: 'object', additionalProperties: { type: 'string' } },
    logConfig: {
      anyOf: [
        {
          type: 'object',
          required: ['project', 'logstore'],
          properties: { project: nonEmptyString, logstore: nonEmptyString },
        },
        { const: 'auto' },
      ],
    },
    layers: { type: 'array', items: { type: 'string' } },
    triggers: { type: 'array', items: trigger },
    asyncInvokeConfig: {
      type: 'object',
      properties: {
        maxAsyncEventAgeInSeconds: { type: 'number', minimum: 1, maximum: 2592000 },
        maxAsyncRetryAttempts: { type: 'number', minimum: 0, maximum: 8 },
        asyncTask: { type: 'boolean' },
        destinationConfig: { type: 'object', properties: { onSuccess: destination, onFailure: destination } },
      },
    },
    // Accepted by the component and passed through; dts-trust does not use them, so their shape is not checked.
    customDNS: { type: 'object' },
    tracingConfig: { type: 'object' },
    nasConfig: {},
    ossMountConfig: { type: 'object' },
    instanceLifecycleConfig: { type: 'object' },
    vpcBinding: { type: 'object' },
    provisionConfig: { type: 'object' },
    concurrencyConfig: { type: 'object' },
    customDomain: { type: 'object' },
  },
} as const;
