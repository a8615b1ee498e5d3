// Repair of WAV files whose header sizes are stale: a recorder killed between two syncs leaves
// a header covering the audio up to the last sync (or 0xFFFFFFFF, or zero, when it died before
// the first), and a power cut can leave sizes larger than the file. Run over the recordings
// directory at start, before anything records.
//
//   "RIFF" | riff size | "WAVE" | chunk… | "data" | data size | samples … [partial frame] EOF
//                                           ▲ dataBody                          ▲ file length
//
// The data size becomes the whole sample frames between dataBody and the end of the file (a
// partial last frame, from a write cut short, is cut off) and the RIFF size the file length
// minus 8. A file whose data chunk is followed by well-formed chunks that end exactly at EOF
// (LIST, id3 from an editor) is consistent and left alone.
import { open, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { UNKNOWN_SIZE, readU32, writeU32 } from './pcm-wav-header.js';

export class WavRepairError extends Error {
  override name = 'WavRepairError';
}

export interface WavRepair {
  path: string;
  /** True when the header (or a partial last frame) was rewritten. */
  fixed: boolean;
  /** The data size the header now gives. */
  dataBytes: number;
  /** The data size the header gave before (0xFFFFFFFF = unknown). */
  previousDataBytes: number;
  /** Bytes cut from the end (a partial sample frame). */
  truncatedBytes: number;
}

export interface RecordingsRepair {
  /** Files whose header was rewritten. */
  fixed: WavRepair[];
  /** WAV files that could not be read or repaired, with the reason. */
  failed: { path: string; reason: string }[];
  /** Leftovers of a finalize cut short (*.part), deleted: the source WAV is still there. */
  removed: string[];
}

const MAX_CHUNKS = 1000;
const ascii = (b: Uint8Array): string => String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!);
const isChunkId = (b: Uint8Array): boolean => b.every((c) => c >= 0x20 && c <= 0x7e);
const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

type Handle = Awaited<ReturnType<typeof open>>;

async function readAt(fh: Handle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** True when well-formed chunks run from `pos` to exactly `size` (or `pos` is the end). */
async function chunksEndAt(fh: Handle, pos: number, size: number): Promise<boolean> {
  for (let n = 0; n < MAX_CHUNKS; n++) {
    if (pos === size) return true;
    if (pos + 8 > size) return false;
    const h = await readAt(fh, pos, 8);
    if (!isChunkId(h.subarray(0, 4))) return false;
    const ck = readU32(h, 4);
    pos += 8 + ck + (ck & 1);
  }
  return false;
}

/**
 * Recomputes the RIFF and data sizes of the WAV at `file` from its length (frame-aligned) when
 * they are unknown, zero, stale or beyond the end of the file. Throws WavRepairError for a file
 * that is not a WAV or whose chunks before the samples are broken.
 */
export async function repairWav(file: string): Promise<WavRepair> {
  const fh = await open(file, 'r+');
  try {
    const size = (await fh.stat()).size;
    const head = await readAt(fh, 0, 12);
    if (head.length < 12 || ascii(head) !== 'RIFF' || ascii(head.subarray(8)) !== 'WAVE') {
      throw new WavRepairError('not a RIFF/WAVE file');
    }
    const riffSize = readU32(head, 4);
    let align = 0;
    let sizeFieldAt = -1;
    let dataBody = -1;
    let pos = 12;
    for (let n = 0; n < MAX_CHUNKS && pos + 8 <= size; n++) {
      const h = await readAt(fh, pos, 8);
      const id = ascii(h);
      const ck = readU32(h, 4);
      if (id === 'data') {
        sizeFieldAt = pos + 4;
        dataBody = pos + 8;
        break;
      }
      if (id === 'fmt ') {
        const fmt = await readAt(fh, pos + 8, 16);
        if (fmt.length < 16) throw new WavRepairError('the fmt chunk is cut short');
        // The block alignment is the size of one sample frame for PCM; 0 from a careless writer
        // is recomputed from the channels and bits per sample.
        align = u16(fmt, 12) || u16(fmt, 2) * Math.ceil(u16(fmt, 14) / 8);
      }
      if (ck > size - (pos + 8)) throw new WavRepairError(`the ${JSON.stringify(id)} chunk runs past the end of the file`);
      pos += 8 + ck + (ck & 1);
    }
    if (dataBody < 0) throw new WavRepairError('no data chunk');
    if (align <= 0) throw new WavRepairError('no fmt chunk before the data (or one without a block alignment)');

    const declared = readU32(await readAt(fh, sizeFieldAt, 4), 0);
    const available = size - dataBody;
    const consistent =
      declared !== UNKNOWN_SIZE &&
      declared <= available &&
      declared % align === 0 &&
      (await chunksEndAt(fh, dataBody + declared + (declared & 1), size));
    if (consistent) {
      if (riffSize === size - 8) return { path: file, fixed: false, dataBytes: declared, previousDataBytes: declared, truncatedBytes: 0 };
      const field = new Uint8Array(4);
      writeU32(field, 0, size - 8);
      await fh.write(field, 0, 4, 4);
      await fh.datasync();
      return { path: file, fixed: true, dataBytes: declared, previousDataBytes: declared, truncatedBytes: 0 };
    }

    const dataBytes = available - (available % align);
    // A chunk's body is followed by a pad byte when its size is odd (8-bit mono only, here).
    const newSize = dataBody + dataBytes + (dataBytes & 1);
    if (newSize !== size) await fh.truncate(newSize);
    const field = new Uint8Array(4);
    writeU32(field, 0, dataBytes);
    await fh.write(field, 0, 4, sizeFieldAt);
    writeU32(field, 0, newSize - 8);
    await fh.write(field, 0, 4, 4);
    await fh.datasync();
    return { path: file, fixed: true, dataBytes, previousDataBytes: declared, truncatedBytes: Math.max(0, size - newSize) };
  } finally {
    await fh.close();
  }
}

export interface RepairRecordingsOptions {
  /** How deep below `dir` to look (tenant and date folders). Default 4. */
  maxDepth?: number;
  /** Most files looked at. Default 1,000,000. */
  maxFiles?: number;
}

/**
 * Repairs every *.wav under `dir` (see repairWav) and deletes *.part leftovers of an interrupted
 * finalize. Meant for start-up, while nothing is recording: a file being written would look stale.
 */
export async function repairRecordings(dir: string, o: RepairRecordingsOptions = {}): Promise<RecordingsRepair> {
  const maxDepth = o.maxDepth ?? 4;
  let budget = o.maxFiles ?? 1_000_000;
  const result: RecordingsRepair = { fixed: [], failed: [], removed: [] };
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const e of entries) {
      if (budget-- <= 0) return;
      const full = path.join(folder, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth) await walk(full, depth + 1);
      } else if (e.isFile()) {
        const lower = e.name.toLowerCase();
        if (lower.endsWith('.part')) {
          await unlink(full);
          result.removed.push(full);
        } else if (lower.endsWith('.wav')) {
          try {
            const r = await repairWav(full);
            if (r.fixed) result.fixed.push(r);
          } catch (err) {
            result.failed.push({ path: full, reason: err instanceof Error ? err.message : String(err) });
          }
        }
      }
    }
  };
  await walk(dir, 0);
  return result;
}
