/**
 * What every control-plane call of the local EventBridge (buses.ts, rules.ts) does before its own work, as
 * `@alicloud/eventbridge` speaks them: `POST /openapi/<call>` with a JSON body, signed like PutEvents, the action
 * named by the path; the body read with the call's zod schema (`InvalidArgument` naming the field), then the
 * caller's permission for `eventbridge:<Action>` on the call's resource (`AccessDenied`). Answers are PascalCase
 * (`RequestId`, `ResourceOwnerAccountId`, ...), which the SDK's models read.
 */
import type { z } from 'zod';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../../contract.js';
import {
  authenticateEventBridge,
  EventBridgeErrorCode,
  eventBridgeErrorReply,
  eventBridgeHeader,
  eventBridgeJson,
  eventBridgeOptions,
  eventBridgeRequestId,
  isEventBridgeReply,
} from './service.js';
import { parseEventBridgeAuthorization } from './signature.js';
import { EVENTBRIDGE_SERVICE } from './store.js';

/** One authorized call, its body read, as a control-plane module's `act` gets it. */
export interface ControlPlaneCall<A extends string> {
  readonly action: A;
  /** The body as the action's schema read it. */
  readonly body: unknown;
  readonly core: CloudCore;
  readonly principal: Principal;
  readonly accountId: string;
  readonly region: string;
  /** The resource the permission was checked on. */
  readonly arn: string;
  /** A 200 answer with `RequestId`, `ResourceOwnerAccountId` and `fields`. */
  ok(fields?: Record<string, unknown>): CloudReply;
}

/** A control-plane module: its calls by path, each call's body schema, the resource it acts on, and its work. */
export interface ControlPlaneSpec<A extends string> {
  readonly name: string;
  readonly paths: Readonly<Record<string, A>>;
  readonly bodies: { readonly [K in A]: z.ZodTypeAny };
  /** The ARN `eventbridge:<Action>` is checked on. */
  readonly resource: (region: string, accountId: string, body: unknown) => string;
  readonly act: (call: ControlPlaneCall<A>) => CloudReply | Promise<CloudReply>;
  /** How a body problem reads in the `InvalidArgument` answer (default: `<field>: <message>`). */
  readonly issueMessage?: (issue: z.ZodIssue) => string;
}

const fieldAndMessage = (issue: z.ZodIssue) => `${issue.path.join('.') || 'body'}: ${issue.message}`;

function readBody(call: CloudCall): unknown {
  try {
    return JSON.parse(call.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The service module of one control plane (see the module's description). */
export function eventBridgeControlPlane<A extends string>(spec: ControlPlaneSpec<A>): ServiceModule {
  const actionOf = (call: CloudCall): A | undefined => spec.paths[call.url.pathname];
  const issueMessage = spec.issueMessage ?? fieldAndMessage;

  async function handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
    const action = actionOf(call);
    if (call.method !== 'POST' || !action) {
      return eventBridgeErrorReply(405, EventBridgeErrorCode.InvalidArgument, `${call.method} ${call.url.pathname}`);
    }
    const principal = authenticateEventBridge(call, core);
    if (isEventBridgeReply(principal)) return principal;
    const parsed = spec.bodies[action].safeParse(readBody(call));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return eventBridgeErrorReply(
        400,
        EventBridgeErrorCode.InvalidArgument,
        issue ? issueMessage(issue) : 'invalid body',
      );
    }
    const accountId = principal.accountId;
    const region = eventBridgeHeader(call, 'x-eventbridge-regionid') ?? eventBridgeOptions(core).region;
    const arn = spec.resource(region, accountId, parsed.data);
    if (!core.isAllowed(principal, `eventbridge:${action}`, arn)) {
      return eventBridgeErrorReply(403, EventBridgeErrorCode.AccessDenied, `Not authorized to ${action} on ${arn}.`);
    }
    const id = eventBridgeRequestId();
    return spec.act({
      action,
      body: parsed.data,
      core,
      principal,
      accountId,
      region,
      arn,
      ok: (fields = {}) => eventBridgeJson(200, { RequestId: id, ResourceOwnerAccountId: accountId, ...fields }, id),
    });
  }

  return {
    name: spec.name,
    accepts: (call) => actionOf(call) !== undefined,
    identify(call: CloudCall, core: CloudCore): CallIdentity {
      const auth = parseEventBridgeAuthorization(eventBridgeHeader(call, 'authorization'));
      const accountId = auth ? core.resolveAccessKey(auth.accessKeyId)?.accountId : undefined;
      return {
        service: EVENTBRIDGE_SERVICE,
        action: actionOf(call) ?? 'Unknown',
        ...(accountId ? { accountId } : {}),
        ...(auth ? { accessKeyId: auth.accessKeyId } : {}),
      };
    },
    handle,
    faultReply: (fault) => eventBridgeErrorReply(fault.status, fault.code, fault.message),
  };
}
