// Leading and trailing silence: found while recording, cut on finalize.
//
// SpeechBounds watches every frame as it is written (the recorder already walks its samples)
// and remembers the first and last frame whose RMS reaches the threshold, so finalize needs no
// second pass over a file that may be hours long. trimWavFile then copies the kept range into
// a new file and renames it over the old one: a crash mid-trim leaves the untrimmed original.
import { open, rename, unlink } from 'node:fs/promises';
import { PCM_WAV_HEADER_BYTES, blockAlign, headerBytes, type PcmFormat } from './pcm-wav-header.js';

export interface TrimOptions {
  /** A frame is sound, not silence, when its RMS (all channels) reaches this level. Default -40 dBFS. */
  thresholdDbfs?: number;
  /** Silence kept before the first and after the last sound, so onsets and decays are not clipped. Default 300 ms. */
  padMs?: number;
}

export const DEFAULT_TRIM_THRESHOLD_DBFS = -40;
export const DEFAULT_TRIM_PAD_MS = 300;

/** Tracks where sound starts and ends in a stream of frames. Allocates nothing per frame. */
export class SpeechBounds {
  /** Mean square (in Int16 units²) a frame must reach to count as sound. */
  private readonly threshold: number;
  /** First sample frame of the first loud frame; -1 while none was heard. */
  first = -1;
  /** Sample frame just after the last loud frame. */
  end = 0;

  constructor(thresholdDbfs = DEFAULT_TRIM_THRESHOLD_DBFS) {
    const rmsAmplitude = 32768 * Math.pow(10, thresholdDbfs / 20);
    this.threshold = rmsAmplitude * rmsAmplitude;
  }

  /**
   * Looks at `length` interleaved samples from samples[offset], which hold the sample frames
   * [frameStart, frameEnd) of the recording.
   */
  observe(samples: Int16Array, offset: number, length: number, frameStart: number, frameEnd: number): void {
    if (length <= 0) return;
    let sum = 0;
    for (let i = offset; i < offset + length; i++) {
      const v = samples[i]!;
      sum += v * v;
    }
    if (sum < this.threshold * length) return;
    if (this.first < 0) this.first = frameStart;
    this.end = frameEnd;
  }

  /** The sample frames to keep of `total`, with `pad` frames of silence either side; empty when all was silence. */
  keep(total: number, pad: number): { start: number; end: number } {
    if (this.first < 0) return { start: 0, end: 0 };
    return { start: Math.max(0, this.first - pad), end: Math.min(total, this.end + pad) };
  }
}

const COPY_BYTES = 64 * 1024;

/**
 * Rewrites the recorder's WAV at `file` (44-byte header) to hold only sample frames
 * [start, end). Copies through `${file}.part`, then renames it over `file`.
 */
export async function trimWavFile(file: string, format: PcmFormat, start: number, end: number): Promise<void> {
  const align = blockAlign(format);
  const from = PCM_WAV_HEADER_BYTES + start * align;
  const dataBytes = Math.max(0, end - start) * align;
  const part = `${file}.part`;
  const src = await open(file, 'r');
  let dest: Awaited<ReturnType<typeof open>> | null = null;
  try {
    dest = await open(part, 'w');
    const header = headerBytes(format, dataBytes);
    await dest.write(header, 0, header.length, 0);
    const buf = new Uint8Array(COPY_BYTES);
    let copied = 0;
    // Bounded: each pass copies at least one byte or stops.
    while (copied < dataBytes) {
      const want = Math.min(COPY_BYTES, dataBytes - copied);
      const { bytesRead } = await src.read(buf, 0, want, from + copied);
      if (bytesRead === 0) break;
      await dest.write(buf, 0, bytesRead, PCM_WAV_HEADER_BYTES + copied);
      copied += bytesRead;
    }
    if (copied < dataBytes) throw new Error(`${file} ended ${dataBytes - copied} bytes early while trimming`);
    await dest.datasync();
    await dest.close();
    dest = null;
    await rename(part, file);
  } catch (err) {
    await dest?.close().catch(() => undefined);
    await unlink(part).catch(() => undefined);
    throw err;
  } finally {
    await src.close();
  }
}
