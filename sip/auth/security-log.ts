// Security events as single JSON log lines, for people and for fail2ban. The field
// order is fixed and the two fields a ban needs (event, ip) come first, before any
// value an attacker chooses (the username), so a crafted username cannot make a line
// match a filter for another address.
//
//   {"event":"sip_auth_failed","ip":"192.0.2.7","user":"alice","realm":"example.com","reason":"bad_password"}
//   {"event":"sip_auth_lockout","ip":"192.0.2.7","user":"alice","realm":"example.com","scope":"account","backoff_s":30,"lockouts":1}

/** The subset of a pino logger used here. */
export interface SecurityLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

export type AuthFailureReason = 'bad_password' | 'unknown_user' | 'stale_nonce' | 'bad_nonce' | 'nc_replay' | 'uri_mismatch';

/** Usernames are attacker-chosen; a log line should not grow with them. */
const MAX_USER_CHARS = 64;

/**
 * fail2ban `failregex` lines for the events that indicate guessing (wrong password,
 * unknown user, lockouts). `<ADDR>` is fail2ban's IP-address tag. docs/sip/authentication.md
 * shows the same lines in a filter file; a test checks the two agree.
 */
export const FAIL2BAN_FAILREGEX = [
  String.raw`"event":"sip_auth_failed","ip":"<ADDR>","user":"(?:[^"\\]|\\.)*","realm":"(?:[^"\\]|\\.)*","reason":"(?:bad_password|unknown_user)"`,
  String.raw`"event":"sip_auth_lockout","ip":"<ADDR>"`,
];

/**
 * `lockouts` counts the key's lockouts in a row (the backoff doubles with each); it is
 * not called `level`, which pino uses for the log level.
 */
export class SecurityLog {
  constructor(private readonly logger?: SecurityLogger) {}

  authFailed(ip: string, user: string, realm: string, reason: AuthFailureReason): void {
    if (!this.logger) return;
    const line = { event: 'sip_auth_failed', ip, user: clip(user), realm, reason };
    // An expired nonce with the right password is routine (clients re-use a nonce
    // across refreshes); it is recorded, but not as a warning.
    if (reason === 'stale_nonce' && this.logger.info) this.logger.info(line, 'sip auth failed');
    else this.logger.warn(line, 'sip auth failed');
  }

  lockout(ip: string, user: string, realm: string, scope: 'account' | 'address', backoffMs: number, lockouts: number): void {
    this.logger?.warn(
      { event: 'sip_auth_lockout', ip, user: clip(user), realm, scope, backoff_s: Math.round(backoffMs / 1000), lockouts },
      'sip auth lockout',
    );
  }
}

function clip(user: string): string {
  return user.length > MAX_USER_CHARS ? user.slice(0, MAX_USER_CHARS) : user;
}
