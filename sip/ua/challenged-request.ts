// A request of a call session sent in its own client transaction, with a carrier's
// digest challenge (401/407) answered once (RFC 3261 §22.2), and the outcome folded
// into one final response: the peer's, or a local 408 (Timer B/F) or 503 (transport).
import { answerChallenge, type DigestAnswer, type DigestClientCredentials } from '../auth/digest-client.js';
import type { Dialog } from '../dialog/dialog.js';
import { SipRequest, type HeaderField, type SipResponse } from '../message/message.js';
import type { Peer } from '../transaction/transaction-layer.js';
import { localResponse } from './session-messages.js';
import type { TxHandlers } from './session-types.js';
import type { UaEnv } from './ua-env.js';

/** What of a session the sending needs; read at each attempt (the peer may change). */
export interface TransmitContext {
  readonly env: UaEnv;
  readonly peer: Peer;
  readonly credentials: DigestClientCredentials | undefined;
  readonly dialog: Dialog | undefined;
  readonly callId: string;
}

export function transmitChallenged(ctx: TransmitContext, req: SipRequest, h: TxHandlers): void {
  let authTried = false;
  let done = false;
  const finish = (res: SipResponse, local = false): void => {
    if (done) return;
    done = true;
    h.onFinal(res, local);
  };
  const attempt = (r: SipRequest): void => {
    ctx.env.transactions.request(r, ctx.peer, {
      onResponse: (res) => {
        if (res.status < 200) {
          if (!done) h.onProvisional?.(res);
          return;
        }
        if (done) {
          if (res.status < 300) h.onExtra2xx?.(res);
          return;
        }
        // RFC 7616 §3.3: a second challenge after our answer means the credentials are
        // wrong (or stale, which we do not chase); it is the final answer then.
        if ((res.status === 401 || res.status === 407) && !authTried && ctx.credentials && (h.mayRetry?.() ?? true)) {
          const answers = answerChallenge(res, r, ctx.credentials, ctx.env.digest);
          if (answers.length > 0) {
            authTried = true;
            const again = withCredentials(ctx, r, answers);
            h.onResend?.(again);
            attempt(again);
            return;
          }
        }
        finish(res);
      },
      onTimeout: () => finish(localResponse(r, 408), true),
      onTransportError: () => finish(localResponse(r, 503), true),
    });
  };
  try {
    attempt(req);
  } catch (err) {
    ctx.env.log.warn({ callId: ctx.callId, err: (err as Error).message }, 'sip request not sent');
    finish(localResponse(req, 503), true);
  }
}

/**
 * The request again with credentials: a new branch and the next CSeq (§22.2: the UAC
 * "MUST increment the CSeq header field value as it would normally when sending an
 * updated request"), earlier credentials of the same kind replaced. The dialog's local
 * CSeq follows, so later requests keep counting up.
 */
function withCredentials(ctx: TransmitContext, req: SipRequest, answers: DigestAnswer[]): SipRequest {
  const d = ctx.dialog;
  let seq = req.cseq().seq + 1;
  if (d && d.localSeq !== undefined && d.localSeq >= seq) seq = d.localSeq + 1;
  if (d) d.localSeq = seq;
  const kinds = new Set(answers.map((a) => a.header.toLowerCase()));
  const sentBy = ctx.env.local(ctx.peer.transport).sentBy;
  const port = sentBy.port !== undefined ? `:${sentBy.port}` : '';
  const headers: HeaderField[] = [];
  let via = false;
  for (const h of req.headers) {
    if (h.key === 'via') {
      if (via) continue;
      via = true;
      headers.push({ name: 'Via', key: 'via', value: `SIP/2.0/${sentBy.transport} ${sentBy.host}${port};branch=${ctx.env.newBranch()};rport` });
    } else if (h.key === 'cseq') headers.push({ name: 'CSeq', key: 'cseq', value: `${seq} ${req.method}` });
    else if (!kinds.has(h.key)) headers.push({ ...h });
  }
  const out = new SipRequest(req.method, req.uri, headers, req.body);
  for (const a of answers) out.append(a.header, a.value);
  return out;
}
