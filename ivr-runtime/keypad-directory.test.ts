// Dial-by-name matching on the keypad letters of ITU-T E.161.
import { describe, expect, it } from 'vitest';
import { keypadKeys, matchDirectory } from './keypad-directory.js';

describe('keypad directory', () => {
  it('spells words with the E.161 letter groups, dropping accents and punctuation', () => {
    expect(keypadKeys('Pqrs Wxyz')).toBe('77779999');
    expect(keypadKeys("O'Brien")).toBe('627436');
    expect(keypadKeys('Zoë')).toBe('963');
    expect(keypadKeys('Agent 007')).toBe('24368007');
  });

  it('matches any word of a name by prefix, sorted by name', () => {
    const dir = [
      { name: 'Mary-Kate Olsen', extension: '12' },
      { name: 'Kate Bush', extension: '11' },
      { name: 'Bob', extension: '10' },
    ];
    expect(matchDirectory(dir, '5283').map((e) => e.extension)).toEqual(['11', '12']);
    expect(matchDirectory(dir, '262').map((e) => e.name)).toEqual(['Bob']);
    expect(matchDirectory(dir, '')).toEqual([]);
  });
});
