import { describe, expect, it } from 'vitest';
import { mergeAgent, type AgentInput } from './agents.js';

const bot: AgentInput = {
  name: 'Bot',
  kind: 'ai',
  extensionId: null,
  phoneNumber: null,
  streamUrl: 'wss://agents.example.com/s',
  skills: ['billing'],
  ttsVoiceId: 'clone_1',
  archived: false,
};

describe('mergeAgent', () => {
  it('keeps what the patch leaves out and applies explicit nulls', () => {
    expect(mergeAgent(bot, { skills: [], ttsVoiceId: null })).toEqual({ ...bot, skills: [], ttsVoiceId: null });
  });

  it('drops the stream of an AI agent turned human', () => {
    expect(mergeAgent(bot, { kind: 'human', phoneNumber: '+14155550100' })).toMatchObject({
      kind: 'human',
      phoneNumber: '+14155550100',
      streamUrl: null,
    });
  });

  it('keeps a stream the patch sets, so validation can refuse it', () => {
    expect(mergeAgent(bot, { kind: 'human', streamUrl: 'wss://x.example/s' }).streamUrl).toBe('wss://x.example/s');
  });

  it('leaves a human turned AI to bring its own stream', () => {
    const human: AgentInput = { ...bot, kind: 'human', streamUrl: null, phoneNumber: '+14155550100' };
    expect(mergeAgent(human, { kind: 'ai' })).toMatchObject({ kind: 'ai', streamUrl: null, phoneNumber: '+14155550100' });
  });
});
