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
  /**
   * The last response as bytes: a Completed transaction lives 64*T1 on UDP only to
   * answer retransmissions, so it keeps what it resends and lets the parsed request
   * and response go (at thousands of REGISTERs a second, that is most of the heap).
   */
  private lastWire: Buffer | undefined;
  private status = 0;
  private req: SipRequest | undefined;

  constructor(
    request: SipRequest,
    env: TransactionEnv,
    private readonly onTransportError?: () => void,
  ) {
    super(env);
    this.req = request;
  }

  /** The request; gone once the final response is sent (nothing may answer it then). */
  get request(): SipRequest {
    if (!this.req) throw new Error('the transaction has answered its request already');
    return this.req;
  }

  /** Status of the last response sent; 0 before any. */
  get lastStatus(): number {
    return this.status;
  }

  handle(input: NonInviteServerInput): void {
    if (this.state === 'terminated') return;
    if (input.type === 'request') {
      // §17.2.2: in Trying retransmissions are discarded; in Proceeding and Completed the
      // most recent response is sent again.
      if (this.state !== 'trying' && this.lastWire) this.env.sendBytes(this.lastWire);
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
    this.status = res.status;
    this.lastWire = this.env.encode(res);
    this.env.sendBytes(this.lastWire);
    if (res.status < 200) {
      if (this.state === 'trying') this.transition('proceeding', ['trying']);
      return;
    }
    this.transition('completed', ['trying', 'proceeding']);
    this.req = undefined;
    if (!this.env.reliable && this.env.retire) {
      // The layer absorbs retransmissions for the 64*T1 of Completed from here on.
      this.env.retire(this.lastWire);
      this.transition('terminated', ['completed']);
      return;
    }
    // §17.2.2: "Timer J to fire in 64*T1 seconds for unreliable transports, and zero
    // seconds for reliable transports."
    this.startTimer('J', this.env.reliable ? 0 : this.timeout64);
  }
}
