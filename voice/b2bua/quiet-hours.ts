// TCPA quiet hours (spec §2): no outbound call between 21:00 and 08:00 at the callee's
// local time. The hour is read in the given IANA zone, so DST needs no special case.
export const QUIET_FROM_HOUR = 21;
export const QUIET_UNTIL_HOUR = 8;

export function isQuietHours(timeZone: string, at: Date): boolean {
  const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(at));
  return hour >= QUIET_FROM_HOUR || hour < QUIET_UNTIL_HOUR;
}
