// The interpreter on scripted and fake calls: what the caller hears, which keys move
// them where, replays, fallbacks, failure edges, hang-ups and the step limit.
import { describe, expect, it } from 'vitest';
import type { CallControl, Collected, DialOutcome } from './call-control.js';
import { checkGraph } from './graph-validator.js';
import type { CompiledFlow } from './flow-graph.js';
import type { FlowEnvironment } from './handlers/index.js';
import { runFlow } from './interpreter.js';
import { simulateFlow } from './dry-run.js';
import { ScriptedCallControl, type CallEvent } from './scripted-call-control.js';
import { SEED_WELCOME, seedDefinition } from '../test/fixtures/seed-ivr-flow.js';

const WELCOME = SEED_WELCOME;

function seed(): { nodes: any[]; edges: any[] } {
  return seedDefinition();
}

function compile(def: unknown): CompiledFlow {
  const r = checkGraph(def);
  if (!r.flow) throw new Error(JSON.stringify(r.problems));
  return r.flow;
}

const env: FlowEnvironment = {
  voicemailBox: async (id) => (id === 'vmail_box' ? { greeting: 'You reached the box.', maxDurationSeconds: 60 } : undefined),
  directory: async () => [
    { name: 'Jane Doe', extension: '1001' },
    { name: 'John Dow', extension: '1002' },
    { name: 'Émile Zola', extension: '1003' },
  ],
};

async function dryRun(def: unknown, digits: string, more: { noInputAfter?: number; dialResult?: DialOutcome; maxSteps?: number } = {}) {
  return simulateFlow(compile(def), { digits, noInputAfter: more.noInputAfter ?? 0, dialResult: more.dialResult ?? 'answered', maxSteps: more.maxSteps }, env);
}

const texts = (r: { prompts: { text: string }[] }) => r.prompts.map((p) => p.text);
const notes = (r: { trace: { event: string; message: string }[] }) => r.trace.filter((t) => t.event === 'note').map((t) => t.message);

describe('interpreter: the seed flow', () => {
  it.each([
    ['1', '+14155550101', 'sales'],
    ['2', '+14155550102', 'support'],
  ])('key %s transfers to %s', async (digits, to, node) => {
    const r = await dryRun(seed(), digits);
    expect(r.final_action).toEqual({ type: 'transfer', node_id: node, to });
    expect(r.nodes_visited).toEqual(['start', 'menu', node]);
    expect(r.prompts).toEqual([{ node_id: 'menu', text: WELCOME, language: 'en-US' }]);
    expect(r.keys_consumed).toBe(digits);
  });

  it('key 3 plays the greeting and a tone, records and ends in voicemail', async () => {
    const r = await dryRun(seed(), '3');
    expect(r.final_action).toEqual({ type: 'voicemail', node_id: 'voicemail', voicemail_box_id: null });
    expect(texts(r)).toEqual([WELCOME, 'Please leave a message after the tone.']);
    expect(r.trace.map((t) => t.event)).toEqual(expect.arrayContaining(['play', 'record', 'hangup']));
  });

  it('no key: replays the menu maxRetries times, then says goodbye and hangs up', async () => {
    const r = await dryRun(seed(), '');
    expect(texts(r)).toEqual([WELCOME, WELCOME, WELCOME, WELCOME, 'Goodbye.']);
    expect(r.final_action).toEqual({ type: 'hangup', node_id: 'menu', reason: 'menu_no_valid_input' });
    expect(notes(r)).toEqual(
      expect.arrayContaining([
        'no key within 8 s, replaying menu (attempt 2 of 4)',
        'no key within 8 s, replaying menu (attempt 4 of 4)',
        'no key within 8 s; all 3 retries used',
      ]),
    );
  });

  it('a wrong key is told so and the menu replays; the next right key counts', async () => {
    const r = await dryRun(seed(), '92');
    expect(texts(r)).toEqual([WELCOME, 'Sorry, that is not a valid option.', WELCOME]);
    expect(r.final_action).toMatchObject({ type: 'transfer', to: '+14155550102' });
    expect(notes(r)).toContain('key 9 is not an option, replaying menu (attempt 2 of 4)');
  });

  it('"-" is silence at one prompt; keys nobody asked for are reported unused', async () => {
    const r = await dryRun(seed(), '-1222');
    expect(texts(r)).toEqual([WELCOME, WELCOME]);
    expect(r.final_action).toMatchObject({ to: '+14155550101' });
    expect(r.keys_consumed).toBe('-1');
    expect(r.keys_unused).toBe('222');
  });

  it('no_input_after: the caller goes silent after that many keys', async () => {
    const r = await dryRun(seed(), '91', { noInputAfter: 1 });
    expect(r.final_action).toMatchObject({ type: 'hangup', reason: 'menu_no_valid_input' });
    expect(r.keys_consumed).toBe('9');
    expect(r.keys_unused).toBe('1');
  });

  it('follows the fallback edge once the retries are used up', async () => {
    const d = seed();
    d.nodes[1].data.maxRetries = 1;
    d.edges.push({ id: 'fb', source: 'menu', target: 'voicemail', sourceHandle: 'fallback' });
    const r = await dryRun(d, '');
    expect(texts(r)).toEqual([WELCOME, WELCOME, 'Please leave a message after the tone.']);
    expect(r.final_action).toMatchObject({ type: 'voicemail' });
    expect(notes(r)).toContain('following edge "fb" (fallback) to "voicemail"');
  });

  it('maxRetries 0 plays the menu once', async () => {
    const d = seed();
    d.nodes[1].data.maxRetries = 0;
    expect(texts(await dryRun(d, ''))).toEqual([WELCOME, 'Goodbye.']);
  });
});

describe('interpreter: connections and their failures', () => {
  it('a busy transfer with no failure edge apologises and hangs up', async () => {
    const r = await dryRun(seed(), '1', { dialResult: 'busy' });
    expect(r.final_action).toEqual({ type: 'hangup', node_id: 'sales', reason: 'connection_failed' });
    expect(texts(r).at(-1)).toBe('Sorry, we could not connect your call. Goodbye.');
  });

  it('a transfer that is not answered takes its failure edge', async () => {
    const d = seed();
    d.edges.push({ id: 'busy', source: 'sales', target: 'voicemail', sourceHandle: 'failure' });
    const r = await dryRun(d, '1', { dialResult: 'no_answer' });
    expect(r.nodes_visited).toEqual(['start', 'menu', 'sales', 'voicemail']);
    expect(notes(r)).toContain('transfer to +14155550101: no answer; taking the "failure" edge');
  });

  it('rings a ring group', async () => {
    const d = seed();
    d.nodes[3] = { id: 'support', type: 'ringGroup', data: { ringGroupId: 'rg_team' } };
    const r = await dryRun(d, '2');
    expect(r.final_action).toEqual({ type: 'ring_group', node_id: 'support', ring_group_id: 'rg_team' });
  });

  it("uses the voicemail box's greeting when the node has none", async () => {
    const d = seed();
    d.nodes[4].data = { voicemailBoxId: 'vmail_box' };
    const r = await dryRun(d, '3');
    expect(texts(r).at(-1)).toBe('You reached the box.');
    expect(r.final_action).toEqual({ type: 'voicemail', node_id: 'voicemail', voicemail_box_id: 'vmail_box' });
    expect(r.trace.find((t) => t.event === 'record')?.message).toContain('60 s');
  });

  it('hangup says its message; end hangs up silently', async () => {
    const d = seed();
    d.nodes[2] = { id: 'sales', type: 'hangup', data: { message: 'We are closed.' } };
    d.nodes[3] = { id: 'support', type: 'end', data: {} };
    const one = await dryRun(d, '1');
    expect(texts(one)).toEqual([WELCOME, 'We are closed.']);
    expect(one.final_action).toEqual({ type: 'hangup', node_id: 'sales', reason: 'hangup_node' });
    const two = await dryRun(d, '2');
    expect(texts(two)).toEqual([WELCOME]);
    expect(two.final_action).toEqual({ type: 'hangup', node_id: 'support', reason: 'end_node' });
  });
});

describe('interpreter: dial by name and callbacks', () => {
  const withNode = (node: any) => {
    const d = seed();
    d.nodes[2] = { ...node, id: 'sales' };
    return d;
  };

  it('connects the one name the keys spell (5263 = "jane")', async () => {
    const r = await dryRun(withNode({ type: 'dialByName', data: {} }), '15263#');
    expect(r.final_action).toEqual({ type: 'dial_by_name', node_id: 'sales', to: '1001', name: 'Jane Doe' });
    expect(texts(r).at(-1)).toBe('Connecting you to Jane Doe.');
  });

  it('offers a numbered choice when several names match (36 = "doe", "dow", "emile")', async () => {
    const r = await dryRun(withNode({ type: 'dialByName', data: {} }), '136#3');
    expect(texts(r)).toContain('For Émile Zola, press 1. For Jane Doe, press 2. For John Dow, press 3.');
    expect(r.final_action).toMatchObject({ to: '1002', name: 'John Dow' });
  });

  it('matches names without their accents (9 = "zola")', async () => {
    const r = await dryRun(withNode({ type: 'dialByName', data: {} }), '19#');
    expect(r.final_action).toMatchObject({ name: 'Émile Zola' });
  });

  it('asks again on no match, then gives up politely', async () => {
    const r = await dryRun(withNode({ type: 'dialByName', data: { prompt: 'Spell the name.' } }), '144#44#44#');
    expect(texts(r).filter((t) => t === 'Sorry, no name matches.')).toHaveLength(3);
    expect(r.final_action).toEqual({ type: 'hangup', node_id: 'sales', reason: 'no_name_match' });
  });

  it('a confirmed callback offer ends the call with a callback', async () => {
    const r = await dryRun(withNode({ type: 'offerCallback', data: { confirmKey: '*' } }), '1*');
    expect(texts(r)).toContain('To be called back instead of waiting, press star.');
    expect(r.final_action).toEqual({ type: 'callback', node_id: 'sales' });
  });

  it('a declined callback offer takes the failure edge', async () => {
    const d = withNode({ type: 'offerCallback', data: {} });
    d.edges.push({ id: 'no', source: 'sales', target: 'voicemail', sourceHandle: 'failure' });
    const r = await dryRun(d, '12');
    expect(r.final_action).toMatchObject({ type: 'voicemail' });
  });
});

describe('interpreter: language, limits, hang-ups, errors', () => {
  it("speaks its own phrases in the last menu's language", async () => {
    const d = seed();
    d.nodes[1].data.language = 'es-MX';
    const r = await dryRun(d, '');
    expect(r.prompts.at(-1)).toEqual({ node_id: 'menu', text: 'Adiós.', language: 'es-MX' });
  });

  it('stops a caller going round a loop at the step limit', async () => {
    const d = seed();
    d.nodes[1].data.menuOptions.push({ key: '9', label: 'Repeat' });
    d.edges.push({ id: 'again', source: 'menu', target: 'start', sourceHandle: '9' });
    const r = await dryRun(d, '9'.repeat(50), { maxSteps: 10 });
    expect(r.final_action).toEqual({ type: 'hangup', node_id: 'start', reason: 'step_limit' });
    expect(r.nodes_visited).toHaveLength(10);
  });

  it('stops at once when the caller hangs up during a prompt, without hanging up again', async () => {
    const hangUp = new AbortController();
    const events: string[] = [];
    const call: CallControl = {
      async say(text, o) {
        events.push(`say ${text}`);
        hangUp.abort();
        o.signal.throwIfAborted();
      },
      play: async () => void events.push('play'),
      collectDigits: async () => ({ digits: '1', endedBy: 'max_digits' }),
      record: async () => ({ durationSeconds: 1, endedBy: 'key' as const, file: null }),
      transfer: async () => (events.push('transfer'), 'answered'),
      dial: async () => 'answered',
      hangup: async (r) => void events.push(`hangup ${r}`),
    };
    const out = await runFlow(compile(seed()), call, { signal: hangUp.signal, env });
    expect(out.final).toEqual({ type: 'hangup', node_id: 'menu', reason: 'caller_hung_up' });
    expect(events).toEqual([`say ${WELCOME}`]);
  });

  it('counts a key pressed during the prompt (barge-in)', async () => {
    // A phone line that buffers DTMF: the caller presses 2 while the menu is still talking.
    let buffered = '';
    const said: string[] = [];
    let transferredTo = '';
    const call: CallControl = {
      async say(text, o) {
        said.push(text);
        if (o.bargeIn) buffered += '2';
      },
      play: async () => undefined,
      async collectDigits(): Promise<Collected> {
        const digits = buffered.slice(0, 1);
        buffered = buffered.slice(1);
        return { digits, endedBy: digits ? 'max_digits' : 'timeout' };
      },
      record: async () => ({ durationSeconds: 1, endedBy: 'key' as const, file: null }),
      transfer: async (to) => ((transferredTo = to), 'answered'),
      dial: async () => 'answered',
      hangup: async () => undefined,
    };
    const out = await runFlow(compile(seed()), call, { signal: new AbortController().signal, env });
    expect(said).toEqual([WELCOME]);
    expect(transferredTo).toBe('+14155550102');
    expect(out.final).toMatchObject({ type: 'transfer', to: '+14155550102' });
  });

  it('hangs up rather than leaving the caller in silence when something breaks', async () => {
    const events: CallEvent[] = [];
    const d = seed();
    d.nodes[2] = { id: 'sales', type: 'dialByName', data: {} };
    const broken: FlowEnvironment = { ...env, directory: async () => Promise.reject(new Error('directory unavailable')) };
    const call = new ScriptedCallControl({ keys: '1', noInputAfter: 0, dialResult: 'answered' }, (e) => events.push(e));
    const out = await runFlow(compile(d), call, { signal: new AbortController().signal, env: broken });
    expect(out.final).toEqual({ type: 'hangup', node_id: 'sales', reason: 'internal_error' });
    expect(events.at(-1)).toEqual({ kind: 'hangup', reason: 'internal_error' });
  });
});
