// The constant tables of ITU-T G.722 (64 kbit/s mode), with the Recommendation's names.
// Scale factors are Q-format integers exactly as listed there; see g722-band.ts for their use.

/** QUANTL decision levels ("Q6"): interval mil = 1..30 starts at Q6[mil]·DETL/4096. */
export const Q6 = Int16Array.of(
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
  786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
);

/** QUANTL output code for interval mil when the difference is negative ("ILN") or not ("ILP"). */
export const ILN = Uint8Array.of(
  0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
  18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
);
export const ILP = Uint8Array.of(
  0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
  46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
);

/** INVQAL/INVQBL output levels for the 4-bit truncated code ("QM4"), × DETL / 32768. */
export const QM4 = Int16Array.of(
  0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
);

/** INVQBL output levels for the full 6-bit code in mode 1 ("QM6"). */
export const QM6 = Int16Array.of(
  -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
  -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
  24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
  4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
);

/** LOGSCL step per 4-bit code: WL[RL42[ril]] with WL = {-60, -30, 58, 172, 334, 538, 1198, 3042}. */
export const RL42_STEP = Int16Array.of(-60, 3042, 1198, 538, 334, 172, 58, -30, 3042, 1198, 538, 334, 172, 58, -30, -60);

/** QUANTH: code for interval mih = 1, 2 when negative ("IHN") or not ("IHP"); decision level 564·DETH/4096. */
export const IHN = Uint8Array.of(0, 1, 0);
export const IHP = Uint8Array.of(0, 3, 2);

/** INVQAH output levels per 2-bit code ("QM2"). */
export const QM2 = Int16Array.of(-7408, -1616, 7408, 1616);

/** LOGSCH step per 2-bit code: WH[RH2[ih]] with WH = {0, -214, 798}, RH2 = {2, 1, 2, 1}. */
export const RH2_STEP = Int16Array.of(798, -214, 798, -214);
