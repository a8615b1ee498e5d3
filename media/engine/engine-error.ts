// The one error type the media engine's commands reject with. `code` is what the control plane
// switches on; `sipStatus` is set when the failure is the remote SDP's fault, so the SIP side can
// answer the (re-)INVITE with it (488 for SDP we refuse, 400 for SDP we cannot read).
//
// Errors cross the worker boundary as plain objects (toJSON) and are rebuilt on the other side
// with `MediaEngineError.from`, so the caller sees the same class either way.

export type MediaEngineErrorCode =
  /** The remote SDP cannot be used (SdpError): see `sdpKind` and `sipStatus`. */
  | 'bad_sdp'
  /** No free RTP port pair in the worker's slice. */
  | 'ports_exhausted'
  /** Binding the UDP sockets failed (address not local, ports taken by another process). */
  | 'bind_failed'
  /** No session, endpoint, room, play or recording with that id. */
  | 'not_found'
  /** The command does not fit the object's state (applyAnswer without an offer, join twice...). */
  | 'invalid_state'
  /** Arguments out of range (unknown mode, bad digits, unsupported recording rate...). */
  | 'invalid_argument'
  /** A player or recorder failed to start (file missing, unsupported format, cannot create). */
  | 'media_file'
  /** The worker hosting the session died; the session and everything in it is gone. */
  | 'worker_lost'
  /** The engine was closed. */
  | 'closed'
  /** Anything else: a bug. */
  | 'internal';

export interface MediaEngineErrorJSON {
  name: 'MediaEngineError';
  code: MediaEngineErrorCode;
  message: string;
  sipStatus?: number;
  sdpKind?: string;
  warnCode?: number;
  fileError?: string;
}

export class MediaEngineError extends Error {
  override readonly name = 'MediaEngineError';
  readonly code: MediaEngineErrorCode;
  /** For bad_sdp: the SIP final the (re-)INVITE should get (488 or 400). */
  readonly sipStatus: number | undefined;
  /** For bad_sdp: SdpError's kind ('no-common-codec', 'malformed', 'too-large', 'unsupported'). */
  readonly sdpKind: string | undefined;
  /** For bad_sdp: an RFC 3261 §20.43 warn-code for a Warning header. */
  readonly warnCode: number | undefined;
  /** For media_file: the PlayerError code ('not_found', 'unsupported_format'...). */
  readonly fileError: string | undefined;

  constructor(code: MediaEngineErrorCode, message: string, extra: { sipStatus?: number; sdpKind?: string; warnCode?: number; fileError?: string } = {}) {
    super(message);
    this.code = code;
    this.sipStatus = extra.sipStatus;
    this.sdpKind = extra.sdpKind;
    this.warnCode = extra.warnCode;
    this.fileError = extra.fileError;
  }

  toJSON(): MediaEngineErrorJSON {
    const j: MediaEngineErrorJSON = { name: 'MediaEngineError', code: this.code, message: this.message };
    if (this.sipStatus !== undefined) j.sipStatus = this.sipStatus;
    if (this.sdpKind !== undefined) j.sdpKind = this.sdpKind;
    if (this.warnCode !== undefined) j.warnCode = this.warnCode;
    if (this.fileError !== undefined) j.fileError = this.fileError;
    return j;
  }

  static from(j: MediaEngineErrorJSON): MediaEngineError {
    return new MediaEngineError(j.code, j.message, j);
  }
}

export const notFound = (what: string, id: string): MediaEngineError => new MediaEngineError('not_found', `no ${what} ${JSON.stringify(id)}`);
export const invalidState = (message: string): MediaEngineError => new MediaEngineError('invalid_state', message);
export const invalidArgument = (message: string): MediaEngineError => new MediaEngineError('invalid_argument', message);
