// The audio formats SDP names and the ones the media plane can carry. Encoding names are the
// SDP ones the codec registry (media/codecs/) also uses: PCMU, PCMA, G722, opus, L16.

/** A payload format as an m= line and its rtpmap/fmtp describe it. */
export interface PayloadFormat {
  payloadType: number;
  /** Encoding name; known names in canonical case ("opus", "telephone-event"); '' for a dynamic PT without rtpmap. */
  name: string;
  /** RTP clock rate; 0 when the rtpmap gives none we can read. */
  clockRate: number;
  channels: number;
  /** The format's a=fmtp parameters as written, without the PT. */
  fmtp?: string;
}

export type CodecName = 'PCMU' | 'PCMA' | 'G722' | 'opus' | 'L16';

export const TELEPHONE_EVENT = 'telephone-event';

/**
 * RFC 3551 §6, Table 4: the static audio payload types. A static PT may be listed without an
 * rtpmap; its meaning then comes from here. PTs 1, 2 and 19 are reserved.
 */
const STATIC_AUDIO: ReadonlyMap<number, readonly [name: string, clockRate: number, channels: number]> = new Map([
  [0, ['PCMU', 8000, 1]],
  [3, ['GSM', 8000, 1]],
  [4, ['G723', 8000, 1]],
  [5, ['DVI4', 8000, 1]],
  [6, ['DVI4', 16000, 1]],
  [7, ['LPC', 8000, 1]],
  [8, ['PCMA', 8000, 1]],
  [9, ['G722', 8000, 1]],
  [10, ['L16', 44100, 2]],
  [11, ['L16', 44100, 1]],
  [12, ['QCELP', 8000, 1]],
  [13, ['CN', 8000, 1]],
  [14, ['MPA', 90000, 1]],
  [15, ['G728', 8000, 1]],
  [16, ['DVI4', 11025, 1]],
  [17, ['DVI4', 22050, 1]],
  [18, ['G729', 8000, 1]],
] as const);

export function staticFormat(payloadType: number): PayloadFormat | undefined {
  const entry = STATIC_AUDIO.get(payloadType);
  return entry && { payloadType, name: entry[0], clockRate: entry[1], channels: entry[2] };
}

/** RFC 4855 §3: encoding names are case-insensitive. Ours are written the way their RFCs write them. */
const CANONICAL: ReadonlyMap<string, string> = new Map([
  ['PCMU', 'PCMU'],
  ['PCMA', 'PCMA'],
  ['G722', 'G722'],
  ['OPUS', 'opus'],
  ['L16', 'L16'],
  ['TELEPHONE-EVENT', TELEPHONE_EVENT],
]);

export function canonicalName(name: string): string {
  return CANONICAL.get(name.toUpperCase()) ?? name;
}

/** RTP clock rates L16 may use here: the rates media/dsp/resample.ts converts between. */
export const L16_RATES: readonly number[] = [8000, 16000, 48000];

/** One entry of a local codec priority list: "PCMU", "opus", "L16" (any of L16_RATES) or "L16/16000". */
export interface CodecSpec {
  name: CodecName;
  /** Set for L16 when the list names a rate. */
  clockRate?: number;
}

export interface CodecTraits {
  /** Static payload type, when the codec has one. */
  staticPayloadType?: number;
  clockRate: number;
  /** Audio sample rate; differs from the clock rate for G.722. */
  sampleRate: number;
  channels: number;
}

/**
 * RFC 3551 §4.5.2: "Even though the actual sampling rate for G.722 audio is 16,000 Hz, the RTP
 * clock rate for the G722 payload format is 8,000 Hz because that value was erroneously assigned
 * in RFC 1890 and must remain unchanged for backward compatibility."
 * RFC 7587 §7: "The RTP clock rate in "a=rtpmap" MUST be 48000, and the number of channels MUST be 2."
 */
const TRAITS: Record<Exclude<CodecName, 'L16'>, CodecTraits> = {
  PCMU: { staticPayloadType: 0, clockRate: 8000, sampleRate: 8000, channels: 1 },
  PCMA: { staticPayloadType: 8, clockRate: 8000, sampleRate: 8000, channels: 1 },
  G722: { staticPayloadType: 9, clockRate: 8000, sampleRate: 16000, channels: 1 },
  opus: { clockRate: 48000, sampleRate: 48000, channels: 2 },
};

/** L16 offered without a rate in the local list: narrowband, as Asterisk's "slin" and FreeSWITCH's default. */
const L16_DEFAULT_RATE = 8000;

export function codecTraits(spec: CodecSpec): CodecTraits {
  if (spec.name === 'L16') {
    const rate = spec.clockRate ?? L16_DEFAULT_RATE;
    return { clockRate: rate, sampleRate: rate, channels: 1 };
  }
  return TRAITS[spec.name];
}

/** Reads one entry of a local priority list. Unknown names are a programming error, not bad SDP. */
export function parseCodecSpec(entry: string): CodecSpec {
  const slash = entry.indexOf('/');
  const name = canonicalName(slash < 0 ? entry : entry.slice(0, slash));
  if (name !== 'PCMU' && name !== 'PCMA' && name !== 'G722' && name !== 'opus' && name !== 'L16') {
    throw new RangeError(`unknown codec ${JSON.stringify(entry)}: the media plane carries PCMU, PCMA, G722, opus and L16`);
  }
  if (slash < 0) return { name };
  const rate = Number(entry.slice(slash + 1));
  if (name !== 'L16' || !L16_RATES.includes(rate)) {
    throw new RangeError(`codec ${JSON.stringify(entry)}: only L16 takes a rate, one of ${L16_RATES.join(', ')}`);
  }
  return { name, clockRate: rate };
}

/** Whether an offered or answered format is the codec `spec` names, at a rate and channel count we carry. */
export function formatMatches(format: PayloadFormat, spec: CodecSpec): boolean {
  if (format.name !== spec.name) return false;
  if (spec.name === 'L16') {
    return format.channels === 1 && (spec.clockRate === undefined ? L16_RATES.includes(format.clockRate) : format.clockRate === spec.clockRate);
  }
  const t = TRAITS[spec.name];
  return format.clockRate === t.clockRate && format.channels === t.channels;
}

/** The spec a supported format corresponds to, or undefined when we cannot carry it. */
export function specOf(format: PayloadFormat): CodecSpec | undefined {
  switch (format.name) {
    case 'PCMU':
    case 'PCMA':
    case 'G722':
    case 'opus': {
      const spec: CodecSpec = { name: format.name };
      return formatMatches(format, spec) ? spec : undefined;
    }
    case 'L16':
      return formatMatches(format, { name: 'L16' }) ? { name: 'L16', clockRate: format.clockRate } : undefined;
    default:
      return undefined;
  }
}

/** The format's rtpmap as we write it: dynamic payload types MUST have one, static ones SHOULD (RFC 3264 §6.1). */
export function formatFor(spec: CodecSpec, payloadType: number): PayloadFormat {
  const t = codecTraits(spec);
  return { payloadType, name: spec.name, clockRate: t.clockRate, channels: t.channels };
}
