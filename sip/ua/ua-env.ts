// What a call session needs from the user agent around it: the stack's transaction
// layer and clock, our addresses, generators, limits, and the bookkeeping maps it
// must leave when it ends. Injected, so sessions never reach for globals.
import type { SipRequest, SipResponse } from '../message/message.js';
import type { DigestClientState } from '../auth/digest-client.js';
import type { BranchGenerator } from '../dialog/branch.js';
import type { DialogStore } from '../dialog/dialog-store.js';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { Peer, TransactionLayer } from '../transaction/transaction-layer.js';
import type { Clock, TimerValues } from '../transaction/timers.js';
import type { LocalAddress } from './local-address.js';

export interface UaLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Bounds on how long the user agent waits for the application and for peers. */
export interface SessionLimits {
  /**
   * An inbound INVITE the application has not answered (final response) in this time
   * gets 408 and the call ends. Default 300 s: longer than any ring group rings.
   */
  inviteTimeoutMs: number;
  /** An outbound INVITE with no final response in this time is cancelled. Default 180 s. */
  ringTimeoutMs: number;
  /** A re-INVITE, UPDATE or REFER the application has not answered in this time gets 500. Default 60 s. */
  pendingRequestMs: number;
  /** A REFER subscription with no final NOTIFY ends after this. Default 180 s. */
  referSubscriptionMs: number;
  /** REFER subscriptions per call in each direction. Default 8. */
  maxReferSubscriptions: number;
  /** Attempts of a re-INVITE answered 491 (RFC 3261 §14.1 waits between them). Default 3. */
  maxGlareAttempts: number;
}

export const DEFAULT_LIMITS: SessionLimits = {
  inviteTimeoutMs: 300_000,
  ringTimeoutMs: 180_000,
  pendingRequestMs: 60_000,
  referSubscriptionMs: 180_000,
  maxReferSubscriptions: 8,
  maxGlareAttempts: 3,
};

/** The sessions a user agent tracks, seen from one of them. */
export interface SessionRegistry {
  /** The session ended: forget it. */
  release(key: string): void;
  /** Call `onCancel` when a CANCEL matches this INVITE server transaction (§9.2). */
  watchCancel(tx: InviteServerTransaction, onCancel: () => void): void;
  unwatchCancel(tx: InviteServerTransaction): void;
}

export interface UaEnv {
  clock: Clock;
  timers: TimerValues;
  /** Uniform in [0, 1): the glare waits of §14.1. */
  random: () => number;
  newBranch: BranchGenerator;
  newTag: () => string;
  transactions: TransactionLayer;
  /** Sends outside any transaction (the ACK for a 2xx). */
  send(msg: SipRequest | SipResponse, to: Peer): void;
  dialogs: DialogStore;
  local(transport: string): LocalAddress;
  /** Nonce counts for answering challenges (RFC 7616 §3.4). */
  digest: DigestClientState;
  log: UaLogger;
  /** Allow header value of our INVITEs and 2xx responses (§13.2.1, §13.3.1.4). */
  allow: string;
  /** Supported header value, or '' for none. */
  supported: string;
  limits: SessionLimits;
  registry: SessionRegistry;
}
