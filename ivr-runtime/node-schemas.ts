// What each kind of IVR node carries in its `data` (camelCase, as the dashboard's
// XYFlow canvas produces it) and which edges may leave it. Unknown keys in `data`
// (labels, colours the canvas keeps) are accepted and ignored.
import { z } from 'zod';

/** A code for a rule zod cannot name itself; the validator reports it instead of "custom". */
function issue(ctx: z.RefinementCtx, code: string, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, params: { code } });
}

export const DTMF_KEYS = '0123456789*#';
const dtmfKey = z.string().regex(/^[0-9*#]$/, 'must be one DTMF key: 0-9, * or #');

/** BCP-47 as TTS engines take it: a 2-3 letter language and optional subtags ("en-US", "zh-Hant-TW"). */
const language = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP-47 language tag such as "en-US"')
  .max(35);

const spoken = z.string().trim().min(1).max(2000);

/** E.164: "+" and 7-15 digits, the first not 0 (spec §1). */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** An on-net extension: the digits a softphone registered under (sip_credentials.extension). */
export const EXTENSION = /^\d{2,10}$/;

const menuOption = z.looseObject({
  key: dtmfKey,
  label: z.string().max(200).optional(),
});

const menu = z.looseObject({
  ttsText: spoken.describe('The spoken menu prompt'),
  language: language.default('en-US'),
  timeout: z.number().int().min(1).max(60).default(5).describe('Seconds to wait for a key after the prompt'),
  menuOptions: z
    .array(menuOption)
    .min(1)
    .max(12)
    .superRefine((options, ctx) => {
      const seen = new Set<string>();
      options.forEach((o, i) => {
        if (seen.has(o.key)) issue(ctx, 'menu_option_duplicate_key', `key "${o.key}" is used by an earlier option`, [i, 'key']);
        seen.add(o.key);
      });
    }),
  maxRetries: z.number().int().min(0).max(10).default(3).describe('Replays after no key or a wrong key'),
});

const transferTo = z.string().superRefine((v, ctx) => {
  // Spec §4: outbound voice must leave through our own trunks, never to a free-form SIP URI.
  if (/^sips?:/i.test(v)) {
    issue(ctx, 'transfer_external_sip', 'transfers to sip:/sips: URIs are not allowed; use an E.164 number or an extension');
  } else if (!E164.test(v) && !EXTENSION.test(v)) {
    issue(ctx, 'invalid_transfer_target', 'must be an E.164 number (+ and 7-15 digits) or an extension (2-10 digits)');
  }
});

const transfer = z.looseObject({ transferTo, language: language.optional() });

const voicemail = z.looseObject({
  greeting: spoken.optional(),
  voicemailBoxId: z.string().regex(/^vmail_[0-9a-z]+$/, 'must be a vmail_ id').optional(),
  language: language.optional(),
});

const ringGroup = z.looseObject({
  ringGroupId: z.string().regex(/^rg_[0-9a-z]+$/, 'must be an rg_ id'),
  language: language.optional(),
});

const hangup = z.looseObject({ message: spoken.optional(), language: language.optional() });
const end = z.looseObject({});
const ivrStart = z.looseObject({});
const dialByName = z.looseObject({ prompt: spoken.optional(), language: language.optional() });
const offerCallback = z.looseObject({
  prompt: spoken.optional(),
  confirmKey: dtmfKey.default('1'),
  agentId: z.string().regex(/^agt_[0-9a-z]+$/, 'must be an agt_ id').optional().describe('The agent rung first when the callback is placed'),
  language: language.optional(),
});

export const NODE_DATA = {
  ivrStart,
  menu,
  transfer,
  voicemail,
  ringGroup,
  hangup,
  end,
  dialByName,
  offerCallback,
} as const;

export type NodeType = keyof typeof NODE_DATA;
export type NodeData = { [K in NodeType]: z.output<(typeof NODE_DATA)[K]> };
export type MenuData = NodeData['menu'];

export const NODE_TYPES = Object.keys(NODE_DATA) as NodeType[];

export function isNodeType(t: unknown): t is NodeType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(NODE_DATA, t);
}

/** Reaching one of these ends the flow's part of the call (spec §4). */
export const EXIT_TYPES: ReadonlySet<NodeType> = new Set([
  'end',
  'hangup',
  'transfer',
  'voicemail',
  'ringGroup',
  'dialByName',
  'offerCallback',
]);

/** Taken when the connection a node attempts fails (busy, no answer, no match, declined). */
export const FAILURE_HANDLE = 'failure';
/** Taken from a menu once its retries are used up. */
export const FALLBACK_HANDLE = 'fallback';

/** Node types whose outgoing edge (at most one) is their failure branch. */
export const FAILURE_TYPES: ReadonlySet<NodeType> = new Set(['transfer', 'ringGroup', 'dialByName', 'offerCallback']);
/** Node types no edge may leave: the call is over (or in a mailbox) when they finish. */
export const TERMINAL_TYPES: ReadonlySet<NodeType> = new Set(['end', 'hangup', 'voicemail']);
