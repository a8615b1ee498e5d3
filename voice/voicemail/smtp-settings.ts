// Where notification e-mail goes, from SWITCHBOARD_SMTP_URL and SWITCHBOARD_SMTP_FROM:
//
//   smtp://[user:pass@]host[:port]    port 587 by default; STARTTLS whenever the server offers it
//   smtps://[user:pass@]host[:port]   port 465 by default; TLS from the first byte
//
// `?starttls=required` refuses to send (and to authenticate) over a server that offers no
// STARTTLS, for relays reached across networks one does not trust.

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from connect (smtps). */
  implicitTls: boolean;
  /** Fail rather than continue in clear text when STARTTLS is not offered. */
  requireStartTls: boolean;
  user: string | undefined;
  pass: string | undefined;
  /** The envelope sender and From: header. */
  from: string;
}

/** An addr-spec as mail servers accept it: something@domain, no spaces or angle brackets. */
export const MAILBOX = /^[^\s<>@",;]+@[A-Za-z0-9.-]+$/;

/** The settings, or a sentence saying what is wrong (for the configuration error). */
export function parseSmtpSettings(rawUrl: string, from: string | undefined): SmtpSettings | string {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'SWITCHBOARD_SMTP_URL is not a URL (smtp://user:pass@host:port or smtps://...)';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    return `SWITCHBOARD_SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`;
  }
  if (url.hostname === '') return 'SWITCHBOARD_SMTP_URL has no host';
  const implicitTls = url.protocol === 'smtps:';
  const port = url.port === '' ? (implicitTls ? 465 : 587) : Number(url.port);
  const starttls = url.searchParams.get('starttls');
  if (starttls !== null && starttls !== 'required' && starttls !== 'auto') {
    return 'SWITCHBOARD_SMTP_URL: starttls must be "required" or "auto"';
  }
  if (from === undefined || from === '') return 'SWITCHBOARD_SMTP_FROM must be set with SWITCHBOARD_SMTP_URL (the sender address)';
  if (!MAILBOX.test(from)) return `SWITCHBOARD_SMTP_FROM=${JSON.stringify(from)} is not an e-mail address`;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    implicitTls,
    requireStartTls: starttls === 'required',
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    pass: url.username === '' ? undefined : decodeURIComponent(url.password),
    from,
  };
}
