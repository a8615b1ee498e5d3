// What one call write commits: the call's own rows and whatever its transition hooks add
// (webhook outbox rows), as one unit of the group commit, and what is to happen once that
// unit is durable (waking the webhook dispatcher, counting the call).
import type { Executor, Write } from '../../store/index.js';
import type { Database } from '../../store/schema.js';

export class StagedWrites {
  readonly writes: Write[] = [];
  private readonly effects: (() => void)[] = [];

  constructor(
    /** Reads of committed data (the store's connection); the rows staged here are not there yet. */
    readonly db: Executor,
  ) {}

  /** A row committed with the change, or not at all. */
  insert<T extends keyof Database & string>(table: T, row: Database[T]): void {
    this.writes.push({ op: 'insert', table, row: row as unknown as Record<string, string | number | null> });
  }

  /** Runs once the unit is committed; never if it is not. An effect that throws harms nobody else. */
  afterCommit(fn: () => void): void {
    this.effects.push(fn);
  }

  committed(onError: (err: unknown) => void = () => undefined): void {
    for (const fn of this.effects) {
      try {
        fn();
      } catch (err) {
        onError(err);
      }
    }
  }
}
