// A simplified ITU-T G.107 E-model: a transmission rating R from the codec, packet loss
// and one-way delay, and the estimated MOS (conversational quality) it implies.
//
//   R = 93.2 - Idd - Ie,eff
//
// 93.2 is the rating G.107 gives a connection with every parameter at its default value
// (R0 - Is - Idte - Idle at the defaults; no loudness, noise or echo terms are modelled:
// we assume a digital path with echo cancelled, and A = 0).
//
// Idd, the impairment of absolute one-way delay Ta (ms), per G.107:
//   Idd = 0 for Ta <= 100;
//   Idd = 25 * ( (1 + X^6)^(1/6) - 3 * (1 + (X/3)^6)^(1/6) + 2 ),  X = log2(Ta / 100)
//
// Ie,eff, the equipment impairment under random or bursty packet loss (G.107):
//   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)
// with the codec's Ie and packet-loss robustness Bpl (ITU-T G.113 Appendix I), the loss
// Ppl in percent and BurstR (1 for random loss, above 1 for bursts).
//
// MOS from R (G.107 Annex B): 1 for R < 0, 4.5 for R > 100, otherwise
//   MOS = 1 + 0.035 R + R (R - 60) (100 - R) * 7e-6
// Pure functions; nothing allocates but the result object of `estimateQuality`.

/** R with every G.107 parameter at its default. */
export const DEFAULT_R = 93.2;

export interface CodecImpairment {
  /** Equipment impairment factor (0 for G.711). */
  ie: number;
  /** Packet-loss robustness factor. */
  bpl: number;
}

/**
 * Ie and Bpl by SDP encoding name. G.711 is G.113 Appendix I's "with packet loss
 * concealment" row (Ie 0, Bpl 25.1): phones conceal loss and so does our jitter buffer. The
 * others are choices (docs/media/quality.md): G.113 rates G.722 and Opus on the wideband
 * scale only, so on this narrowband scale they get G.711's figures; L16 has no concealment
 * (G.711's no-PLC Bpl of 4.3).
 */
export const CODEC_IMPAIRMENTS: Readonly<Record<string, CodecImpairment>> = {
  PCMU: { ie: 0, bpl: 25.1 },
  PCMA: { ie: 0, bpl: 25.1 },
  G722: { ie: 0, bpl: 25.1 },
  opus: { ie: 0, bpl: 25.1 },
  L16: { ie: 0, bpl: 4.3 },
};

/** The impairment for a codec name (case-insensitive); unknown codecs are rated like G.711. */
export function codecImpairment(codec: string): CodecImpairment {
  const exact = CODEC_IMPAIRMENTS[codec];
  if (exact) return exact;
  const lower = codec.toLowerCase();
  for (const [name, value] of Object.entries(CODEC_IMPAIRMENTS)) if (name.toLowerCase() === lower) return value;
  return CODEC_IMPAIRMENTS.PCMU!;
}

/** G.107's Idd for an absolute one-way delay in ms. */
export function delayImpairment(oneWayDelayMs: number): number {
  if (!(oneWayDelayMs > 100)) return 0;
  const x = Math.log2(oneWayDelayMs / 100);
  return 25 * (Math.pow(1 + x ** 6, 1 / 6) - 3 * Math.pow(1 + (x / 3) ** 6, 1 / 6) + 2);
}

/** G.107's Ie,eff for a loss percentage. */
export function effectiveEquipmentImpairment(lossPercent: number, impairment: CodecImpairment, burstRatio = 1): number {
  const ppl = Math.min(100, Math.max(0, lossPercent));
  const burstR = Math.max(1, burstRatio);
  const { ie, bpl } = impairment;
  return ie + ((95 - ie) * ppl) / (ppl / burstR + bpl);
}

/** G.107 Annex B: the MOS (1-4.5) a rating R implies. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

export interface QualityInput {
  /** SDP encoding name ("PCMU", "opus", ...) for Ie/Bpl, unless `impairment` is given. */
  codec?: string;
  impairment?: CodecImpairment;
  /** Packet loss, percent (0-100). */
  lossPercent: number;
  /** Mouth-to-ear one-way delay, ms. */
  oneWayDelayMs: number;
  /** G.107 BurstR; 1 (random loss) when omitted. */
  burstRatio?: number;
}

export interface QualityEstimate {
  r: number;
  mos: number;
}

/** R and MOS for a stream. */
export function estimateQuality(q: QualityInput): QualityEstimate {
  const impairment = q.impairment ?? codecImpairment(q.codec ?? 'PCMU');
  const r = DEFAULT_R - delayImpairment(q.oneWayDelayMs) - effectiveEquipmentImpairment(q.lossPercent, impairment, q.burstRatio);
  return { r, mos: mosFromR(r) };
}
