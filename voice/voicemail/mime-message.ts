// The notification e-mail as RFC 5322 + MIME text: a multipart/mixed message with a plain
// text part (who called, how long, the transcription when there is one) and the recording
// attached as audio/wav in base64 (RFC 2045), wrapped at 76 characters.
import { randomBytes } from 'node:crypto';

export interface MailContent {
  from: string;
  to: string;
  subject: string;
  text: string;
  date: Date;
  /** Without angle brackets: id@domain. */
  messageId: string;
  attachment?: { filename: string; contentType: string; data: Buffer };
}

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
export function headerValue(v: string): string {
  const clean = v.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

function wrap(s: string, width: number): string {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += width) out.push(s.slice(i, i + width));
  return out.join('\r\n');
}

/** RFC 5322 date-time, e.g. "Sun, 08 Mar 2026 14:30:00 +0000". */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export function buildMimeMessage(m: MailContent): string {
  const boundary = `=_sb_${randomBytes(12).toString('hex')}`;
  const headers = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${headerValue(m.subject)}`,
    `Date: ${rfc5322Date(m.date)}`,
    `Message-ID: <${m.messageId}>`,
    'MIME-Version: 1.0',
  ];
  // The text part is sent as 8bit UTF-8 with CRLF lines; servers without 8BITMIME still
  // pass UTF-8 through in practice, and the text is short.
  const text = m.text.replace(/\r?\n/g, '\r\n');
  if (!m.attachment) {
    return [...headers, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text, ''].join('\r\n');
  }
  const a = m.attachment;
  return [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    `--${boundary}`,
    `Content-Type: ${a.contentType}; name="${a.filename}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${a.filename}"`,
    '',
    wrap(a.data.toString('base64'), 76),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
