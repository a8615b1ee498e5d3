// INVITE server transaction, RFC 3261 §17.2.1 with RFC 6026's Accepted state.
//
//   Proceeding --2xx--> Accepted --Timer L--> Terminated
//   Proceeding --300-699--> Completed --ACK--> Confirmed --Timer I--> Terminated
//                           Completed --Timer H--> Terminated (ACK never came)
import type { SipRequest, SipResponse } from '../message/message.js';
import { Transaction, type TransactionEnv } from './transaction.js';

export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export type InviteServerInput =
  | { type: 'request'; request: SipRequest }
  | { type: 'respond'; response: SipResponse }
  | { type: 'timer'; name: 'G' | 'H' | 'I' | 'L' }
  | { type: 'transport_error' };

export interface InviteServerCallbacks {
  /** An ACK for a non-2xx final arrived (the TU may want to know); optional. */
  onAck?(ack: SipRequest): void;
  /** Timer H fired: the ACK never arrived. */
  onTimeout?(): void;
  onTransportError?(): void;
}

export class InviteServerTransaction extends Transaction<InviteServerState, InviteServerInput> {
  protected state: InviteServerState = 'proceeding';
  private lastResponse: SipResponse | undefined;
  private gInterval: number;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
    private readonly cb: InviteServerCallbacks = {},
  ) {
    super(env);
    this.gInterval = env.timers.T1;
  }

  /** The final or provisional response sent last, if any. */
  get response(): SipResponse | undefined {
    return this.lastResponse;
  }

  /** Status of the last response sent; 0 before any. */
  get lastStatus(): number {
    return this.lastResponse?.status ?? 0;
  }

  handle(input: InviteServerInput): void {
    switch (this.state) {
      case 'proceeding':
        return this.inProceeding(input);
      case 'accepted':
        return this.inAccepted(input);
      case 'completed':
        return this.inCompleted(input);
      case 'confirmed':
        if (input.type === 'timer' && input.name === 'I') this.transition('terminated', ['confirmed']);
        // §17.2.1: "any ACKs that are received are absorbed" in Confirmed.
        return;
      case 'terminated':
        return;
    }
  }

  private inProceeding(input: InviteServerInput): void {
    if (input.type === 'request') {
      // §17.2.1: "If a request retransmission is received while in the Proceeding state,
      // the most recent provisional response that was received from the TU MUST be passed
      // to the transport layer for retransmission."
      if (input.request.method === 'INVITE' && this.lastResponse) this.env.send(this.lastResponse);
      return;
    }
    if (input.type === 'transport_error') return this.failTransport();
    if (input.type !== 'respond') return;
    const res = input.response;
    this.lastResponse = res;
    this.env.send(res);
    if (res.status < 200) return;
    if (res.status < 300) {
      // RFC 6026 §8.5: on a 2xx "the server transaction MUST transition to the Accepted
      // state" and start Timer L; the TU retransmits the 2xx itself until the ACK.
      this.transition('accepted', ['proceeding']);
      this.startTimer('L', this.timeout64);
      return;
    }
    this.transition('completed', ['proceeding']);
    // §17.2.1: "For unreliable transports, timer G is set to fire in T1 seconds", and
    // "timer H MUST be set to fire in 64*T1 seconds" for all transports.
    if (!this.env.reliable) this.startTimer('G', this.gInterval);
    this.startTimer('H', this.timeout64);
  }

  private inAccepted(input: InviteServerInput): void {
    if (input.type === 'respond' && input.response.status >= 200 && input.response.status < 300) {
      // RFC 6026 §8.7: 2xx retransmissions from the TU are passed to the transport.
      this.lastResponse = input.response;
      this.env.send(input.response);
      return;
    }
    if (input.type === 'timer' && input.name === 'L') this.transition('terminated', ['accepted']);
    // INVITE retransmissions are absorbed; ACKs for the 2xx are not this transaction's
    // (the layer hands them to the dialog).
  }

  private inCompleted(input: InviteServerInput): void {
    if (input.type === 'request') {
      if (input.request.method === 'INVITE') {
        // §17.2.1: retransmitted INVITE in Completed: send the final response again.
        this.env.send(this.lastResponse!);
      } else if (input.request.method === 'ACK') {
        this.transition('confirmed', ['completed']);
        this.stopTimer('G');
        this.stopTimer('H');
        // §17.2.1: "timer I is set to fire in T4 seconds for unreliable transports, and
        // zero seconds for reliable transports."
        this.startTimer('I', this.env.reliable ? 0 : this.env.timers.T4);
        this.cb.onAck?.(input.request);
      }
      return;
    }
    if (input.type === 'timer' && input.name === 'G') {
      this.env.send(this.lastResponse!);
      this.gInterval = Math.min(2 * this.gInterval, this.env.timers.T2);
      this.startTimer('G', this.gInterval);
      return;
    }
    if (input.type === 'timer' && input.name === 'H') {
      this.transition('terminated', ['completed']);
      this.cb.onTimeout?.();
      return;
    }
    if (input.type === 'transport_error') this.failTransport();
  }

  private failTransport(): void {
    this.transition('terminated', ['proceeding', 'completed']);
    this.cb.onTransportError?.();
  }
}
