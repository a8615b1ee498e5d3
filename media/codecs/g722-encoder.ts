// G.722 SB-ADPCM encoder, 64 kbit/s (mode 1): two 16 kHz samples in, one octet out.
//
// ITU-T G.722 encoder: the transmit QMF splits the signal; the lower band is coded with
// 6-bit ADPCM (blocks 1L–4L), the higher band with 2-bit ADPCM (1H–4H); the octet is
//
//    7   6   5   4   3   2   1   0
//  +-------+-----------------------+
//  |  IH   |          IL           |    IH: 2 higher-band bits, IL: 6 lower-band bits
//  +-------+-----------------------+
//
// Only the 4 most significant bits of IL drive the lower band's adaptation (its "embedded"
// property), so a decoder running at 56 or 48 kbit/s stays in step.
//
// Stateful: one encoder per stream. encodeInto allocates nothing.
import { CodecError, ensureCapacity } from './codec.js';
import { SubBand, sat16 } from './g722-band.js';
import { QmfDelayLine } from './g722-qmf.js';
import { IHN, IHP, ILN, ILP, Q6, QM2, QM4, RH2_STEP, RL42_STEP } from './g722-tables.js';

export class G722Encoder {
  private readonly qmf = new QmfDelayLine();
  private readonly low = new SubBand(32, 18432, 8);
  private readonly high = new SubBand(8, 22528, 10);

  /**
   * Encodes `pcm` (16 kHz, an even number of samples) into `out` (at least pcm.length / 2
   * bytes); returns the number of bytes written.
   */
  encodeInto(pcm: Int16Array, out: Uint8Array): number {
    const n = pcm.length;
    if ((n & 1) !== 0) throw new CodecError(`G722: ${n} samples is not a whole number of sample pairs`);
    const bytes = n >> 1;
    ensureCapacity('G722', 'payload buffer', out.length, bytes);
    const qmf = this.qmf;
    for (let j = 0; j < bytes; j++) {
      qmf.push(pcm[2 * j]!);
      qmf.push(pcm[2 * j + 1]!);
      qmf.sums();
      const il = this.encodeLow((qmf.a + qmf.b) >> 14);
      const ih = this.encodeHigh((qmf.a - qmf.b) >> 14);
      out[j] = (ih << 6) | il;
    }
    return bytes;
  }

  /** Blocks 1L–4L for one lower-band sample; returns the 6-bit code IL. */
  private encodeLow(xl: number): number {
    const band = this.low;
    const det = band.det;
    // SUBTRA
    const el = sat16(xl - band.s);
    // QUANTL: find the interval of |el| among the decision levels scaled by DETL. The
    // magnitude of a negative el is taken as -(el + 1), the one's complement, as the
    // Recommendation's 16-bit arithmetic does.
    const wd = el >= 0 ? el : -(el + 1);
    let mil = 1;
    while (mil < 30 && wd >= (Q6[mil]! * det) >> 12) mil++;
    const il = el < 0 ? ILN[mil]! : ILP[mil]!;
    // INVQAL: the 4-bit truncated code gives the difference the decoder will also see.
    const ril = il >> 2;
    const dlt = (det * QM4[ril]!) >> 15;
    band.adaptScale(RL42_STEP[ril]!);
    band.adaptPredictor(dlt);
    return il;
  }

  /** Blocks 1H–4H for one higher-band sample; returns the 2-bit code IH. */
  private encodeHigh(xh: number): number {
    const band = this.high;
    const det = band.det;
    const eh = sat16(xh - band.s);
    const wd = eh >= 0 ? eh : -(eh + 1);
    const mih = wd >= (564 * det) >> 12 ? 2 : 1;
    const ih = eh < 0 ? IHN[mih]! : IHP[mih]!;
    const dh = (det * QM2[ih]!) >> 15;
    band.adaptScale(RH2_STEP[ih]!);
    band.adaptPredictor(dh);
    return ih;
  }

  reset(): void {
    this.qmf.reset();
    this.low.reset();
    this.high.reset();
  }
}
