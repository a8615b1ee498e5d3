import { describe, expect, it } from 'vitest';
import { mergeQueue, type QueueInput } from './queues.js';

const base: QueueInput = {
  name: 'Support',
  strategy: 'longest_idle',
  maxWaitSeconds: 300,
  overflowAction: 'transfer_number',
  overflowNumber: '+14155550100',
  overflowVoicemailId: null,
  holdMusicUrl: 'https://cdn.example.com/hold.mp3',
};

describe('mergeQueue', () => {
  it('keeps what the patch leaves out', () => {
    expect(mergeQueue(base, { maxWaitSeconds: 180 })).toEqual({ ...base, maxWaitSeconds: 180 });
  });

  it('applies an explicit null', () => {
    expect(mergeQueue(base, { holdMusicUrl: null }).holdMusicUrl).toBeNull();
  });

  it("drops the old action's target when the action changes and the patch says nothing of it", () => {
    expect(mergeQueue(base, { overflowAction: 'hangup' })).toMatchObject({ overflowAction: 'hangup', overflowNumber: null });
    const toBox = { ...base, overflowAction: 'voicemail' as const, overflowNumber: null, overflowVoicemailId: 'vmail_1' };
    expect(mergeQueue(toBox, { overflowAction: 'transfer_number', overflowNumber: '+1415' })).toMatchObject({
      overflowNumber: '+1415',
      overflowVoicemailId: null,
    });
  });

  it('keeps a target the patch sets, so validation can refuse the mismatch', () => {
    expect(mergeQueue(base, { overflowAction: 'hangup', overflowNumber: '+14155550199' }).overflowNumber).toBe('+14155550199');
  });

  it('keeps the target when the action is sent unchanged', () => {
    expect(mergeQueue(base, { overflowAction: 'transfer_number' }).overflowNumber).toBe('+14155550100');
  });
});
