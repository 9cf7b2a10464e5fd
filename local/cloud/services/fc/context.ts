/**
 * Builds what FC hands a handler: the credentials of the function's role (temporary keys issued through the core,
 * like FC's own AssumeRole), the `context` object and its logger, and the instance environment.
 */
import { randomBytes } from 'node:crypto';
import { format } from 'node:util';
import type { CloudCore, Principal } from '../../contract.js';
import { CloudEmulatorError } from '../../errors.js';
import type { FcContext, FcFunction, FcLogger } from './functions.js';

/** Lifetime of the role keys FC gives a function. */
export const ROLE_CREDENTIAL_SECONDS = 3600;

/** The keys a handler gets in `context.credentials`. */
export interface FcCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
}

/** Why the function's role cannot be used. */
export class FcRoleError extends CloudEmulatorError {
  constructor(message: string) {
    super('InvalidArgument', message);
    this.name = 'FcRoleError';
  }
}

function roleName(role: string, accountId: string): string {
  const arn = /^acs:ram::(\d+):role\/(.+)$/i.exec(role);
  if (!arn) return role;
  if (arn[1] !== accountId) {
    throw new FcRoleError(`role ${role} belongs to account ${arn[1]}, not to the function's account ${accountId}`);
  }
  return arn[2]!;
}

/**
 * Temporary keys of the function's role in `accountId`, registered with the core so calls signed with them
 * resolve to the assumed role; the caller's own keys when the function has no role.
 */
export function functionCredentials(
  core: CloudCore,
  fn: FcFunction,
  accountId: string,
  caller: Principal,
  requestId: string,
): FcCredentials {
  if (fn.role === undefined) {
    return {
      accessKeyId: caller.accessKeyId,
      accessKeySecret: caller.accessKeySecret,
      securityToken: caller.securityToken ?? '',
    };
  }
  const wanted = roleName(fn.role, accountId).toLowerCase();
  const role = [...(core.accounts.get(accountId)?.roles.values() ?? [])].find((r) => r.name.toLowerCase() === wanted);
  if (!role) throw new FcRoleError(`role ${fn.role} does not exist in account ${accountId}`);
  const creds = {
    accessKeyId: `STS.${randomBytes(12).toString('hex')}`,
    accessKeySecret: randomBytes(24).toString('base64'),
    securityToken: `CAIS${randomBytes(48).toString('base64')}`,
  };
  core.issueTemporaryCredentials({
    ...creds,
    expiration: new Date(core.now().getTime() + ROLE_CREDENTIAL_SECONDS * 1000),
    accountId,
    roleName: role.name,
    sessionName: `fc-${requestId}`.slice(0, 64),
  });
  return creds;
}

/** A logger that keeps each line (`<level> <text>`) in `lines`. */
export function collectingLogger(lines: string[]): FcLogger {
  const at =
    (level: string) =>
    (...args: unknown[]): void => {
      lines.push(`${level} ${format(...args)}`);
    };
  return { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR'), log: at('INFO') };
}

/** Everything {@link buildFcContext} needs. */
export interface FcContextInput {
  readonly requestId: string;
  readonly functionName: string;
  readonly fn: FcFunction;
  readonly accountId: string;
  readonly region: string;
  readonly qualifier: string;
  readonly credentials: FcCredentials;
  readonly logLines: string[];
}

/** The `context` FC's Node.js runtime passes as the handler's second argument. */
export function buildFcContext(input: FcContextInput): FcContext {
  const { fn, credentials } = input;
  const environment: Record<string, string> = {
    ...fn.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: credentials.securityToken,
    FC_ACCOUNT_ID: input.accountId,
    FC_FUNCTION_NAME: input.functionName,
    FC_FUNCTION_HANDLER: fn.handlerName,
    FC_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    FC_REGION: input.region,
    FC_QUALIFIER: input.qualifier,
  };
  return {
    requestId: input.requestId,
    credentials,
    function: {
      name: input.functionName,
      handler: fn.handlerName,
      memory: fn.memorySize,
      timeout: fn.timeout,
      initializer: '',
    },
    service: { logProject: '', logStore: '', qualifier: input.qualifier, versionId: '' },
    region: input.region,
    accountId: input.accountId,
    tracing: {},
    logger: collectingLogger(input.logLines),
    environment,
  };
}
