// menu: speak the prompt, collect one key (a key pressed during the prompt counts),
// follow the edge of that key. No key or a wrong key replays the menu up to
// maxRetries times; then the "fallback" edge, or a polite goodbye.
import { FALLBACK_HANDLE } from '../node-schemas.js';
import { phrasesFor } from '../phrases.js';
import { hangUp, type NodeHandler } from './handler.js';

const RETRIES_USED = (n: number): string =>
  n === 0 ? 'no retries allowed' : n === 1 ? 'the one retry is used' : `all ${n} retries used`;

export const menuHandler: NodeHandler<'menu'> = {
  async run(ctx) {
    const { data } = ctx.node;
    const { call, signal, language } = ctx;
    const attempts = data.maxRetries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await call.say(data.ttsText, { language, bargeIn: true, signal });
      const got = await call.collectDigits({ maxDigits: 1, timeoutSeconds: data.timeout, signal });
      const option = data.menuOptions.find((o) => o.key === got.digits);
      if (option) {
        ctx.note(`caller pressed ${option.key}${option.label ? ` (${option.label})` : ''}`);
        return { next: option.key };
      }
      const why = got.digits === '' ? `no key within ${data.timeout} s` : `key ${got.digits} is not an option`;
      if (attempt < attempts) {
        ctx.note(`${why}, replaying menu (attempt ${attempt + 1} of ${attempts})`);
        if (got.digits !== '') await call.say(phrasesFor(language).invalidOption, { language, bargeIn: true, signal });
        continue;
      }
      ctx.note(`${why}; ${RETRIES_USED(data.maxRetries)}`);
    }
    if (ctx.hasEdge(FALLBACK_HANDLE)) {
      ctx.note(`taking the "${FALLBACK_HANDLE}" edge`);
      return { next: FALLBACK_HANDLE };
    }
    ctx.note(`no "${FALLBACK_HANDLE}" edge, saying goodbye and hanging up`);
    return hangUp(ctx, 'menu_no_valid_input', phrasesFor(language).goodbye);
  },
};
