// A UAS's 2xx to an INVITE, resent until the ACK comes (RFC 3261 §13.3.1.4). The
// server transaction hands this job to the TU (RFC 6026: it only passes the resends on
// while Accepted), so it lives here, next to the dialog it confirms.
//
//   sent ─T1─▶ resend ─2·T1─▶ resend ─4·T1─▶ ... ─T2─▶ resend ─T2─▶ ...   (until 64·T1)
//   ACK with the INVITE's CSeq at any point: stop.   64·T1 without one: onTimeout.
import type { SipRequest, SipResponse } from '../message/message.js';
import { DEFAULT_TIMERS, type Clock, type TimerHandle, type TimerValues } from '../transaction/timers.js';

export interface Invite2xxRetransmitterOptions {
  clock: Clock;
  timers?: TimerValues;
  /** The 2xx, already sent once. */
  response: SipResponse;
  /** Puts the 2xx on the wire again (through the Accepted transaction or the transport). */
  send(response: SipResponse): void;
  /**
   * 64*T1 passed with no ACK. §13.3.1.4: "If the server retransmits the 2xx response for
   * 64*T1 seconds without receiving an ACK, the dialog is confirmed, but the session
   * SHOULD be terminated. This is accomplished with a BYE".
   */
  onTimeout(): void;
}

export class Invite2xxRetransmitter {
  private readonly clock: Clock;
  private readonly timers: TimerValues;
  private readonly response: SipResponse;
  private readonly cseq: number;
  private readonly sendFn: (response: SipResponse) => void;
  private readonly timeoutFn: () => void;
  private interval: number;
  private resendTimer: TimerHandle | undefined;
  private giveUpTimer: TimerHandle | undefined;
  private sent = 0;
  private done = false;

  constructor(opts: Invite2xxRetransmitterOptions) {
    this.clock = opts.clock;
    this.timers = opts.timers ?? DEFAULT_TIMERS;
    this.response = opts.response;
    this.cseq = opts.response.cseq().seq;
    this.sendFn = opts.send;
    this.timeoutFn = opts.onTimeout;
    this.interval = this.timers.T1;
  }

  /** Retransmissions so far (the first transmission is not one). */
  get retransmissions(): number {
    return this.sent;
  }

  get running(): boolean {
    return !this.done && this.giveUpTimer !== undefined;
  }

  /**
   * Starts the schedule. §13.3.1.4: "The 2xx response is passed to the transport with an
   * interval that starts at T1 seconds and doubles for each retransmission until it
   * reaches T2 seconds". Reliable transports too: "This is independent of whatever
   * transport protocols are used to send the response."
   */
  start(): void {
    if (this.done || this.giveUpTimer !== undefined) return;
    this.resendTimer = this.clock.setTimer(this.interval, this.resend);
    this.giveUpTimer = this.clock.setTimer(64 * this.timers.T1, this.giveUp);
  }

  /**
   * Offers an ACK; returns true when it acknowledges this 2xx (its CSeq number is the
   * INVITE's) and the resending stopped. §13.3.1.4: "Response retransmissions cease when
   * an ACK request for the response is received."
   */
  receiveAck(ack: SipRequest): boolean {
    if (this.done || ack.method !== 'ACK' || ack.cseq().seq !== this.cseq) return false;
    this.stop();
    return true;
  }

  /** Stops without waiting for the ACK (the call ended). */
  stop(): void {
    this.done = true;
    this.resendTimer?.cancel();
    this.giveUpTimer?.cancel();
    this.resendTimer = undefined;
  }

  // Bound once: the schedule creates no closure per retransmission.
  private readonly resend = (): void => {
    if (this.done) return;
    this.sent++;
    this.sendFn(this.response);
    this.interval = Math.min(2 * this.interval, this.timers.T2);
    this.resendTimer = this.clock.setTimer(this.interval, this.resend);
  };

  private readonly giveUp = (): void => {
    if (this.done) return;
    this.stop();
    this.timeoutFn();
  };
}
