// The simplified G.107 E-model: the MOS a listener would give G.711 on a clean short path,
// and how it falls with loss, burstiness and delay. Expected values are the G.107 formulas
// worked by hand (see the comments), not outputs of the code under test.
import { describe, expect, it } from 'vitest';
import { codecImpairment, delayImpairment, effectiveEquipmentImpairment, estimateQuality, mosFromR } from './e-model.js';

describe('E-model (ITU-T G.107, simplified)', () => {
  it('rates G.711 with no loss and a short path at R = 93.2, MOS ≈ 4.4', () => {
    const q = estimateQuality({ codec: 'PCMU', lossPercent: 0, oneWayDelayMs: 60 });
    expect(q.r).toBeCloseTo(93.2, 6);
    // 1 + 0.035·93.2 + 93.2·33.2·6.8·7e-6 = 4.4093
    expect(q.mos).toBeCloseTo(4.409, 3);
  });

  it('falls with random loss: G.711 (Bpl 25.1) at 1, 5, 10 and 20 %', () => {
    const mos = (loss: number): number => estimateQuality({ codec: 'PCMA', lossPercent: loss, oneWayDelayMs: 60 }).mos;
    // Ie,eff = 95·Ppl/(Ppl + 25.1): 1 % → 3.64 (R 89.56), 5 % → 15.78 (R 77.42), 10 % → 27.07, 20 % → 42.13
    expect(mos(1)).toBeCloseTo(4.328, 3);
    expect(mos(5)).toBeCloseTo(3.923, 3);
    expect(mos(10)).toBeCloseTo(3.411, 3);
    expect(mos(20)).toBeCloseTo(2.631, 3);
    const series = [0, 0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 50].map(mos);
    for (let i = 1; i < series.length; i++) expect(series[i]!).toBeLessThan(series[i - 1]!);
  });

  it('falls further when the same loss comes in bursts (BurstR 2 at 5 %: Ie,eff = 95·5/(2.5 + 25.1))', () => {
    expect(effectiveEquipmentImpairment(5, codecImpairment('PCMU'), 2)).toBeCloseTo(17.210, 3);
    expect(estimateQuality({ codec: 'PCMU', lossPercent: 5, oneWayDelayMs: 60, burstRatio: 2 }).mos).toBeCloseTo(3.864, 3);
  });

  it('charges nothing for one-way delay up to 100 ms, then G.107\'s Idd', () => {
    expect(delayImpairment(0)).toBe(0);
    expect(delayImpairment(100)).toBe(0);
    // X = log2(Ta/100): 200 ms → X = 1 → 25·(2^(1/6) − 3·(1 + 3^-6)^(1/6) + 2) = 3.044
    expect(delayImpairment(200)).toBeCloseTo(3.044, 3);
    expect(delayImpairment(400)).toBeCloseTo(24.070, 3);
    expect(estimateQuality({ codec: 'PCMU', lossPercent: 0, oneWayDelayMs: 400 }).mos).toBeCloseTo(3.556, 3);
  });

  it('maps R to MOS with G.107 Annex B, clamped to 1 and 4.5', () => {
    expect(mosFromR(-10)).toBe(1);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(50)).toBeCloseTo(1 + 1.75 + 50 * -10 * 50 * 7e-6, 9);
    expect(mosFromR(100)).toBe(4.5);
    expect(mosFromR(130)).toBe(4.5);
  });

  it('looks codecs up by SDP name, case-insensitively, rating unknown ones like G.711', () => {
    expect(codecImpairment('pcmu')).toEqual({ ie: 0, bpl: 25.1 });
    expect(codecImpairment('OPUS')).toEqual(codecImpairment('opus'));
    expect(codecImpairment('L16')).toEqual({ ie: 0, bpl: 4.3 });
    expect(codecImpairment('GSM')).toEqual(codecImpairment('PCMU'));
    // Without concealment (L16) loss hurts far more: 1 % costs 95/5.3 = 17.9 R points.
    expect(estimateQuality({ codec: 'L16', lossPercent: 1, oneWayDelayMs: 60 }).r).toBeCloseTo(93.2 - 95 / 5.3, 6);
  });
});
