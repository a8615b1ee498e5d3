// Dial-by-name: the caller spells a name on the phone keypad (ITU-T E.161 letter
// groups: 2=ABC ... 9=WXYZ) and every directory entry with a word of its name
// starting with those keys matches.

export interface DirectoryEntry {
  name: string;
  /** The on-net extension the caller is transferred to. */
  extension: string;
}

const GROUPS = ['', '', 'abc', 'def', 'ghi', 'jkl', 'mno', 'pqrs', 'tuv', 'wxyz'];
const KEY_OF_LETTER = new Map<string, string>();
GROUPS.forEach((letters, digit) => {
  for (const l of letters) KEY_OF_LETTER.set(l, String(digit));
});

/** The keys that spell a word: letters by E.161, accents dropped, digits kept, the rest ignored. */
export function keypadKeys(word: string): string {
  let out = '';
  for (const ch of word.normalize('NFD').toLowerCase()) {
    if (ch >= '0' && ch <= '9') out += ch;
    else out += KEY_OF_LETTER.get(ch) ?? '';
  }
  return out;
}

/** Entries whose first name, last name (or any other word of the name) starts with `keys`. */
export function matchDirectory(entries: readonly DirectoryEntry[], keys: string): DirectoryEntry[] {
  if (keys === '') return [];
  return entries
    .filter((e) => e.name.split(/[\s\-_.]+/).some((w) => w !== '' && keypadKeys(w).startsWith(keys)))
    .sort((a, b) => a.name.localeCompare(b.name) || a.extension.localeCompare(b.extension));
}
