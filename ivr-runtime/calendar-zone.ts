// Wall-clock time in an IANA time zone, with nothing but Intl: Node's ICU carries the
// zone rules (DST included), so there is no tz database of ours to keep up to date.
// Times are epoch milliseconds; a "naive" time is a wall-clock time encoded as if it
// were UTC (Date.UTC of the local fields), which makes wall-clock arithmetic plain
// integer arithmetic.

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Local time minus UTC, in milliseconds (+03:00 is 10_800_000). */
  offsetMs: number;
}

const SECOND = 1000;
const HOUR = 3_600_000;

/** Area/Location (Europe/Istanbul, America/Argentina/Buenos_Aires, Etc/GMT+3) or UTC/GMT. */
const IANA_NAME = /^(?:UTC|GMT|[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+)$/;

/**
 * Why a time zone name is refused, or undefined when it is fine. Offsets ("+03:00") and
 * abbreviations or POSIX-style names ("EST", "CET", "EST5EDT") are refused even where ICU
 * knows them: they say nothing clear about daylight saving ("EST" never observes it,
 * "EST5EDT" follows US rules), and business hours depend on exactly that.
 */
export function timeZoneProblem(name: string): string | undefined {
  const hint = 'use an IANA Area/Location name such as "Europe/Istanbul", "America/New_York" or "UTC"';
  if (!IANA_NAME.test(name)) return `not an IANA Area/Location time zone name; ${hint}`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return `unknown time zone; ${hint}`;
  }
  return undefined;
}

/**
 * The name to store: as written, but with the canonical letter case when ICU knows the
 * name itself ("europe/istanbul" becomes "Europe/Istanbul"). Links such as Asia/Kolkata
 * are kept as written, since ICU would rename some of them to older spellings.
 */
export function normalizeTimeZone(name: string): string {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

/** Wall clock of instants in one zone, and the instants where its UTC offset changes. */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  wallClock(ms: number): WallClock {
    const f: Record<string, number> = {};
    for (const p of this.format.formatToParts(ms)) {
      if (p.type !== 'literal') f[p.type] = Number(p.value);
    }
    const c = {
      year: f.year!,
      month: f.month!,
      day: f.day!,
      hour: f.hour!,
      minute: f.minute!,
      second: f.second!,
    };
    // Intl drops the milliseconds, so compare with the instant truncated to its second.
    const naive = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
    return { ...c, offsetMs: naive - Math.floor(ms / SECOND) * SECOND };
  }

  offsetAt(ms: number): number {
    return this.wallClock(ms).offsetMs;
  }

  /**
   * Instants in (from, to] at which the offset changes, each the first second of the new
   * offset. Zones change offset at most a few times a year, never twice within an hour,
   * so sampling hourly and bisecting each change finds them all.
   */
  transitions(from: number, to: number): number[] {
    const found: number[] = [];
    let prev = from;
    let prevOffset = this.offsetAt(from);
    while (prev < to) {
      const next = Math.min(prev + HOUR, to);
      const nextOffset = this.offsetAt(next);
      if (nextOffset !== prevOffset) found.push(this.bisect(prev, prevOffset, next));
      prev = next;
      prevOffset = nextOffset;
    }
    return found;
  }

  /** First whole second after `lo` (whose offset is `loOffset`) with another offset, up to `hi`. */
  private bisect(lo: number, loOffset: number, hi: number): number {
    let a = Math.floor(lo / SECOND);
    let b = Math.ceil(hi / SECOND);
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (this.offsetAt(mid * SECOND) === loOffset) a = mid;
      else b = mid;
    }
    return b * SECOND;
  }
}
