// Admission control for connections (the issue's "1,000 slow or idle connections
// from one address do not lock out a legitimate client"): a cap per source address
// and a cap for the process. One guard is shared by every connection-oriented
// transport, because file descriptors and memory are a per-process resource.
import { capKey } from './peer-address.js';

export interface GuardLimits {
  maxConnectionsPerIp: number;
  maxConnections: number;
}

export class ConnectionGuard {
  private readonly perKey = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: GuardLimits) {}

  /** Connections currently admitted. */
  get open(): number {
    return this.total;
  }

  /**
   * Admits an inbound connection from `address`. Returns the key to hand back to
   * release(), or undefined when the address or the process is at its cap.
   */
  admit(address: string): string | undefined {
    if (this.total >= this.limits.maxConnections) return undefined;
    const key = capKey(address);
    const n = this.perKey.get(key) ?? 0;
    if (n >= this.limits.maxConnectionsPerIp) return undefined;
    this.perKey.set(key, n + 1);
    this.total++;
    return key;
  }

  /** An outbound connection we open ourselves: only the process cap applies. */
  admitOutbound(): boolean {
    if (this.total >= this.limits.maxConnections) return false;
    this.total++;
    return true;
  }

  /** Gives back what admit() (with its key) or admitOutbound() (without) took. */
  release(key?: string): void {
    this.total--;
    if (key === undefined) return;
    const n = (this.perKey.get(key) ?? 1) - 1;
    if (n <= 0) this.perKey.delete(key);
    else this.perKey.set(key, n);
  }
}
