// Non-INVITE client transaction, RFC 3261 §17.1.2.
//
//   Trying --1xx--> Proceeding --200-699--> Completed --Timer K--> Terminated
//   Trying/Proceeding --Timer F--> Terminated (timeout)
import type { SipRequest, SipResponse } from '../message/message.js';
import { Transaction, type TransactionEnv } from './transaction.js';
import type { ClientCallbacks } from './invite-client-transaction.js';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export type NonInviteClientInput =
  | { type: 'response'; response: SipResponse }
  | { type: 'timer'; name: 'E' | 'F' | 'K' }
  | { type: 'transport_error' };

export class NonInviteClientTransaction extends Transaction<NonInviteClientState, NonInviteClientInput> {
  protected state: NonInviteClientState = 'trying';
  private eInterval: number;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
    private readonly cb: ClientCallbacks,
  ) {
    super(env);
    this.eInterval = env.timers.T1;
  }

  start(): void {
    this.env.send(this.request);
    if (!this.env.reliable) this.startTimer('E', this.eInterval);
    this.startTimer('F', this.timeout64);
  }

  handle(input: NonInviteClientInput): void {
    if (this.state === 'terminated') return;
    if (input.type === 'timer') {
      if (input.name === 'E' && (this.state === 'trying' || this.state === 'proceeding')) {
        this.env.send(this.request);
        // §17.1.2.2: in Trying the interval doubles up to T2; in Proceeding it is T2.
        this.eInterval = this.state === 'trying' ? Math.min(2 * this.eInterval, this.env.timers.T2) : this.env.timers.T2;
        this.startTimer('E', this.eInterval);
      } else if (input.name === 'F' && (this.state === 'trying' || this.state === 'proceeding')) {
        this.transition('terminated', ['trying', 'proceeding']);
        this.cb.onTimeout();
      } else if (input.name === 'K' && this.state === 'completed') {
        this.transition('terminated', ['completed']);
      }
      return;
    }
    if (input.type === 'transport_error') {
      if (this.state === 'completed') return;
      this.transition('terminated', ['trying', 'proceeding']);
      this.cb.onTransportError();
      return;
    }
    const res = input.response;
    if (this.state === 'completed') return; // retransmitted finals are absorbed
    if (res.status < 200) {
      if (this.state === 'trying') this.transition('proceeding', ['trying']);
      this.cb.onResponse(res);
      return;
    }
    this.stopTimer('E');
    this.stopTimer('F');
    this.transition('completed', ['trying', 'proceeding']);
    // §17.1.2.2: Timer K is T4 for unreliable transports, zero for reliable ones.
    this.startTimer('K', this.env.reliable ? 0 : this.env.timers.T4);
    this.cb.onResponse(res);
  }
}
