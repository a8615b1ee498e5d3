// Stateless nonces: the server keeps nothing per challenge. A nonce carries the time
// it was issued and a MAC over that time and the realm (and optionally the client's
// address), so any node holding the secret can tell its own nonces from forgeries
// and old ones from fresh ones.
//
//    0                   6           10                          26 bytes
//   +-------------------+-----------+----------------------------+
//   | issued, ms (BE48) | counter   | HMAC-SHA256(secret, ...)   |  → base64url of the head
//   +-------------------+-----------+ truncated to 16 bytes      |    (14 chars) followed by
//                                   +----------------------------+    that of the tag (22)
//   MAC input: bytes 0-9 || realm || 0x00 || source address ("" when not bound)
//
// RFC 7616 §3.3 on the nonce: "A server-specified string which should be uniquely
// generated each time a 401 response is made." Time alone repeats within a
// millisecond, so a per-process counter (random start) makes every nonce distinct;
// that matters because nonce counts are tracked per nonce string.
import { HmacSha256 } from './hmac-sha256.js';
import { constantTimeEqual } from './constant-time.js';

const STAMP_BYTES = 6;
const COUNTER_BYTES = 4;
const HEAD_BYTES = STAMP_BYTES + COUNTER_BYTES;
/** RFC 2104 §5 allows truncating an HMAC to half its length; 128 bits is plenty here. */
const TAG_BYTES = 16;
/** base64url lengths, unpadded. */
const HEAD_CHARS = Math.ceil((HEAD_BYTES * 4) / 3);
const TAG_CHARS = Math.ceil((TAG_BYTES * 4) / 3);

export type NonceState = 'valid' | 'expired' | 'invalid';

export interface NonceCheck {
  state: NonceState;
  /** When the nonce was issued (ms), meaningful unless `invalid`. */
  issuedAt: number;
  /** The issuer's counter in the nonce; with issuedAt it tells one of our nonces from any other. */
  counter: number;
}

export interface NonceIssuerOptions {
  secret: Buffer | string;
  ttlMs: number;
  now: () => number;
  /** First counter value; random so nodes sharing a secret rarely produce equal nonces. */
  counterSeed: number;
  /** Put the source address under the MAC so a nonce is only good from where it was sent. */
  bindSourceAddress: boolean;
}

const INVALID: NonceCheck = Object.freeze({ state: 'invalid', issuedAt: 0, counter: 0 });

export class NonceIssuer {
  private readonly hmac: HmacSha256;
  private counter: number;
  private readonly head = Buffer.alloc(HEAD_BYTES);
  /** The MAC input is assembled here (grown for an unusually long realm). */
  private input = Buffer.alloc(256);

  constructor(private readonly opts: NonceIssuerOptions) {
    const secret = typeof opts.secret === 'string' ? Buffer.from(opts.secret, 'utf8') : opts.secret;
    if (secret.length < 16) throw new RangeError('the nonce secret must be at least 16 bytes');
    this.hmac = new HmacSha256(secret);
    this.counter = opts.counterSeed >>> 0;
  }

  /** A fresh nonce for a challenge in `realm`, sent to `address`. */
  issue(realm: string, address: string): string {
    const head = this.head;
    head.writeUIntBE(Math.max(0, Math.floor(this.opts.now())), 0, STAMP_BYTES);
    this.counter = (this.counter + 1) >>> 0;
    head.writeUInt32BE(this.counter, STAMP_BYTES);
    return head.toString('base64url') + this.tag(head, realm, address);
  }

  /** Whether `nonce` is one of ours for this realm (and address), and whether it is still fresh. */
  check(nonce: string, realm: string, address: string): NonceCheck {
    if (nonce.length !== HEAD_CHARS + TAG_CHARS) return INVALID;
    const headText = nonce.slice(0, HEAD_CHARS);
    const head = Buffer.from(headText, 'base64url');
    // The decoder skips characters outside the alphabet and ignores the spare bits of
    // the last character; re-encoding makes exactly one spelling of each nonce valid.
    if (head.length !== HEAD_BYTES || head.toString('base64url') !== headText) return INVALID;
    const expected = this.tag(head, realm, address);
    if (!constantTimeEqual(expected, nonce.slice(HEAD_CHARS))) return INVALID;
    const issuedAt = head.readUIntBE(0, STAMP_BYTES);
    const age = this.opts.now() - issuedAt;
    // A nonce from the future means another node's clock runs ahead; allow the same
    // tolerance in both directions rather than rejecting a whole node's challenges.
    return { state: Math.abs(age) > this.opts.ttlMs ? 'expired' : 'valid', issuedAt, counter: head.readUInt32BE(STAMP_BYTES) };
  }

  /** The MAC of head || realm || 0x00 || address, truncated and in base64url. */
  private tag(head: Buffer, realm: string, address: string): string {
    const bound = this.opts.bindSourceAddress ? address : '';
    const need = HEAD_BYTES + Buffer.byteLength(realm, 'utf8') + 1 + Buffer.byteLength(bound, 'utf8');
    if (need > this.input.length) this.input = Buffer.alloc(need * 2);
    const input = this.input;
    head.copy(input, 0);
    let n = HEAD_BYTES + input.write(realm, HEAD_BYTES, 'utf8');
    input[n++] = 0;
    if (bound !== '') n += input.write(bound, n, 'utf8');
    const mac = this.hmac.mac(input, n);
    return Buffer.from(mac.buffer, mac.byteOffset, TAG_BYTES).toString('base64url');
  }
}
