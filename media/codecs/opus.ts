// Opus in RTP (RFC 7587) through the @evan/opus binding (libopus), mono, 20 ms by default.
//
// RFC 7587 §4.1: "Opus supports 5 different audio bandwidths, which can be adjusted during the
// duration of a call. The RTP timestamp is incremented with a 48000 Hz clock rate for all modes
// of Opus and all sampling rates." And §7: "The RTP clock rate in "a=rtpmap" MUST be 48000, and
// the number of channels MUST be 2." — the "2" says nothing about what is sent: we send mono.
//
// libopus encodes and decodes natively at 8, 12, 16, 24 or 48 kHz, so a leg bridged to G.711 or
// G.722 can run Opus at 8 or 16 kHz and skip the resampler; the RTP clock stays 48 kHz.
//
// Allocation: the binding returns a fresh Uint8Array from every encode and decode (it copies
// out of its own buffer); we copy that into the caller's buffer. That is one small allocation
// per frame per direction that we cannot avoid without reaching into the binding's internals.
import { Decoder, Encoder } from '@evan/opus';
import { CodecError, ensureCapacity, type AudioCodec, type CodecInfo } from './codec.js';

export interface OpusOptions {
  /** PCM rate of encode's input and decode's output: 8000, 16000 or 48000 (default). */
  sampleRate?: number;
  /** Target bit rate in bit/s (default 32000: RFC 7587 §3.1.1 puts wideband speech at 16–20 kbit/s and fullband at 28–40). */
  bitrate?: number;
  /** libopus complexity 0..10 (default 5: much less CPU than libopus's own default of 9-10, for a small loss on speech). */
  complexity?: number;
  /** In-band forward error correction (default true; the far end opts in with useinbandfec=1). */
  fec?: boolean;
  /** Expected packet loss in percent, which sizes the FEC (default 5). */
  expectedLossPercent?: number;
  /** Payload type to report (default 111, the common choice for the dynamic Opus type). */
  payloadType?: number;
}

const OPUS_RATES: readonly number[] = [8000, 16000, 48000];
/** RFC 6716 §3.4: a frame holds at most 1275 bytes, a packet at most 120 ms of audio. */
const MAX_FRAME_BYTES = 1275;
/** Frame durations libopus accepts for encoding, in tenths of a millisecond. */
const ENCODABLE_DECI_MS = [25, 50, 100, 200, 400, 600];

type OpusRate = 8000 | 16000 | 48000;

export function opusInfo(opts: OpusOptions = {}): CodecInfo {
  const sampleRate = opts.sampleRate ?? 48000;
  if (!OPUS_RATES.includes(sampleRate)) throw new CodecError(`opus: unsupported PCM rate ${sampleRate}`);
  return {
    name: 'opus',
    payloadType: opts.payloadType ?? 111,
    staticPayloadType: false,
    clockRate: 48000,
    sampleRate,
    channels: 1,
    rtpmapChannels: 2,
    fmtp: (opts.fec ?? true) ? 'minptime=10;useinbandfec=1' : 'minptime=10',
  };
}

/** An Opus codec for one stream: a libopus encoder and decoder, VoIP-tuned. */
export function createOpus(opts: OpusOptions = {}): AudioCodec {
  const info = opusInfo(opts);
  const rate = info.sampleRate as OpusRate;
  const complexity = opts.complexity ?? 5;
  if (!Number.isInteger(complexity) || complexity < 0 || complexity > 10) throw new CodecError(`opus: complexity ${complexity} is not 0..10`);
  const encoder = new Encoder({ channels: 1, sample_rate: rate, application: 'voip' });
  const decoder = new Decoder({ channels: 1, sample_rate: rate });
  const configure = (): void => {
    encoder.signal = 'voice';
    encoder.bitrate = opts.bitrate ?? 32000;
    encoder.complexity = complexity as Encoder['complexity'];
    encoder.inband_fec = opts.fec ?? true;
    encoder.packet_loss = opts.expectedLossPercent ?? 5;
    // Constant frame clock for the mixer: no discontinuous transmission.
    encoder.dtx = false;
  };
  configure();

  const frame = (ptimeMs: number): number => {
    if (!ENCODABLE_DECI_MS.includes(ptimeMs * 10)) throw new CodecError(`opus: ptime ${ptimeMs} ms is not an Opus frame size`);
    return (rate * ptimeMs) / 1000;
  };

  return {
    ...info,
    samplesPerFrame: frame,
    timestampsPerFrame: (ptimeMs) => (frame(ptimeMs) * 48000) / rate,
    maxPayloadBytes: (ptimeMs) => Math.ceil(frame(ptimeMs) / ((rate * 20) / 1000)) * MAX_FRAME_BYTES,
    encode(pcm, out) {
      let packet: Uint8Array;
      try {
        packet = encoder.encode(pcm);
      } catch (err) {
        throw new CodecError(`opus: cannot encode ${pcm.length} samples: ${(err as Error).message}`);
      }
      ensureCapacity('opus', 'payload buffer', out.length, packet.length);
      out.set(packet);
      return packet.length;
    },
    decode(payload, out) {
      let bytes: Uint8Array;
      try {
        bytes = decoder.decode(payload);
      } catch (err) {
        throw new CodecError(`opus: undecodable packet of ${payload.length} bytes: ${(err as Error).message}`);
      }
      const n = bytes.length >> 1;
      ensureCapacity('opus', 'PCM buffer', out.length, n);
      // libopus gives host-order (little-endian) samples; read them byte-wise, whatever the alignment.
      for (let i = 0; i < n; i++) out[i] = (bytes[2 * i + 1]! << 8) | bytes[2 * i]!;
      return n;
    },
    reset() {
      encoder.reset();
      decoder.reset();
      configure();
    },
  };
}
