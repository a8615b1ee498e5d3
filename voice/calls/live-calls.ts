// The calls this process is writing, in memory: each one's row as last committed and the
// queue that orders its writes. A status change is decided on this row (no re-read), and a
// call's writes go to the group committer one after the other, each after the previous one
// committed, so they land in the order they were made and the row here is always what is
// on disk. An ended call leaves once its last write is done.
//
// One set per store (the group committer is its key), whoever builds a CallRecords or a
// CallRecordings over it: two sets could reorder one call's writes.
import type { GroupCommitter } from '../../store/index.js';
import type { CallsTable } from '../../store/schema.js';
import { isTerminal, type CallStatus } from './call-status.js';

export interface LiveCall {
  row: CallsTable;
  /** Settles when the call's last queued operation has. */
  tail: Promise<unknown>;
  /** Operations queued or running. */
  ops: number;
  /** Its creation did not commit: there is no such call. */
  gone: boolean;
}

const registry = new WeakMap<GroupCommitter, LiveCalls>();

export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  private readonly loading = new Map<string, Promise<LiveCall | undefined>>();

  /** The live calls of the store this committer writes to. */
  static of(writer: GroupCommitter): LiveCalls {
    let l = registry.get(writer);
    if (!l) registry.set(writer, (l = new LiveCalls()));
    return l;
  }

  get size(): number {
    return this.calls.size;
  }

  get(id: string): LiveCall | undefined {
    return this.calls.get(id);
  }

  /** A call being created: its later operations queue behind the creation. */
  add(row: CallsTable): LiveCall {
    const c: LiveCall = { row, tail: Promise.resolve(), ops: 0, gone: false };
    this.calls.set(row.id, c);
    return c;
  }

  /** The call, from memory or else loaded once (concurrent callers share the load); undefined when there is none. */
  async acquire(id: string, load: () => Promise<CallsTable | undefined>): Promise<LiveCall | undefined> {
    const hit = this.calls.get(id);
    if (hit) return hit;
    let p = this.loading.get(id);
    if (!p) {
      p = load().then((row) => (row ? (this.calls.get(id) ?? this.add(row)) : undefined));
      this.loading.set(id, p);
      void p.finally(() => this.loading.delete(id)).catch(() => undefined);
    }
    return p;
  }

  /** Runs `fn` after every operation queued on the call before it has settled. */
  run<T>(c: LiveCall, fn: () => Promise<T>): Promise<T> {
    c.ops++;
    const p = c.tail.then(fn);
    c.tail = p.then(
      () => this.settled(c),
      () => this.settled(c),
    );
    return p;
  }

  /** Changes columns of a live call's row that another writer committed (the recording). */
  patch(id: string, set: Partial<CallsTable>): void {
    const c = this.calls.get(id);
    if (c) c.row = { ...c.row, ...set };
  }

  private settled(c: LiveCall): void {
    c.ops--;
    if (c.ops > 0 || !(c.gone || isTerminal(c.row.status as CallStatus))) return;
    if (this.calls.get(c.row.id) === c) this.calls.delete(c.row.id);
  }
}
