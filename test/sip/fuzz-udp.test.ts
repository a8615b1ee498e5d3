// A bounded fuzz over real UDP: 3,000 mutated torture messages sent to the running
// server; it neither crashes nor stops answering, and nothing it sends leaves
// 127.0.0.1 (every message's Via points at the test socket).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { useServerAndPeer } from '../helpers/sip-server.js';
import { simpleRequest, viaToPeer } from '../helpers/sip-udp.js';
import { mutate, prng } from '../../sip/message/mutate.js';

const CORPUS = path.resolve(ROOT, '../shared/fixtures/rfc4475');
const t = useServerAndPeer();

describe('fuzzing over UDP', () => {
  it('survives 3,000 mutated messages and still answers OPTIONS', async () => {
    const { sb, peer } = t;
    const seeds = readdirSync(CORPUS)
      .filter((f) => f.endsWith('.dat'))
      .map((f) => viaToPeer(readFileSync(path.join(CORPUS, f)), peer.port));
    const rand = prng(5118);
    for (let i = 0; i < 3000; i++) {
      await peer.send(mutate(seeds[i % seeds.length]!, rand), sb.sipPort);
      // Pace the burst a little so the test measures robustness, not socket buffers.
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
    }
    const options = simpleRequest({ method: 'OPTIONS', port: peer.port, branch: 'z9hG4bK-after-fuzz', callId: 'after-fuzz@127.0.0.1', user: 'probe' });
    await peer.send(options, sb.sipPort);
    const r = await peer.response(5000, 'after-fuzz@127.0.0.1');
    expect(r?.status).toBe(200);
    expect(sb.process.exitCode).toBeNull();
    expect(sb.stderr()).not.toMatch(/TypeError|RangeError|uncaught/i);
  });
});
