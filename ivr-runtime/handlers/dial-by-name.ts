// dialByName: the caller spells a name on the keypad, ending with #. One match is
// connected; 2-9 matches are read out as a numbered choice; none, or more than nine,
// ask again. After three attempts the "failure" edge runs, or the call ends politely.
import type { DirectoryEntry } from '../keypad-directory.js';
import { matchDirectory } from '../keypad-directory.js';
import { phrasesFor } from '../phrases.js';
import { describeOutcome, failOrHangUp, type NodeContext, type NodeHandler, type NodeResult } from './handler.js';

const ATTEMPTS = 3;
const MAX_KEYS = 20;
const TIMEOUT_SECONDS = 5;
/** A choice is one key, 1-9. */
const MAX_CHOICES = 9;

export const dialByNameHandler: NodeHandler<'dialByName'> = {
  async run(ctx) {
    const { call, signal, language } = ctx;
    const say = (text: string) => call.say(text, { language, bargeIn: true, signal });
    const phrases = phrasesFor(language);
    const directory = await ctx.env.directory();
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const again = attempt < ATTEMPTS ? `, asking again (attempt ${attempt + 1} of ${ATTEMPTS})` : '';
      await say(ctx.node.data.prompt ?? phrases.directoryPrompt);
      const got = await call.collectDigits({ maxDigits: MAX_KEYS, timeoutSeconds: TIMEOUT_SECONDS, terminator: '#', signal });
      if (got.digits === '') {
        ctx.note(`no keys within ${TIMEOUT_SECONDS} s${again}`);
        continue;
      }
      const matches = matchDirectory(directory, got.digits);
      ctx.note(`caller spelled ${got.digits}: ${matches.length} match${matches.length === 1 ? '' : 'es'}${matches.length ? ` (${matches.slice(0, MAX_CHOICES).map((m) => m.name).join(', ')}${matches.length > MAX_CHOICES ? ', ...' : ''})` : ''}`);
      if (matches.length === 0) {
        await say(phrases.directoryNoMatch);
        if (again) ctx.note(`no name matches${again}`);
        continue;
      }
      if (matches.length > MAX_CHOICES) {
        await say(phrases.directoryTooMany);
        if (again) ctx.note(`too many names to offer${again}`);
        continue;
      }
      const chosen = matches.length === 1 ? matches[0] : await choose(ctx, matches);
      if (!chosen) {
        if (again) ctx.note(`no valid choice${again}`);
        continue;
      }
      return connect(ctx, chosen);
    }
    return failOrHangUp(ctx, `no one found after ${ATTEMPTS} attempts`, 'no_name_match', phrases.goodbye);
  },
};

async function choose(ctx: NodeContext<'dialByName'>, matches: DirectoryEntry[]): Promise<DirectoryEntry | undefined> {
  const phrases = phrasesFor(ctx.language);
  const text = matches.map((m, i) => phrases.directoryChoice(m.name, String(i + 1))).join(' ');
  await ctx.call.say(text, { language: ctx.language, bargeIn: true, signal: ctx.signal });
  const got = await ctx.call.collectDigits({ maxDigits: 1, timeoutSeconds: TIMEOUT_SECONDS, signal: ctx.signal });
  const picked = matches[Number(got.digits) - 1];
  ctx.note(got.digits === '' ? `no choice within ${TIMEOUT_SECONDS} s` : picked ? `caller chose ${got.digits}: ${picked.name}` : `key ${got.digits} is not one of the choices`);
  return picked;
}

async function connect(ctx: NodeContext<'dialByName'>, entry: DirectoryEntry): Promise<NodeResult> {
  await ctx.call.say(phrasesFor(ctx.language).connecting(entry.name), { language: ctx.language, bargeIn: false, signal: ctx.signal });
  ctx.note(`transferring to ${entry.name} at extension ${entry.extension}`);
  const outcome = await ctx.call.transfer(entry.extension, { signal: ctx.signal });
  if (outcome === 'answered') {
    return { final: { type: 'dial_by_name', node_id: ctx.node.id, to: entry.extension, name: entry.name } };
  }
  return failOrHangUp(
    ctx,
    `transfer to ${entry.name} (${entry.extension}): ${describeOutcome(outcome)}`,
    'connection_failed',
    phrasesFor(ctx.language).unavailable,
  );
}
