// Who hears whom in a room. Every mode of the issue is one pair of audiences per member:
//
//   listensTo  the speakers this member wants to hear    ('everyone', 'nobody' or a set)
//   heardBy    the listeners allowed to hear this member ('everyone', 'nobody' or a set)
//
// and listener L hears speaker S when S ≠ L, S is in L.listensTo and L is in S.heardBy. The set a
// member hears (its "hears" set, hearsSet below) is derived, so a newcomer is heard at once by the
// members listening to everyone, and a muted member stays unheard whoever joins after.
//
//   mode      listensTo   heardBy      meaning
//   normal    everyone    everyone     hears everyone but self
//   mute      (kept)      nobody       heard by nobody
//   deaf      nobody      (kept)       hears nobody
//   hold      {music}     nobody       hears a music source (which is made heard by it), heard by nobody
//   listen    everyone    nobody       monitor: hears all, heard by none
//   whisper   everyone    {target}     heard only by the target (a coach talking to an agent)
//   barge     everyone    everyone     a supervisor joining the call: hears and is heard by all
//
// setHears(p, set) sets the listener side directly; the speakers' side still applies, so a muted
// member is heard by nobody, recorders included.
import type { Member } from './member.js';

export type Audience = 'everyone' | 'nobody' | ReadonlySet<Member>;

export type ModeName = 'normal' | 'mute' | 'deaf' | 'mute+deaf' | 'hold' | 'listen' | 'whisper' | 'barge' | 'custom';

export interface Audibility {
  readonly mode: ModeName;
  readonly listensTo: Audience;
  readonly heardBy: Audience;
  /** The source a held member listens to (made to hear it by the room). */
  readonly holdMusic: Member | null;
}

export function includes(audience: Audience, m: Member): boolean {
  if (audience === 'everyone') return true;
  if (audience === 'nobody') return false;
  return audience.has(m);
}

/** Names the plain combinations; helpers that mean more (listen, whisper, barge, hold) name themselves. */
function nameOf(listensTo: Audience, heardBy: Audience): ModeName {
  if (listensTo === 'everyone' && heardBy === 'everyone') return 'normal';
  if (listensTo === 'everyone' && heardBy === 'nobody') return 'mute';
  if (listensTo === 'nobody' && heardBy === 'everyone') return 'deaf';
  if (listensTo === 'nobody' && heardBy === 'nobody') return 'mute+deaf';
  return 'custom';
}

export function normal(): Audibility {
  return { mode: 'normal', listensTo: 'everyone', heardBy: 'everyone', holdMusic: null };
}

export function barge(): Audibility {
  return { mode: 'barge', listensTo: 'everyone', heardBy: 'everyone', holdMusic: null };
}

export function listen(): Audibility {
  return { mode: 'listen', listensTo: 'everyone', heardBy: 'nobody', holdMusic: null };
}

export function whisper(target: Member): Audibility {
  return { mode: 'whisper', listensTo: 'everyone', heardBy: new Set([target]), holdMusic: null };
}

/** Hold with `music` (a feed playing hold music), or with nothing to hear when music is null. */
export function hold(music: Member | null): Audibility {
  return { mode: 'hold', listensTo: music === null ? 'nobody' : new Set([music]), heardBy: 'nobody', holdMusic: music };
}

/** Mute (on) or unmute: only the speaker side changes, so mute and deaf combine. */
export function mute(current: Audibility, on: boolean): Audibility {
  const heardBy: Audience = on ? 'nobody' : 'everyone';
  return { mode: nameOf(current.listensTo, heardBy), listensTo: current.listensTo, heardBy, holdMusic: current.holdMusic };
}

/** Deafen (on) or undeafen: only the listener side changes. */
export function deaf(current: Audibility, on: boolean): Audibility {
  const listensTo: Audience = on ? 'nobody' : 'everyone';
  return { mode: nameOf(listensTo, current.heardBy), listensTo, heardBy: current.heardBy, holdMusic: null };
}

/** The raw listener side: hear exactly these (as far as each allows); null goes back to everyone. */
export function withHears(current: Audibility, set: ReadonlySet<Member> | null): Audibility {
  const listensTo: Audience = set === null ? 'everyone' : new Set(set);
  return { mode: set === null ? nameOf(listensTo, current.heardBy) : 'custom', listensTo, heardBy: current.heardBy, holdMusic: null };
}

/** The raw speaker side (a player "heard by" chosen participants, or everyone). */
export function withHeardBy(current: Audibility, audience: Audience): Audibility {
  const heardBy: Audience = typeof audience === 'string' ? audience : new Set(audience);
  const mode = current.mode === 'hold' ? 'hold' : nameOf(current.listensTo, heardBy);
  return { mode, listensTo: current.listensTo, heardBy, holdMusic: current.holdMusic };
}

/** Adds (or removes) one listener to a speaker's heardBy, keeping 'everyone' as it is. */
export function heardByWith(current: Audibility, listener: Member, present: boolean): Audibility {
  const hb = current.heardBy;
  if (hb === 'everyone') return current;
  if (includes(hb, listener) === present) return current;
  const next = new Set(hb === 'nobody' ? [] : hb);
  if (present) next.add(listener);
  else next.delete(listener);
  return { ...current, heardBy: next.size === 0 ? 'nobody' : next };
}

/** Whether `listener` hears `speaker`: never itself, only speakers with a sound, only listeners with an output. */
export function hearsMember(listener: Member, l: Audibility, speaker: Member, s: Audibility): boolean {
  return (
    listener !== speaker &&
    listener.hasOutput &&
    speaker.input !== null &&
    includes(l.listensTo, speaker) &&
    includes(s.heardBy, listener)
  );
}
