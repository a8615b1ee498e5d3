// Non-INVITE server transaction, RFC 3261 §17.2.2.
//
//   Trying --1xx--> Proceeding --200-699--> Completed --Timer J--> Terminated
//   Trying --200-699--> Completed
import type { SipRequest, SipResponse } from '../message/message.js';
import { Transaction, type TransactionEnv } from './transaction.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export type NonInviteServerInput =
  | { type: 'request'; request: SipRequest }
  | { type: 'respond'; response: SipResponse }
  | { type: 'timer'; name: 'J' }
  | { type: 'transport_error' };

export class NonInviteServerTransaction extends Transaction<NonInviteServerState, NonInviteServerInput> {
  protected state: NonInviteServerState = 'trying';
  private lastResponse: SipResponse | undefined;

  constructor(
    readonly request: SipRequest,
    env: TransactionEnv,
    private readonly onTransportError?: () => void,
  ) {
    super(env);
  }

  get response(): SipResponse | undefined {
    return this.lastResponse;
  }

  handle(input: NonInviteServerInput): void {
    if (this.state === 'terminated') return;
    if (input.type === 'request') {
      // §17.2.2: in Trying retransmissions are discarded; in Proceeding and Completed the
      // most recent response is sent again.
      if (this.state !== 'trying' && this.lastResponse) this.env.send(this.lastResponse);
      return;
    }
    if (input.type === 'timer') {
      if (input.name === 'J' && this.state === 'completed') this.transition('terminated', ['completed']);
      return;
    }
    if (input.type === 'transport_error') {
      this.transition('terminated', ['trying', 'proceeding', 'completed']);
      this.onTransportError?.();
      return;
    }
    // A response from the TU.
    if (this.state === 'completed') return; // §17.2.2: further finals from the TU are discarded
    const res = input.response;
    this.lastResponse = res;
    this.env.send(res);
    if (res.status < 200) {
      if (this.state === 'trying') this.transition('proceeding', ['trying']);
      return;
    }
    this.transition('completed', ['trying', 'proceeding']);
    // §17.2.2: "Timer J to fire in 64*T1 seconds for unreliable transports, and zero
    // seconds for reliable transports."
    this.startTimer('J', this.env.reliable ? 0 : this.timeout64);
  }
}
