// The call's room in the media engine and what is played in it: the modes its members are in
// (only changes are sent), ringback to a waiting agent, prompts played to one leg that the
// call waits for (a whisper message before a consult party joins), and the SDP answers of the
// endpoints to the peers' re-offers.
import type { IncomingOffer } from '../../sip/ua/index.js';
import type { MediaSessionHandle, ModeSpec, PlayItem } from '../../media/engine/index.js';
import type { BridgeLog } from './bridge-log.js';

const RINGBACK: PlayItem[] = [{ type: 'tone', frequencies: [440, 480], level: -16, onMs: 2000, offMs: 4000, durationMs: 6000 }];

const modeKey = (m: ModeSpec): string => (m.mode === 'whisper' ? `whisper:${m.target}` : m.mode);

export class CallRoom {
  private roomId: string | undefined;
  /** The mode last set on each endpoint in the room. */
  private readonly modes = new Map<string, string>();
  private ringbackId: string | undefined;
  private readonly playWaiters = new Map<string, () => void>();

  constructor(
    private readonly media: MediaSessionHandle,
    private readonly log: BridgeLog,
    private readonly callId: string,
  ) {}

  get isOpen(): boolean {
    return this.roomId !== undefined;
  }

  /** The room's id, for a mono recording. */
  get id(): string | undefined {
    return this.roomId;
  }

  /**
   * Opens the room with `members` joined in their modes, in one command; when it is open
   * already, they join it one by one.
   */
  async open(members: { endpointId: string; mode: ModeSpec }[] = []): Promise<void> {
    if (this.roomId !== undefined) {
      for (const m of members) await this.join(m.endpointId, m.mode);
      return;
    }
    const roomId = (await this.media.createRoom(members.map((m) => ({ endpointId: m.endpointId, ...(m.mode.mode === 'normal' ? {} : { mode: m.mode }) })))).roomId;
    // Opened meanwhile by someone else (two connects): ours joins theirs instead.
    if (this.roomId !== undefined) {
      await this.media.destroy(roomId).catch(() => undefined);
      for (const m of members) await this.join(m.endpointId, m.mode);
      return;
    }
    this.roomId = roomId;
    for (const m of members) this.modes.set(m.endpointId, modeKey(m.mode));
  }

  /** Joins an endpoint in its mode at once: a listening supervisor is never heard, not even for a tick. */
  async join(endpointId: string, mode: ModeSpec): Promise<void> {
    await this.media.join(this.roomId!, endpointId, mode.mode === 'normal' ? undefined : mode);
    this.modes.set(endpointId, modeKey(mode));
  }

  /** Sets a member's mode unless it is in it already; a failure is logged, and retried by the next call. */
  async setMode(endpointId: string, mode: ModeSpec): Promise<void> {
    const key = modeKey(mode);
    if (this.modes.get(endpointId) === key) return;
    this.modes.set(endpointId, key);
    await this.media.setMode(endpointId, mode).catch((err: unknown) => {
      this.modes.delete(endpointId);
      this.log.warn({ call: this.callId, endpoint: endpointId, mode: key, err: (err as Error).message }, 'mode not applied');
    });
  }

  /** The endpoint left (or is about to be destroyed). */
  forget(endpointId: string): void {
    this.modes.delete(endpointId);
  }

  /** US ringback to one endpoint until stopRingback (an agent waiting for the far end). */
  async ringback(endpointId: string): Promise<void> {
    const { playId } = await this.media.play(endpointId, RINGBACK, { loop: true });
    this.ringbackId = playId;
  }

  async stopRingback(): Promise<void> {
    if (!this.ringbackId) return;
    const id = this.ringbackId;
    this.ringbackId = undefined;
    await this.media.stopPlay(id).catch(() => undefined);
  }

  /** Plays `items` to one endpoint alone; resolves when they have played (or after `maxMs`). */
  async playTo(endpointId: string, items: PlayItem[], maxMs: number): Promise<void> {
    const { playId } = await this.media.play(endpointId, items);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.playbackDone(playId), maxMs);
      this.playWaiters.set(playId, () => {
        clearTimeout(timer);
        this.playWaiters.delete(playId);
        resolve();
      });
    });
  }

  /** The engine's playback_done for a play in this call's session. */
  playbackDone(playId: string): void {
    this.playWaiters.get(playId)?.();
  }

  /**
   * A peer's re-INVITE or UPDATE: the endpoint answers (an offerless re-INVITE gets our offer).
   * True when the offer carried SDP and was accepted.
   */
  async answerOffer(endpointId: string, offer: IncomingOffer): Promise<boolean> {
    if (offer.sdp === undefined) {
      try {
        offer.accept((await this.media.offer(endpointId)).localSdp);
      } catch {
        offer.reject(500);
      }
      return false;
    }
    try {
      offer.accept((await this.media.updateEndpoint(endpointId, offer.sdp)).localSdp);
      return true;
    } catch (err) {
      offer.reject((err as { sipStatus?: number }).sipStatus ?? 488);
      return false;
    }
  }

  /** The call is over: nobody waits for a prompt any more. */
  close(): void {
    for (const done of [...this.playWaiters.values()]) done();
  }
}
