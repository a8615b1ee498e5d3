// What the IVR end-to-end tests share: the seed's example flow, keys pressed the way a phone
// sends them (sipp's RFC 4733 captures in /usr/share/sip-tester, replayed from the caller's RTP
// peer at their own pace), and speech found in what the caller heard by its energy.
import { readPcapRtp } from '../helpers/pcap.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import Database from 'better-sqlite3';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { dominantFrequency, hasTone, levelDbfs } from '../helpers/tone-analysis.js';
import { sleep, type Rig } from '../calls/call-rig.js';

export const SALES = '+14155550101';
export const SUPPORT = '+14155550102';
export const WELCOME = 'Welcome to Acme Corp. Press 1 for sales, 2 for support, or 3 to leave a voicemail.';

/** The seed's "Create IVR Flow" example, as the seed writes it (timeout 8 s). */
export function seedFlow(): Record<string, unknown> {
  return {
    name: 'Main Menu',
    active: true,
    definition: {
      nodes: [
        { id: 'start', type: 'ivrStart', data: {} },
        {
          id: 'menu',
          type: 'menu',
          data: {
            ttsText: WELCOME,
            language: 'en-US',
            timeout: 8,
            menuOptions: [
              { key: '1', label: 'Sales' },
              { key: '2', label: 'Support' },
              { key: '3', label: 'Voicemail' },
            ],
          },
        },
        { id: 'sales', type: 'transfer', data: { transferTo: SALES } },
        { id: 'support', type: 'transfer', data: { transferTo: SUPPORT } },
        { id: 'voicemail', type: 'voicemail', data: { greeting: 'Please leave a message after the tone.' } },
      ],
      edges: [
        { id: 'e0', source: 'start', target: 'menu' },
        { id: 'e1', source: 'menu', target: 'sales', sourceHandle: '1' },
        { id: 'e2', source: 'menu', target: 'support', sourceHandle: '2' },
        { id: 'e3', source: 'menu', target: 'voicemail', sourceHandle: '3' },
      ],
    },
  };
}

const CAPTURE: Record<string, string> = { '*': 'star', '#': 'pound' };

/** Presses `keys` on the caller's phone: each key is sipp's capture of it, a new RTP source as a phone's would be. */
export async function press(peer: RtpPeer, keys: string): Promise<void> {
  for (const key of keys) {
    const packets = readPcapRtp(`/usr/share/sip-tester/dtmf_2833_${CAPTURE[key] ?? key}.pcap`).filter((p) => p.payloadType === 101);
    if (packets.length === 0) throw new Error(`no capture for key ${key}`);
    peer.restart();
    const t0 = packets[0]!.timeMs;
    const start = performance.now();
    for (const p of packets) {
      const wait = start + (p.timeMs - t0) - performance.now();
      if (wait > 1) await sleep(wait);
      peer.sendPacket(101, p.rtpPayload, { marker: p.marker, ts: p.timestamp, seq: p.sequence });
    }
    // What the phone sends next (its voice) is a source of its own, not a continuation of the capture's numbering.
    peer.restart();
    await sleep(250);
  }
}

export interface Segment {
  startMs: number;
  endMs: number;
}

/**
 * Stretches of sound in what was heard (20 ms a packet, 8 kHz): 100 ms blocks louder than
 * -45 dBFS, pauses shorter than `mergeMs` (between words) bridged.
 */
export function soundSegments(samples: Int16Array, mergeMs = 700, rate = 8000): Segment[] {
  const block = rate / 10;
  const out: Segment[] = [];
  for (let i = 0; i + block <= samples.length; i += block) {
    if (levelDbfs(samples.subarray(i, i + block)) < -45) continue;
    const startMs = (i / rate) * 1000;
    const last = out.at(-1);
    if (last && startMs - last.endMs <= mergeMs) last.endMs = startMs + 100;
    else out.push({ startMs, endMs: startMs + 100 });
  }
  return out;
}

/** Waits until the peer has heard at least `ms` of sound (a prompt is playing). */
export async function waitForSound(peer: RtpPeer, ms: number, timeoutMs = 15_000, from = 0): Promise<void> {
  await peer.waitFor(
    () => soundSegments(peer.heard(from)).some((s) => s.endMs - s.startMs >= ms),
    timeoutMs,
    `${ms} ms of sound`,
  );
}

/** The last 200 ms are the voicemail tone: a steady 1 kHz, loud (speech has 1 kHz in it too, never alone). */
export function isBeep(samples: Int16Array): boolean {
  return samples.length >= 1600 && levelDbfs(samples) > -25 && Math.abs(dominantFrequency(samples, 8000) - 1000) < 20 && hasTone(samples, 8000, 1000, -20);
}

/** Waits for the voicemail tone and its end; returns the packet index from which the caller's message counts. */
export async function waitForBeep(peer: RtpPeer, from: number): Promise<number> {
  await peer.waitFor(() => isBeep(peer.heard(Math.max(from, peer.received.length - 10))), 15_000, 'the beep');
  await peer.waitFor(() => levelDbfs(peer.heard(peer.received.length - 5)) < -45, 2000, 'the beep to end');
  return peer.received.length;
}

/** With IVR_TEST_LOG set: a timestamped line in IVR_TEST_LOG.trace (where a slow test spends its time). */
export function trace(m: string): void {
  if (process.env.IVR_TEST_LOG) appendFileSync(`${process.env.IVR_TEST_LOG}.trace`, `${new Date().toISOString()} ${m}\n`);
}

/** The callbacks table, read from the server's database. */
export function callbacksOf(rig: Rig): any[] {
  const db = new Database(path.join(rig.sb.dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM callbacks ORDER BY created_at').all();
  } finally {
    db.close();
  }
}
