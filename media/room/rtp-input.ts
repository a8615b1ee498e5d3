// A participant's incoming audio as a room sees it: RTP payloads through a jitter buffer and a
// decoder, cut into 20 ms frames, with the lost packets concealed.
//
//   push(seq, ts, payload, arrivalMs) ──► JitterBuffer ──pop──► decoder ──► PCM FIFO ──► readFrame(out)
//                                                  └─ null 'lost' ──► concealment ──┘
//
// The FIFO lets a peer send another ptime than our 20 ms (10, 30, 60 ms): the buffer is popped as
// often as the frames need samples, so one pop per packet time whatever the packet size.
//
// Loss concealment ("PLC-lite"): a codec with its own concealment (Opus) does it through
// decoder.concealInto; otherwise the first lost packet repeats the last good one at -6 dB, the
// second at -12 dB, and later ones are silence. Repeating keeps the pitch of a voiced sound going
// for a frame, which hides a single loss far better than a hole; fading stops a long loss from
// becoming a buzz. An empty buffer (the source paused or stopped) is plain silence.
//
// Memory: the FIFO and two decode buffers are allocated at the first push() (an input that never
// receives a packet, such as a relayed leg's, never needs them), the jitter buffer's storage
// likewise (packet-ring.ts); release() gives that storage back when the stream ends. readFrame
// allocates nothing (beyond what the injected decoder does).
import { JitterBuffer, type JitterBufferOptions, type JitterStats } from './jitter-buffer.js';
import { assertSampleRate, frameSamples, type FrameSource, type SampleRate } from './frame.js';

/** A codec's decoder, adapted by the engine (media/codecs/*). Called once per packet: must not allocate. */
export interface PayloadDecoder {
  /** Decodes one packet's payload into out from index 0; returns the number of samples written. */
  decodeInto(out: Int16Array, payload: Uint8Array): number;
  /** The codec's own concealment of one lost packet, if it has one (Opus); returns samples written. */
  concealInto?(out: Int16Array): number;
}

export interface RtpInputOptions {
  /** Rate of the decoded PCM (16000 for G.722 though its RTP clock is 8000). */
  sampleRate: SampleRate;
  decoder: PayloadDecoder;
  jitter: JitterBufferOptions;
  /** Longest packet to decode, default 120 ms (the longest Opus packet). */
  maxPacketMs?: number;
}

export interface RtpInputStats {
  jitter: JitterStats;
  decoded: number;
  concealed: number;
  decodeErrors: number;
}

const NO_SAMPLES = new Int16Array(0);

/** Consecutive lost packets repeated (at -6 dB, then -12 dB) before concealment turns to silence. */
const PLC_REPEATS = 2;

export class RtpInput implements FrameSource {
  readonly sampleRate: SampleRate;
  readonly jitter: JitterBuffer;
  private readonly decoder: PayloadDecoder;
  private readonly frameLen: number;
  private readonly maxPacket: number;
  /** Empty until the first push(): readFrame only decodes what a push brought. */
  private fifo: Int16Array = NO_SAMPLES;
  private fifoLen = 0;
  private scratch: Int16Array = NO_SAMPLES;
  private last: Int16Array = NO_SAMPLES;
  private lastLen = 0;
  private lostRun = 0;
  private decoded = 0;
  private concealed = 0;
  private decodeErrors = 0;

  constructor(o: RtpInputOptions) {
    assertSampleRate(o.sampleRate, 'RtpInput');
    this.sampleRate = o.sampleRate;
    this.decoder = o.decoder;
    this.jitter = new JitterBuffer(o.jitter);
    this.frameLen = frameSamples(o.sampleRate);
    this.maxPacket = Math.max(this.frameLen, Math.ceil((o.sampleRate * (o.maxPacketMs ?? 120)) / 1000));
  }

  /** One received RTP packet (payload only; the header is the engine's). See JitterBuffer.push. */
  push(seq: number, ts: number, payload: Uint8Array, arrivalMs: number): boolean {
    if (this.fifo === NO_SAMPLES) this.allocate();
    return this.jitter.push(seq, ts, payload, arrivalMs);
  }

  private allocate(): void {
    this.scratch = new Int16Array(this.maxPacket);
    this.last = new Int16Array(this.maxPacket);
    this.fifo = new Int16Array(this.frameLen + this.maxPacket);
  }

  /** The stream ended (the leg closed, or a new format replaced this input): frees the jitter buffer's storage. */
  release(): void {
    this.jitter.release();
    this.fifoLen = 0;
    this.lastLen = 0;
    this.lostRun = 0;
  }

  readFrame(out: Int16Array): boolean {
    const n = this.frameLen;
    // Each pass adds at least one sample or stops; the bound only guards against a decoder that returns 0.
    for (let pass = 0; this.fifoLen < n && pass < n; pass++) {
      const f = this.jitter.pop();
      if (f !== null) {
        if (!this.decode(f.payload)) this.conceal();
      } else if (this.jitter.lastMiss === 'lost') {
        this.conceal();
      } else {
        break;
      }
    }
    const have = this.fifoLen;
    if (have === 0) return false;
    const take = have < n ? have : n;
    const fifo = this.fifo;
    for (let i = 0; i < take; i++) out[i] = fifo[i]!;
    for (let i = take; i < n; i++) out[i] = 0;
    fifo.copyWithin(0, take, have);
    this.fifoLen = have - take;
    return true;
  }

  /** Forgets the stream (new SSRC, re-INVITE to another source). */
  reset(): void {
    this.jitter.reset();
    this.fifoLen = 0;
    this.lastLen = 0;
    this.lostRun = 0;
  }

  toJSON(): RtpInputStats {
    return { jitter: this.jitter.toJSON(), decoded: this.decoded, concealed: this.concealed, decodeErrors: this.decodeErrors };
  }

  private decode(payload: Uint8Array): boolean {
    let k: number;
    try {
      k = this.decoder.decodeInto(this.scratch, payload);
    } catch {
      k = 0;
    }
    if (!(k > 0)) {
      this.decodeErrors++;
      return false;
    }
    if (k > this.scratch.length) k = this.scratch.length;
    this.append(this.scratch, k);
    // The decoded packet becomes the one concealment repeats: swap buffers rather than copy.
    const t = this.last;
    this.last = this.scratch;
    this.scratch = t;
    this.lastLen = k;
    this.lostRun = 0;
    this.decoded++;
    return true;
  }

  private conceal(): void {
    this.concealed++;
    this.lostRun++;
    if (this.decoder.concealInto !== undefined) {
      let k = 0;
      try {
        k = this.decoder.concealInto(this.scratch);
      } catch {
        k = 0;
      }
      if (k > 0) {
        this.append(this.scratch, k < this.scratch.length ? k : this.scratch.length);
        return;
      }
    }
    const len = this.lastLen > 0 ? this.lastLen : this.frameLen;
    const fifo = this.fifo;
    const at = this.fifoLen;
    if (this.lastLen > 0 && this.lostRun <= PLC_REPEATS) {
      const shift = this.lostRun; // each step halves the amplitude: -6 dB
      const last = this.last;
      for (let i = 0; i < len; i++) fifo[at + i] = last[i]! >> shift;
    } else {
      fifo.fill(0, at, at + len);
    }
    this.fifoLen = at + len;
  }

  private append(src: Int16Array, k: number): void {
    const fifo = this.fifo;
    const at = this.fifoLen;
    for (let i = 0; i < k; i++) fifo[at + i] = src[i]!;
    this.fifoLen = at + k;
  }
}
