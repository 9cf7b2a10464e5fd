import { eventsOfInvocation } from '../../shared/domain/ram-change-event.js';
import { eventText } from '../../shared/fc/envelopes.js';
import { fcHandler } from '../../shared/fc/handler.js';
import { reconcileChangedRoles } from '../../shared/usecases/ram-change-run.js';

/** The events of the EventBridge trigger's payload; a body that is not JSON is one malformed event. */
function payloadOf(event: Buffer): readonly unknown[] {
  try {
    return eventsOfInvocation(JSON.parse(eventText(event)));
  } catch {
    return [undefined];
  }
}

/**
 * EventBridge trigger (ActionTrail RAM change events routed from the owner accounts): reconcile the managed roles
 * the events name, at once, as the timer run reconciles a role. An event is only a hint; the role is read live.
 */
export const handler = fcHandler('drift-event', async (event, { services, logger }) => {
  const result = await reconcileChangedRoles(services, payloadOf(event), logger);
  return {
    correlationId: result.correlationId,
    events: result.events,
    ignored: result.ignored,
    unmanaged: result.unmanaged.length,
    reconciled: (result.run?.results ?? []).map((r) => ({ role: r.role, outcome: r.outcome })),
    apiCalls: result.run?.apiCalls ?? { ram: 0, assumeRole: 0 },
    ...(result.audit ? { audit: { delivered: result.audit.delivered, pending: result.audit.pending } } : {}),
  };
});
