// MPEG audio frame headers (ISO/IEC 11172-3 §2.4.1.3, extended by ISO/IEC 13818-3 for
// MPEG-2 and by the unofficial MPEG-2.5 for the lowest sample rates).
//
//  AAAAAAAA AAABBCCD EEEEFFGH IIJJKLMM
//  A sync (11 ones)        B version: 00 MPEG-2.5, 01 reserved, 10 MPEG-2, 11 MPEG-1
//  C layer: 01 III, 10 II, 11 I     D protection: 0 means a 16-bit CRC follows the header
//  E bitrate index          F sample-rate index      G padding      H private
//  I channel mode: 00 stereo, 01 joint stereo, 10 dual channel, 11 mono
//  J mode extension   K copyright   L original   M emphasis (10 is reserved)

export type MpegVersion = '1' | '2' | '2.5';
export type ChannelMode = 'stereo' | 'joint_stereo' | 'dual_channel' | 'mono';

export interface MpegFrameHeader {
  version: MpegVersion;
  layer: 1 | 2 | 3;
  /** kbit/s */
  bitrate: number;
  sampleRate: number;
  padding: boolean;
  /** A CRC-16 follows the 4-byte header. */
  crc: boolean;
  channelMode: ChannelMode;
  channels: 1 | 2;
  samplesPerFrame: number;
  /** Bytes from this header to the next one. */
  frameLength: number;
}

// kbit/s by bitrate index 1..14 (0 is "free format", 15 is forbidden).
const BITRATES: Record<string, number[]> = {
  '1-1': [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

const SAMPLE_RATES: Record<MpegVersion, number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

const VERSIONS: (MpegVersion | undefined)[] = ['2.5', undefined, '2', '1'];
const LAYERS: (1 | 2 | 3 | undefined)[] = [undefined, 3, 2, 1];
const MODES: ChannelMode[] = ['stereo', 'joint_stereo', 'dual_channel', 'mono'];

/** The header in the first 4 bytes of `b`, or undefined when they are not a valid one. */
export function parseMpegFrameHeader(b: Uint8Array): MpegFrameHeader | undefined {
  if (b.length < 4 || b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) return undefined;
  const version = VERSIONS[(b[1]! >> 3) & 3];
  const layer = LAYERS[(b[1]! >> 1) & 3];
  const bitrateIndex = b[2]! >> 4;
  const rateIndex = (b[2]! >> 2) & 3;
  if (!version || !layer || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3 || (b[3]! & 3) === 2) {
    return undefined;
  }
  const table = version === '1' ? `1-${layer}` : layer === 1 ? '2-1' : '2-2';
  const bitrate = BITRATES[table]![bitrateIndex - 1]!;
  const sampleRate = SAMPLE_RATES[version][rateIndex]!;
  const padding = (b[2]! & 2) !== 0;
  const channelMode = MODES[b[3]! >> 6]!;

  let samplesPerFrame: number;
  let frameLength: number;
  if (layer === 1) {
    // Layer I counts in 4-byte slots.
    samplesPerFrame = 384;
    frameLength = (Math.floor((12 * bitrate * 1000) / sampleRate) + (padding ? 1 : 0)) * 4;
  } else {
    // MPEG-2/2.5 Layer III frames hold one granule (576 samples), MPEG-1 two.
    samplesPerFrame = layer === 3 && version !== '1' ? 576 : 1152;
    const bytesPerSample = samplesPerFrame / 8;
    frameLength = Math.floor((bytesPerSample * bitrate * 1000) / sampleRate) + (padding ? 1 : 0);
  }
  return {
    version,
    layer,
    bitrate,
    sampleRate,
    padding,
    crc: (b[1]! & 1) === 0,
    channelMode,
    channels: channelMode === 'mono' ? 1 : 2,
    samplesPerFrame,
    frameLength,
  };
}

/** Frames of one stream share version, layer and sample rate; a false sync rarely does. */
export function sameStream(a: MpegFrameHeader, b: MpegFrameHeader): boolean {
  return a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;
}

/** Bytes of Layer III side information after the header (and its CRC). */
export function sideInfoLength(h: MpegFrameHeader): number {
  if (h.version === '1') return h.channels === 1 ? 17 : 32;
  return h.channels === 1 ? 9 : 17;
}
