// G.722 SB-ADPCM decoder, 64 kbit/s (mode 1): one octet in, two 16 kHz samples out.
//
// ITU-T G.722 decoder: the lower band is reconstructed with the 6-bit inverse quantizer
// (INVQBL in mode 1) but adapted with the 4-bit one, exactly as the encoder adapted; the higher
// band with the 2-bit inverse quantizer; both are limited to [-16384, 16383] (LIMIT) and the
// receive QMF recombines them.
//
// Stateful: one decoder per stream. decodeInto allocates nothing.
import { ensureCapacity } from './codec.js';
import { SubBand, sat16 } from './g722-band.js';
import { QmfDelayLine } from './g722-qmf.js';
import { QM2, QM4, QM6, RH2_STEP, RL42_STEP } from './g722-tables.js';

function limit15(x: number): number {
  return x > 16383 ? 16383 : x < -16384 ? -16384 : x;
}

export class G722Decoder {
  private readonly qmf = new QmfDelayLine();
  private readonly low = new SubBand(32, 18432, 8);
  private readonly high = new SubBand(8, 22528, 10);

  /** Decodes `payload` into `out` (at least 2 · payload.length samples); returns the samples written. */
  decodeInto(payload: Uint8Array, out: Int16Array): number {
    const n = payload.length;
    ensureCapacity('G722', 'PCM buffer', out.length, 2 * n);
    const low = this.low;
    const high = this.high;
    const qmf = this.qmf;
    for (let j = 0; j < n; j++) {
      const code = payload[j]!;
      const il = code & 0x3f;
      const ih = code >> 6;

      // Lower band: INVQBL (6 bits) for the output, INVQAL (4 bits) for the adaptation.
      const rl = limit15(low.s + ((low.det * QM6[il]!) >> 15));
      const ril = il >> 2;
      const dlt = (low.det * QM4[ril]!) >> 15;
      low.adaptScale(RL42_STEP[ril]!);
      low.adaptPredictor(dlt);

      // Higher band: INVQAH.
      const dh = (high.det * QM2[ih]!) >> 15;
      const rh = limit15(high.s + dh);
      high.adaptScale(RH2_STEP[ih]!);
      high.adaptPredictor(dh);

      // Receive QMF.
      qmf.push(rl + rh);
      qmf.push(rl - rh);
      qmf.sums();
      out[2 * j] = sat16(qmf.a >> 11);
      out[2 * j + 1] = sat16(qmf.b >> 11);
    }
    return 2 * n;
  }

  reset(): void {
    this.qmf.reset();
    this.low.reset();
    this.high.reset();
  }
}
