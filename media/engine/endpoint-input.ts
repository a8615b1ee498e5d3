// What an endpoint says, as its room hears it: the decoded RTP (jitter buffer, decoder and loss
// concealment are the room's RtpInput), watched on the way past by the in-band DTMF detector and
// the voice-level meter of the quality monitor, and kept for one tick for a dual-channel recording.
//
//   RtpInput.readFrame ─► frame ─┬─► room mix
//                                ├─► InbandDtmfDetector (when telephone-event was not negotiated)
//                                ├─► StreamQuality.onInboundFrame(rms)   (inbound silence)
//                                └─► last (copy: the caller side of a recording)
//
// Allocates at construction (the RtpInput's buffers at its first packet), nothing per frame.
import type { AudioCodec } from '../codecs/index.js';
import { rms } from '../dsp/goertzel.js';
import { InbandDtmfDetector, type DetectedDigit } from '../dtmf/inband-detector.js';
import type { FrameSource, SampleRate } from '../room/frame.js';
import { RtpInput, type PayloadDecoder } from '../room/rtp-input.js';
import type { JitterBufferOptions } from '../room/jitter-buffer.js';
import type { StreamQuality } from '../quality/stream-quality.js';

/** Adapts an AudioCodec's decode(payload, out) to the room's decodeInto(out, payload). */
class CodecDecoder implements PayloadDecoder {
  constructor(private readonly codec: AudioCodec) {}
  decodeInto(out: Int16Array, payload: Uint8Array): number {
    return this.codec.decode(payload, out);
  }
}

export interface EndpointInputOptions {
  sampleRate: SampleRate;
  /** A decoder instance of its own (G.722 and Opus keep state per stream). */
  decoder: AudioCodec;
  jitter: JitterBufferOptions;
  quality: StreamQuality;
  /** Set when DTMF is to be found in the audio (no telephone-event negotiated). */
  onInbandDigit?: (d: DetectedDigit) => void;
}

export class EndpointInput implements FrameSource {
  readonly sampleRate: SampleRate;
  readonly rtp: RtpInput;
  /** The last frame said (valid when `lastSpoke`), for recordings. */
  readonly last: Int16Array;
  lastSpoke = false;
  private readonly decoder: AudioCodec;
  private readonly quality: StreamQuality;
  private readonly detector: InbandDtmfDetector | null;

  constructor(o: EndpointInputOptions) {
    this.sampleRate = o.sampleRate;
    this.decoder = o.decoder;
    this.quality = o.quality;
    this.rtp = new RtpInput({ sampleRate: o.sampleRate, decoder: new CodecDecoder(o.decoder), jitter: o.jitter });
    this.last = new Int16Array((o.sampleRate * 20) / 1000);
    this.detector = o.onInbandDigit ? new InbandDtmfDetector({ onDigit: o.onInbandDigit, sampleRate: o.sampleRate }) : null;
  }

  /** One received payload (a view the caller reuses: the jitter buffer copies it). */
  push(seq: number, ts: number, payload: Uint8Array, arrivalMs: number): void {
    this.rtp.push(seq, ts, payload, arrivalMs);
  }

  readFrame(out: Int16Array): boolean {
    const spoke = this.rtp.readFrame(out);
    this.lastSpoke = spoke;
    if (spoke) {
      this.last.set(out);
      this.quality.onInboundFrame(rms(out));
    }
    if (this.detector !== null) {
      if (spoke) this.detector.process(out);
      else {
        // Silence keeps the detector's clock going, so a digit followed by a pause ends on time.
        this.last.fill(0);
        this.detector.process(this.last);
      }
    }
    return spoke;
  }

  /** The source changed (new SSRC, re-INVITE): forget buffered packets and decoder state. */
  reset(): void {
    this.rtp.reset();
    this.decoder.reset();
  }

  /** This input is done with (the leg closed, or a new one replaced it): its jitter buffer's storage goes back to the pool. */
  release(): void {
    this.rtp.release();
  }

  /** Ends a digit in progress (the stream stopped). */
  flush(): void {
    this.detector?.flush();
  }

  toJSON(): Record<string, unknown> {
    return { ...this.rtp.toJSON(), ...(this.detector ? { inbandDtmf: this.detector.toJSON() } : {}) };
  }
}
