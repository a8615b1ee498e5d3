// A bounded fuzz of the parser and the request checks: mutated torture messages may
// be refused, but only with the stack's own typed errors, and every typed view of a
// message that parsed either works or throws a typed error.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMessage, SipParseError } from './parse.js';
import { SipError, validateRequest, validateResponse } from './validate.js';
import { SipSyntaxError } from './scanner.js';
import { SipUriError } from '../uri.js';
import { mutate, prng } from './mutate.js';
import { createResponse } from './response.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/rfc4475');
const seeds = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.dat'))
  .map((f) => readFileSync(path.join(CORPUS, f)));

const TYPED = [SipParseError, SipError, SipSyntaxError, SipUriError];
const typed = (err: unknown): boolean => TYPED.some((T) => err instanceof T);

describe('fuzzing the parser', () => {
  it('20,000 mutated messages: only typed errors escape', () => {
    const rand = prng(4475);
    const untyped: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const input = mutate(seeds[i % seeds.length]!, rand);
      try {
        const msg = parseMessage(input, { datagram: true });
        if (msg.isRequest) {
          validateRequest(msg);
          createResponse(msg, 400).toBuffer();
        } else validateResponse(msg);
        // Every view either works or throws a typed error.
        for (const view of [() => msg.vias(), () => msg.from(), () => msg.to(), () => msg.cseq(), () => msg.contacts(), () => msg.expires()]) {
          try {
            view();
          } catch (err) {
            if (!typed(err)) untyped.push(`${i}: ${(err as Error).stack}`);
          }
        }
      } catch (err) {
        if (!typed(err)) untyped.push(`${i}: ${(err as Error).stack}`);
      }
    }
    expect(untyped.slice(0, 3)).toEqual([]);
  });
});
