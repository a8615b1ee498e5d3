// What a dialog needs from the user agent around it: how to name new transactions
// and where we are, injected so tests see predictable wire text.
import type { BranchGenerator } from './branch.js';

/** Our address as written in the Via of requests we send (§18.1.1 "sent-by"). */
export interface SentBy {
  /** UDP, TCP, TLS, WS, WSS. */
  transport: string;
  /** Host name or IP address; an IPv6 address in brackets. */
  host: string;
  port?: number;
}

export interface DialogEnv {
  /** A fresh branch per request; "z9hG4bK" is prepended when missing. */
  newBranch: BranchGenerator;
  sentBy: SentBy;
  /** First local CSeq when the dialog has none yet (a UAS's first request). Default 1. */
  initialCseq?: () => number;
  /** Put `;rport` in our Via (RFC 3581 §3). Default true. */
  rport?: boolean;
  /**
   * Our Contact header field value for requests in this dialog. Default: the Contact of
   * the dialog-creating message we sent (the request as UAC, the response as UAS).
   */
  contact?: string;
}
