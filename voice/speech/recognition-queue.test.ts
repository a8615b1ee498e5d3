import { describe, expect, it } from 'vitest';
import { RecognitionQueue } from './recognition-queue.js';
import { TranscriptionError } from './transcription-provider.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

describe('RecognitionQueue', () => {
  it('runs one job at a time, in order', async () => {
    const q = new RecognitionQueue({ timeoutMs: 5_000 });
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const job = (n: number) => async () => {
      running++;
      most = Math.max(most, running);
      await sleep(20);
      order.push(n);
      running--;
      return n;
    };
    expect(await Promise.all([1, 2, 3, 4].map((n) => q.submit(job(n))))).toEqual([1, 2, 3, 4]);
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('aborts a job past its deadline and goes on with the next', async () => {
    const q = new RecognitionQueue({ timeoutMs: 50 });
    const slow = q.submit((signal) => sleep(10_000, signal));
    const next = q.submit(async () => 'next');
    await expect(slow).rejects.toMatchObject({ kind: 'timeout' });
    expect(await next).toBe('next');
  });

  it('refuses jobs beyond the backlog, and all of them once stopped', async () => {
    const q = new RecognitionQueue({ timeoutMs: 5_000, maxWaiting: 1 });
    const first = q.submit((s) => sleep(200, s));
    const second = q.submit(async () => 2);
    await expect(q.submit(async () => 3)).rejects.toMatchObject({ kind: 'queue_full' });
    q.stop();
    await expect(first).rejects.toBeInstanceOf(TranscriptionError);
    await expect(second).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(q.submit(async () => 4)).rejects.toMatchObject({ kind: 'cancelled' });
  });
});
