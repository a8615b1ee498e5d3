// INVITE client transaction, RFC 3261 §17.1.1 with RFC 6026's Accepted state.
//
//   Calling --1xx--> Proceeding --2xx--> Accepted --Timer M--> Terminated
//   Calling/Proceeding --300-699--> Completed (ACK sent) --Timer D--> Terminated
//   Calling --Timer B--> Terminated (timeout)
import type { SipRequest, SipResponse } from '../message/message.js';
import { SipRequest as Request } from '../message/message.js';
import { Transaction, type TransactionEnv } from './transaction.js';

export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

export type InviteClientInput =
  | { type: 'response'; response: SipResponse }
  | { type: 'timer'; name: 'A' | 'B' | 'D' | 'M' }
  | { type: 'transport_error' };

export interface ClientCallbacks {
  onResponse(res: SipResponse): void;
  /** Timer B or F: no final response in 64*T1. */
  onTimeout(): void;
  onTransportError(): void;
}

/**
 * The ACK for a non-2xx final (§17.1.1.3): same Request-URI, Call-ID, From, top Via
 * and CSeq number as the INVITE, To from the response, Route from the INVITE.
 */
export function ackForFailure(invite: SipRequest, res: SipResponse): SipRequest {
  const ack = new Request('ACK', invite.uri);
  const via = invite.getAll('via')[0];
  if (via) ack.append('Via', via);
  ack.append('Max-Forwards', '70');
  ack.append('From', invite.get('from')!);
  ack.append('To', res.get('to')!);
  ack.append('Call-ID', invite.get('call-id')!);
  ack.append('CSeq', `${invite.cseq().seq} ACK`);
  for (const r of invite.getAll('route')) ack.append('Route', r);
  return ack;
}

export class InviteClientTransaction extends Transaction<InviteClientState, InviteClientInput> {
  protected state: InviteClientState = 'calling';
  private aInterval: number;
  private ack: SipRequest | undefined;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
    private readonly cb: ClientCallbacks,
  ) {
    super(env);
    this.aInterval = env.timers.T1;
  }

  /** Sends the INVITE and starts Timers A (unreliable transports) and B. */
  start(): void {
    this.env.send(this.request);
    if (!this.env.reliable) this.startTimer('A', this.aInterval);
    this.startTimer('B', this.timeout64);
  }

  handle(input: InviteClientInput): void {
    switch (input.type) {
      case 'timer':
        return this.onTimer(input.name);
      case 'transport_error':
        if (this.state === 'calling' || this.state === 'proceeding') {
          this.transition('terminated', ['calling', 'proceeding']);
          this.cb.onTransportError();
        }
        return;
      case 'response':
        return this.onResponse(input.response);
    }
  }

  private onTimer(name: 'A' | 'B' | 'D' | 'M'): void {
    if (name === 'A' && this.state === 'calling') {
      // §17.1.1.2: retransmit and double the interval (no T2 cap for INVITE).
      this.env.send(this.request);
      this.aInterval *= 2;
      this.startTimer('A', this.aInterval);
    } else if (name === 'B' && this.state === 'calling') {
      this.transition('terminated', ['calling']);
      this.cb.onTimeout();
    } else if (name === 'D' && this.state === 'completed') {
      this.transition('terminated', ['completed']);
    } else if (name === 'M' && this.state === 'accepted') {
      this.transition('terminated', ['accepted']);
    }
  }

  private onResponse(res: SipResponse): void {
    const s = res.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.stopTimer('A');
        if (s < 200) {
          if (this.state === 'calling') {
            // §17.1.1.2: Timer B guards the Calling state only; once a provisional came,
            // how long to ring is the TU's decision (it CANCELs).
            this.stopTimer('B');
            this.transition('proceeding', ['calling']);
          }
          this.cb.onResponse(res);
        } else if (s < 300) {
          this.stopTimer('B');
          this.transition('accepted', [this.state]);
          // RFC 6026 §8.4: Timer M (64*T1) keeps absorbing forked 2xx for the TU.
          this.startTimer('M', this.timeout64);
          this.cb.onResponse(res);
        } else {
          this.stopTimer('B');
          this.transition('completed', [this.state]);
          this.ack = ackForFailure(this.request, res);
          this.env.send(this.ack);
          // §17.1.1.2: Timer D at least 32 s for unreliable transports, zero for reliable.
          this.startTimer('D', this.env.reliable ? 0 : 32_000);
          this.cb.onResponse(res);
        }
        return;
      case 'accepted':
        // RFC 6026 §8.4: further 2xx (other forks) go to the TU; others are discarded.
        if (s >= 200 && s < 300) this.cb.onResponse(res);
        return;
      case 'completed':
        // §17.1.1.2: a retransmitted final makes us resend the ACK, not tell the TU.
        if (s >= 300 && this.ack) this.env.send(this.ack);
        return;
      case 'terminated':
        return;
    }
  }
}
