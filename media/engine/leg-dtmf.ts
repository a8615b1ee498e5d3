// DTMF a session sends to its legs: RFC 4733 events in the leg's stream when telephone-event was
// negotiated, otherwise the Q.23 tones as a Feed of the leg's room heard by that leg alone. Legs
// with digits still going out are kept in `pending`, so the tone feed can be removed, and a
// bridge return to the relay path, once they are done.
import { assertDtmfDigits } from '../dtmf/digits.js';
import { DtmfGenerator } from '../dtmf/generator.js';
import { Feed } from '../room/member.js';
import type { FrameSource, SampleRate } from '../room/frame.js';
import { invalidArgument } from './engine-error.js';
import type { Leg } from './session-slots.js';

/** DtmfGenerator → FrameSource. */
class ToneSource implements FrameSource {
  constructor(
    readonly sampleRate: SampleRate,
    private readonly g: DtmfGenerator,
  ) {}
  readFrame(out: Int16Array): boolean {
    return this.g.fill(out);
  }
}

export class LegDtmf {
  private readonly pending = new Set<Leg>();

  /** Queues `digits` for the leg's far end; RangeError-free: bad digits are `invalid_argument`. */
  send(leg: Leg, digits: string, o: { toneMs?: number; gapMs?: number }): 'rfc4733' | 'inband' {
    try {
      assertDtmfDigits(digits);
      this.pending.add(leg);
      if (leg.endpoint.sendDtmf(digits, o)) return 'rfc4733';
      if (leg.dtmfTones === null) {
        const rate = leg.endpoint.participant.sampleRate;
        const generator = new DtmfGenerator({ sampleRate: rate });
        const feed = new Feed({ id: `${leg.endpoint.id}/dtmf`, source: new ToneSource(rate, generator) });
        leg.slot.room.add(feed);
        leg.slot.room.setHeardBy(feed, new Set([leg.endpoint.participant]));
        leg.dtmfTones = { generator, feed };
      }
      leg.dtmfTones.generator.enqueue(digits, o);
      return 'inband';
    } catch (err) {
      if (err instanceof RangeError) throw invalidArgument(err.message);
      throw err;
    }
  }

  get active(): boolean {
    return this.pending.size > 0;
  }

  /** After a tick: legs whose digits have all gone out lose their tone feed. True when any did. */
  settle(): boolean {
    let settled = false;
    for (const leg of this.pending) {
      const tones = leg.dtmfTones;
      if (leg.endpoint.sendingDtmf || (tones !== null && tones.generator.busy)) continue;
      if (tones !== null) {
        if (leg.slot.room.has(tones.feed)) leg.slot.room.remove(tones.feed);
        leg.dtmfTones = null;
      }
      this.pending.delete(leg);
      settled = true;
    }
    return settled;
  }

  forget(leg: Leg): void {
    this.pending.delete(leg);
  }
}
