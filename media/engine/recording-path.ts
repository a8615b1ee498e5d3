// Where a recording may be written: inside the configured recordings directory (the path comes
// from API callers); anywhere absolute only when no directory is configured (tests, tools).
import { isAbsolute, relative, resolve } from 'node:path';
import { invalidArgument } from './engine-error.js';

export function recordingPath(dir: string | undefined, path: string): string {
  if (typeof path !== 'string' || path === '') throw invalidArgument('record needs a path');
  if (dir === undefined) {
    if (!isAbsolute(path)) throw invalidArgument('no recordings directory is configured: the path must be absolute');
    return path;
  }
  const full = resolve(dir, path);
  const rel = relative(resolve(dir), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw invalidArgument(`recording path ${path} is outside the recordings directory`);
  return full;
}
