// The body of every webhook request. It is serialised once, when the event is queued,
// and those exact bytes are sent and signed on every attempt.

/** Event types of the spec (§13); more are added as their features land. */
export const CALL_EVENT_TYPES = [
  'call.initiating',
  'call.ringing',
  'call.in_progress',
  'call.completed',
  'call.failed',
  'call.busy',
  'call.no_answer',
  'call.cancelled',
] as const;

export const TEST_EVENT_TYPE = 'webhook.test';

export interface WebhookEventBody {
  id: string;
  type: string;
  created_at: string;
  tenant_id: string;
  data: unknown;
}

export function eventBody(id: string, type: string, createdAt: Date, tenantId: string, data: unknown): string {
  const body: WebhookEventBody = { id, type, created_at: createdAt.toISOString(), tenant_id: tenantId, data };
  return JSON.stringify(body);
}
