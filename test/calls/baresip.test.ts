// baresip, a real softphone, as one party of a call through Switchboard: it registers as an
// extension (digest), and a carrier's call (SIPp from 127.0.0.2 with an RTP peer) to a number
// routed to that extension is answered by it. baresip runs headless (test/calls/baresip/config):
// its microphone is a 440 Hz sine and it dumps what it hears to a WAV file, so both directions of
// the audio are checked: the carrier hears baresip's tone, baresip hears the carrier's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dominantFrequency } from '../helpers/tone-analysis.js';
import { freeUdpPort } from '../helpers/sip-ua.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { ROOT } from '../helpers/server.js';
import { CARRIER_IP, aim, carries, hasStatus, newestCallTo, party, rtpPeer, sleep, startRig, tone, waitForCall, wavChannels, type Rig } from './call-rig.js';

const BOB = { username: 'bob', password: 'bob-secret-pw-1', extension: '102' };
const NUMBER = '+14155550188';
/** What baresip's microphone plays, and what the carrier says. */
const BARESIP_HZ = 440;
const CARRIER_HZ = 700;

let rig: Rig;
let bobId: string;
let phone: { process: ChildProcess; dir: string; dumps: string; sipPort: number; output: () => string };
const peers: RtpPeer[] = [];

/** baresip with the fixture's config and one account: bob at this Switchboard, answering at once. */
async function startBaresip(sipPort: number): Promise<typeof phone> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-baresip-'));
  const dumps = path.join(dir, 'dumps');
  mkdirSync(dumps);
  const rtpMin = 59000 + 200 * Math.floor(Math.random() * 9);
  const phonePort = await freeUdpPort();
  const fields: Record<string, string> = {
    sip_port: String(phonePort),
    rtp_min: String(rtpMin),
    rtp_max: String(rtpMin + 199),
    tone_hz: String(BARESIP_HZ),
    dump_dir: dumps,
  };
  const template = readFileSync(path.join(ROOT, 'test/calls/baresip/config'), 'utf8');
  writeFileSync(path.join(dir, 'config'), template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => fields[k] ?? ''));
  writeFileSync(path.join(dir, 'accounts'), `<sip:${BOB.username}@127.0.0.1:${sipPort}>;auth_pass=${BOB.password};answermode=auto;regint=300\n`);
  writeFileSync(path.join(dir, 'contacts'), '');
  // -s: SIP trace on stdout. -t: baresip quits by itself after a minute, should this process
  // die without stopping it.
  const child = spawn('baresip', ['-f', dir, '-s', '-t', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.on('error', (err) => (out += `\n${err.message}`));
  return { process: child, dir, dumps, sipPort: phonePort, output: () => out };
}

async function stopBaresip(): Promise<void> {
  const p = phone?.process;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  const installed = spawnSync('baresip', ['-h']);
  if (installed.error) throw new Error('baresip is not installed: run scripts/setup.sh (it installs the test packages of scripts/debian-packages-test.txt)');
  rig = await startRig({ register: false });
  const bob = await rig.api.post('/api/v1/voice/sip-credentials', BOB);
  expect(bob.status, bob.text).toBe(201);
  bobId = bob.body.data.id;
  const route = await rig.api.put(`/api/v1/numbers/${encodeURIComponent(NUMBER)}/routing`, { type: 'extension', extension_id: bobId });
  expect(route.status, route.text).toBe(200);

  phone = await startBaresip(rig.sb.sipPort);
  for (let i = 0; i < 100; i++) {
    const c = await rig.api.get(`/api/v1/voice/sip-credentials/${bobId}`);
    if (c.body.data.registrations.length > 0) return;
    if (phone.process.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`baresip did not register:\n${phone.output()}`);
});

afterAll(async () => {
  await stopBaresip();
  if (phone) rmSync(phone.dir, { recursive: true, force: true });
  for (const p of peers) await p.close();
  await rig?.sb.stop();
});

describe('baresip as a registered phone', () => {
  it('shows its registration, made with digest credentials, on the extension', async () => {
    const c = await rig.api.get(`/api/v1/voice/sip-credentials/${bobId}`);
    const reg = c.body.data.registrations[0];
    // baresip's Contact: bob-<instance>@ its own SIP address.
    expect(reg.contact).toMatch(new RegExp(`^<?sip:bob[^@]*@127\\.0\\.0\\.1:${phone.sipPort}[;>]?`));
    // On the wire (baresip's SIP trace): the first REGISTER was challenged, the retry carried
    // bob's digest, and baresip reports the registration made.
    const trace = phone.output();
    expect(trace).toMatch(/SIP\/2\.0 401 Unauthorized/);
    expect(trace).toMatch(/^Authorization: Digest username="bob"/m);
    expect(trace).toMatch(/bob@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/);
  });

  it('answers a carrier call to its number; each side hears the other through the anchored media', async () => {
    const since = new Date().toISOString();
    const carrierRtp = await rtpPeer(CARRIER_IP);
    peers.push(carrierRtp);
    const caller = party({ scenario: 'caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, rtp: carrierRtp, pauseMs: 3500 });
    await aim(carrierRtp, caller);
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('in_progress'), 'in_progress');
    expect(call).toMatchObject({ direction: 'inbound', to: NUMBER, callee_extension_id: bobId, trunk_id: rig.trunkId });

    // baresip starts its tone as it answers; the carrier talks for 1.5 s meanwhile.
    await sleep(300);
    const from = carrierRtp.received.length;
    await carrierRtp.play(tone(CARRIER_HZ, 1500));
    const heard = carrierRtp.heard(from);
    expect(carries(heard, BARESIP_HZ, CARRIER_HZ), 'the carrier hears baresip').toBe(true);
    expect(Math.abs(dominantFrequency(heard, 8000) - BARESIP_HZ)).toBeLessThan(10);

    const c = await caller.done;
    expect(c.code, c.output).toBe(0);
    const ended = await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    expect(ended).toMatchObject({ hangup_side: 'caller', sip_final_status: 200 });
    expect(ended.quality).toMatchObject({ one_way_audio: false });

    // What baresip heard: its decoder's output, dumped by sndfile (closed when the call ends).
    let dec: string | undefined;
    for (let i = 0; i < 50 && !dec; i++) {
      dec = readdirSync(phone.dumps).find((f) => f.endsWith('-dec.wav'));
      if (!dec) await sleep(100);
    }
    expect(dec, `no dump of what baresip heard in ${phone.dumps}:\n${phone.output()}`).toBeDefined();
    const wav = wavChannels(readFileSync(path.join(phone.dumps, dec!)));
    expect(carries(wav.channels[0]!, CARRIER_HZ, BARESIP_HZ, wav.rate), 'baresip hears the carrier').toBe(true);
  });
});
