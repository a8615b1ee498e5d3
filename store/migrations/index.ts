// Every migration, in order. Names are stable forever: the store records which ran.
import type { Migration } from 'kysely';
import { m0001Initial } from './0001-initial.js';

export const migrations: Record<string, Migration> = {
  '0001-initial': m0001Initial,
};
