// Request bodies of POST /calls and of every per-call operation (spec §2), so that
// the handlers (written with the B2BUA) only map a parsed body onto CallControl
// (voice/calls/call-control.ts). Unknown fields are ignored, as the seed says.
import { z } from 'zod';
import { timeZoneProblem } from '../../../voice/config/calendars.js';
import { e164 } from './common.js';

const extensionId = z.string().regex(/^ext_[0-9a-z]+$/, 'must be an ext_ id');
const agentId = z.string().max(64).regex(/^agt_[0-9a-z]+$/, 'must be an agt_ id');
/** An extension's short number, as sip-credentials define it. */
const extensionNumber = z.string().regex(/^[0-9]{2,10}$/);

/** Where a call, transfer or supervisor leg goes: a phone number, an agent or an extension. */
export const callDestination = z
  .string()
  .max(64)
  .refine(
    (s) => e164.safeParse(s).success || agentId.safeParse(s).success || extensionId.safeParse(s).success,
    'must be an E.164 number, an agt_ id or an ext_ id',
  );

/** POST /calls `to`: a phone number, or an extension (by its number or ext_ id). */
const placeTo = z
  .string()
  .max(64)
  .refine(
    (s) => e164.safeParse(s).success || extensionId.safeParse(s).success || extensionNumber.safeParse(s).success,
    'must be an E.164 number, an extension number or an ext_ id',
  );

const timezone = z
  .string()
  .max(64)
  .superRefine((s, ctx) => {
    const problem = timeZoneProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('IANA time zone of the callee for the TCPA quiet-hours check (21:00-08:00 local is refused)');

/** Arbitrary key-value pairs; bounded so a call row stays small. */
export const callMetadata = z
  .record(z.string().max(64), z.unknown())
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
  .refine((m) => JSON.stringify(m).length <= 16_384, 'at most 16 KB as JSON')
  .describe('Arbitrary key-value pairs attached to the call (≤ 50 keys, ≤ 16 KB)');

export const placeCallBody = z.object({
  to: placeTo.describe('Destination: E.164, or an extension (number or ext_ id)'),
  from: e164.optional().describe("Caller id; one of the tenant's numbers. Default: the tenant's default number"),
  direction: z.enum(['outbound', 'inbound']).default('outbound'),
  agent_id: agentId.optional().describe('Agent handling the call; must exist and not be archived'),
  record: z.boolean().default(false),
  amd: z.boolean().default(false).describe('Answering machine detection'),
  campaign_id: z.string().trim().min(1).max(128).optional().describe('Recorded on the call for attribution'),
  timezone: timezone.optional(),
  metadata: callMetadata.default({}),
});
export type PlaceCallBody = z.infer<typeof placeCallBody>;

/** hangup, accept, decline, mute, unmute, hold, unhold, warm-transfer/complete and /cancel, recording/stop, unlisten. */
export const emptyBody = z.object({});

export const dtmfBody = z.object({
  digits: z
    .string()
    .min(1)
    .max(64)
    .transform((s) => s.toUpperCase())
    .pipe(z.string().regex(/^[0-9*#A-D]+$/, 'only 0-9, *, # and A-D'))
    .describe('Digits to send: 0-9, *, #, A-D; 100 ms tone, 100 ms gap'),
});

export const transferBody = z.object({
  to: callDestination.describe('E.164 number, agt_ id or ext_ id'),
  caller_id: e164.optional().describe("From presented to the destination; default: the original caller's number"),
});

export const warmTransferBody = z.object({
  to: callDestination.describe('Destination of the consult leg'),
  whisper_message: z.string().trim().min(1).max(1000).optional().describe('Spoken to the consult party before audio bridges'),
});

export const recordingStartBody = z.object({
  dual_channel: z.boolean().default(false).describe('Caller left, agent right; one mixed channel when false'),
  trim: z.boolean().default(false).describe('Trim leading and trailing silence from the saved file'),
});

/** listen, whisper, barge. */
export const supervisorBody = z.object({
  to: callDestination.optional().describe('Where the supervisor is reached: E.164, agt_ id or ext_ id'),
});
