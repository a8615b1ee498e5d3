// The header parser against files made by real encoders (sox, lame) and against the
// odd files streaming writers and taggers produce.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SampleFiles } from '../test/audio/sample-files.js';
import { AudioProbeError, bufferSource, probeAudio, probeAudioFile, type AudioInfo } from './audio-probe.js';
import { skipId3v2 } from './id3v2.js';
import { parseMpegFrameHeader } from './mpeg-frame-header.js';

let files: SampleFiles;
beforeAll(() => {
  files = new SampleFiles();
});
afterAll(() => files?.remove());

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof AudioProbeError) return err.message;
    throw err;
  }
  throw new Error('expected the probe to refuse the file');
}

function expectAudio(info: AudioInfo, want: Partial<AudioInfo>, seconds: number, tolerance = 0.001): void {
  expect(info).toMatchObject(want);
  expect(info.durationSeconds).toBeGreaterThan(seconds - tolerance);
  expect(info.durationSeconds).toBeLessThan(seconds + tolerance);
}

const u32le = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Offset of a WAV chunk's id in a file sox wrote. */
function chunkAt(wav: Buffer, id: string): number {
  const at = wav.indexOf(id, 12, 'latin1');
  if (at < 0) throw new Error(`no ${id} chunk`);
  return at;
}

describe('WAV', () => {
  it('reads a 16-bit PCM mono file: rate, channels and length from the data size', () => {
    const info = probeAudioFile(files.tone('a.wav', { seconds: 35, rate: 16000, bits: 16 }));
    expectAudio(info, { format: 'wav', encoding: 'pcm_s16', sampleRate: 16000, channels: 1, bitsPerSample: 16 }, 35);
  });

  it('reads stereo, 8 kHz, float, A-law and µ-law files', () => {
    expectAudio(probeAudioFile(files.tone('st.wav', { seconds: 3, rate: 44100, channels: 2, bits: 16 })), { sampleRate: 44100, channels: 2 }, 3);
    expectAudio(probeAudioFile(files.tone('8k.wav', { seconds: 2, rate: 8000, bits: 16 })), { sampleRate: 8000, channels: 1 }, 2);
    expectAudio(probeAudioFile(files.tone('f.wav', { seconds: 2, bits: 32, encoding: 'floating-point' })), { encoding: 'float32' }, 2);
    expectAudio(probeAudioFile(files.tone('al.wav', { seconds: 2, encoding: 'a-law' })), { encoding: 'alaw', bitsPerSample: 8 }, 2);
    expectAudio(probeAudioFile(files.tone('mu.wav', { seconds: 2, encoding: 'mu-law' })), { encoding: 'mulaw' }, 2);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE (sox writes it for 24-bit samples)', () => {
    files.tone('24.wav', { seconds: 31, bits: 24 });
    const wav = files.read('24.wav');
    expect(wav.readUInt16LE(chunkAt(wav, 'fmt ') + 8)).toBe(0xfffe);
    expectAudio(probeAudio(bufferSource(wav)), { encoding: 'pcm_s24', sampleRate: 16000, channels: 1 }, 31);
  });

  it('uses the file size when a streaming writer left the data size at 0xFFFFFFFF or 0', () => {
    const wav = files.read('a.wav');
    const sizeAt = chunkAt(wav, 'data') + 4;
    for (const unknown of [0xffffffff, 0]) {
      const copy = Buffer.from(wav);
      copy.writeUInt32LE(unknown, sizeAt);
      expectAudio(probeAudio(bufferSource(copy)), { sampleRate: 16000 }, 35);
    }
  });

  it('reads RF64, whose sizes are in a ds64 chunk', () => {
    const wav = files.read('a.wav');
    const ds64 = Buffer.concat([Buffer.from('ds64'), u32le(28), Buffer.alloc(28)]);
    const rf64 = Buffer.concat([Buffer.from('RF64'), u32le(0xffffffff), Buffer.from('WAVE'), ds64, wav.subarray(12)]);
    rf64.writeUInt32LE(0xffffffff, chunkAt(rf64, 'data') + 4);
    expectAudio(probeAudio(bufferSource(rf64)), { format: 'wav', sampleRate: 16000, channels: 1 }, 35);
  });

  it('walks past odd-sized chunks, with or without the pad byte', () => {
    const wav = files.read('a.wav');
    const dataAt = chunkAt(wav, 'data');
    const odd = Buffer.concat([Buffer.from('LIST'), u32le(5), Buffer.from('INFOx')]);
    for (const pad of [Buffer.from([0]), Buffer.alloc(0)]) {
      const spliced = Buffer.concat([wav.subarray(0, dataAt), odd, pad, wav.subarray(dataAt)]);
      expectAudio(probeAudio(bufferSource(spliced)), { format: 'wav', sampleRate: 16000 }, 35);
    }
  });

  it('refuses encodings other than PCM, float, A-law and µ-law, and files without fmt or data', () => {
    const wav = files.read('al.wav');
    const copy = Buffer.from(wav);
    copy.writeUInt16LE(0x0011, chunkAt(wav, 'fmt ') + 8); // IMA ADPCM
    expect(rejection(() => probeAudio(bufferSource(copy)))).toMatch(/unsupported WAV encoding \(format tag 0x0011\)/);

    const noData = wav.subarray(0, chunkAt(wav, 'data'));
    expect(rejection(() => probeAudio(bufferSource(noData)))).toBe('WAV file has no data chunk');
    const noFmt = Buffer.concat([wav.subarray(0, 12), wav.subarray(chunkAt(wav, 'data'))]);
    expect(rejection(() => probeAudio(bufferSource(noFmt)))).toBe('WAV file has no fmt chunk');
  });
});

describe('MP3', () => {
  it('takes the length of a CBR file from its Info header, trimmed by the LAME encoder delay', () => {
    const f = files.mp3('cbr.mp3', { seconds: 35 }, ['-b', '64']);
    expect(files.read('cbr.mp3').includes('Info', 0, 'latin1')).toBe(true);
    expectAudio(probeAudioFile(f), { format: 'mp3', encoding: 'mpeg2_layer3', sampleRate: 16000, channels: 1 }, 35, 0.002);
  });

  it('takes the length of a VBR file from its Xing header', () => {
    const f = files.mp3('vbr.mp3', { seconds: 35 }, ['-V', '5']);
    expect(files.read('vbr.mp3').includes('Xing', 0, 'latin1')).toBe(true);
    expectAudio(probeAudioFile(f), { format: 'mp3', sampleRate: 16000, channels: 1 }, 35, 0.002);
  });

  it('counts the frames when there is no Xing header (CBR and VBR)', () => {
    // Without the tag the encoder delay and padding (under 0.2 s) are counted as audio.
    const cbr = files.mp3('notag-cbr.mp3', { seconds: 35 }, ['-b', '64', '-t']);
    const vbr = files.mp3('notag-vbr.mp3', { seconds: 35 }, ['-V', '2', '-t']);
    for (const f of [cbr, vbr]) {
      expect(files.read(f.split('/').pop()!).includes('Xing', 0, 'latin1')).toBe(false);
      expectAudio(probeAudioFile(f), { format: 'mp3', sampleRate: 16000, channels: 1 }, 35.1, 0.1);
    }
  });

  it('finds the stream again after damage between frames', () => {
    const mp3 = files.read('notag-cbr.mp3');
    const whole = probeAudio(bufferSource(mp3)).durationSeconds;
    const cut = parseMpegFrameHeader(mp3)!.frameLength * 100; // CBR without padding: a frame boundary
    const damaged = Buffer.concat([mp3.subarray(0, cut), Buffer.alloc(1000, 0x55), mp3.subarray(cut)]);
    expect(probeAudio(bufferSource(damaged)).durationSeconds).toBe(whole);
  });

  it('skips an ID3v2 tag before the audio and an ID3v1 tag after it', () => {
    const v2 = files.mp3('id3v2.mp3', { seconds: 35 }, ['-b', '64', '--id3v2-only', '--tt', 'Brand voice', '--pad-id3v2-size', '4096']);
    expect(files.read('id3v2.mp3').subarray(0, 3).toString('latin1')).toBe('ID3');
    expectAudio(probeAudioFile(v2), { format: 'mp3', sampleRate: 16000 }, 35, 0.002);
    const v1 = files.mp3('id3v1.mp3', { seconds: 35 }, ['-b', '64', '-t', '--id3v1-only', '--tt', 'Brand voice']);
    expect(files.read('id3v1.mp3').subarray(-128, -125).toString('latin1')).toBe('TAG');
    expectAudio(probeAudioFile(v1), { format: 'mp3', sampleRate: 16000 }, 35.1, 0.1);
  });

  it('knows an ID3v2.4 footer makes the tag 10 bytes longer', () => {
    const body = Buffer.alloc(300, 0x20);
    const header = (id: string): Buffer => Buffer.from([...Buffer.from(id), 4, 0, 0x10, 0, 0, 2, 44]); // size 300
    const tag = Buffer.concat([header('ID3'), body, header('3DI')]);
    expect(skipId3v2(bufferSource(Buffer.concat([tag, Buffer.alloc(50)])))).toBe(tag.length);
    const noFooter = Buffer.from(tag);
    noFooter[5] = 0;
    expect(skipId3v2(bufferSource(Buffer.concat([noFooter, Buffer.alloc(50)])))).toBe(310);
  });

  it('reports stereo MPEG-1, 8 kHz MPEG-2.5 and a 29 s file as they are', () => {
    expectAudio(
      probeAudioFile(files.mp3('st.mp3', { seconds: 5, rate: 44100, channels: 2 })),
      { encoding: 'mpeg1_layer3', sampleRate: 44100, channels: 2 },
      5,
      0.002,
    );
    const low = probeAudioFile(files.mp3('8k.mp3', { seconds: 35, rate: 8000 }));
    expectAudio(low, { encoding: 'mpeg2.5_layer3', sampleRate: 8000, channels: 1 }, 35.1, 0.2);
    expectAudio(probeAudioFile(files.mp3('29.mp3', { seconds: 29 }, ['-V', '5'])), { sampleRate: 16000 }, 29, 0.002);
  });

  it('takes the length from a VBRI header (Fraunhofer encoders)', () => {
    // A first frame carrying VBRI (32 bytes after the header) that claims 2000 frames,
    // followed by real frames from lame; the count must come from the tag.
    const mp3 = files.read('notag-cbr.mp3');
    const first = parseMpegFrameHeader(mp3)!;
    const vbriFrame = Buffer.alloc(first.frameLength);
    mp3.copy(vbriFrame, 0, 0, 4);
    vbriFrame.write('VBRI', 36, 'latin1');
    vbriFrame.writeUInt32BE(2000, 36 + 14);
    const info = probeAudio(bufferSource(Buffer.concat([vbriFrame, mp3])));
    expectAudio(info, { format: 'mp3', sampleRate: 16000 }, (2000 * 576) / 16000);
  });

  it('parses frame headers bit by bit', () => {
    expect(parseMpegFrameHeader(Buffer.from([0xff, 0xfb, 0x90, 0x64]))).toMatchObject({
      version: '1',
      layer: 3,
      bitrate: 128,
      sampleRate: 44100,
      channelMode: 'joint_stereo',
      frameLength: 417,
      samplesPerFrame: 1152,
      crc: false,
    });
    expect(parseMpegFrameHeader(Buffer.from([0xff, 0xe3, 0x18, 0xc4]))).toMatchObject({
      version: '2.5',
      bitrate: 8,
      sampleRate: 8000,
      channelMode: 'mono',
      channels: 1,
      frameLength: 72,
      samplesPerFrame: 576,
    });
    expect(parseMpegFrameHeader(Buffer.from([0xff, 0xfb, 0xf0, 0x64]))).toBeUndefined(); // bitrate index 15
    expect(parseMpegFrameHeader(Buffer.from([0xff, 0xfb, 0x9c, 0x64]))).toBeUndefined(); // sample-rate index 3
    expect(parseMpegFrameHeader(Buffer.from([0xff, 0xef, 0x90, 0x64]))).toBeUndefined(); // version 01 is reserved
  });

  it('refuses MPEG layer II audio', () => {
    const frame = Buffer.alloc(522);
    Buffer.from([0xff, 0xfd, 0x90, 0xc4]).copy(frame); // MPEG-1 layer II, 160 kbit/s, 44.1 kHz
    const stream = Buffer.concat(Array.from({ length: 6 }, () => frame));
    expect(rejection(() => probeAudio(bufferSource(stream)))).toMatch(/unsupported format \(MPEG layer II\)/);
  });
});

describe('FLAC', () => {
  it('reads STREAMINFO: rate, channels, bits and total samples', () => {
    expectAudio(
      probeAudioFile(files.tone('a.flac', { seconds: 35, bits: 16 })),
      { format: 'flac', encoding: 'flac', sampleRate: 16000, channels: 1, bitsPerSample: 16 },
      35,
    );
    expectAudio(probeAudioFile(files.tone('st.flac', { seconds: 3, rate: 48000, channels: 2, bits: 24 })), { sampleRate: 48000, channels: 2, bitsPerSample: 24 }, 3);
  });

  it('finds the length from the last frame when STREAMINFO gives 0 samples', () => {
    const flac = Buffer.from(files.read('a.flac'));
    // STREAMINFO body starts at 8; total samples are the low 4 bits of byte 13 and bytes 14-17.
    flac[8 + 13] = flac[8 + 13]! & 0xf0;
    flac.writeUInt32BE(0, 8 + 14);
    expectAudio(probeAudio(bufferSource(flac)), { format: 'flac', sampleRate: 16000 }, 35);
  });

  it('reads a FLAC file behind an ID3v2 tag', () => {
    const tag = Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0, 0, 0, 0, 20]), Buffer.alloc(20)]);
    const info = probeAudio(bufferSource(Buffer.concat([tag, files.read('a.flac')])));
    expectAudio(info, { format: 'flac', sampleRate: 16000 }, 35);
  });
});

describe('anything else', () => {
  it('is refused as an unsupported format, naming it when known', () => {
    expect(rejection(() => probeAudioFile(files.tone('a.ogg', { seconds: 2 })))).toBe(
      'unsupported format (Ogg); WAV, MP3 or FLAC is needed',
    );
    expect(rejection(() => probeAudio(bufferSource(randomBytes(200_000))))).toBe('unsupported format; WAV, MP3 or FLAC is needed');
    expect(rejection(() => probeAudio(bufferSource(Buffer.from('<!DOCTYPE html><html>not found</html>'))))).toMatch(/HTML page/);
    expect(rejection(() => probeAudio(bufferSource(Buffer.alloc(0))))).toBe('the file is empty');
  });
});
