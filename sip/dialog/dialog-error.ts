// Errors of the dialog layer that are bugs in its caller, kept apart from SipError
// (a protocol answer for the peer).
/** Misuse of a dialog by the code above it (not a protocol error from the peer). */
export class DialogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DialogError';
  }
}
