// Media timeout: no RTP for mediaTimeoutMs while the far end should be sending → media_timeout,
// once; on hold (inactive) the longer hold timeout applies.
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine, type MediaTimeoutEvent } from '../../media/engine/index.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { answeredLeg, closeAll, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

describe('media timeout', () => {
  it('fires once when RTP stops, not while the stream is on hold', async () => {
    engine = new InProcessMediaEngine({ portMin: 31680, portMax: 31719, mediaTimeoutMs: 250, holdTimeoutMs: 60_000 });
    const events: MediaTimeoutEvent[] = [];
    engine.on('media_timeout', (e) => events.push(e));
    const session = await engine.createSession();
    const talking = await answeredLeg(session, { codec: 'PCMU' });
    // The second far end holds the call (inactive): it will send nothing, rightly.
    const held = await answeredLeg(session, { codec: 'PCMU' }, { sdp: (p) => p.sdp({ direction: 'inactive' }) });
    peers.push(talking.peer, held.peer);
    expect(held.localSdp).toContain('a=inactive');

    await talking.peer.play(tone(talking.peer, 440, 0.2));
    await sleep(150);
    expect(events).toEqual([]); // still within the timeout after the last packet
    await talking.peer.waitFor(() => events.length > 0, 2000, 'media_timeout');
    await sleep(400);
    expect(events.length).toBe(1);
    expect(events[0]).toMatchObject({ sessionId: session.id, endpointId: talking.endpointId });
    expect(events[0]!.idleMs).toBeGreaterThanOrEqual(250);

    // RTP again re-arms it.
    await talking.peer.play(tone(talking.peer, 440, 0.1));
    await talking.peer.waitFor(() => events.length > 1, 2000, 'a second media_timeout');
    expect(events.map((e) => e.endpointId)).toEqual([talking.endpointId, talking.endpointId]);
  });
});
