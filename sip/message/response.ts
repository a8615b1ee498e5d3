// Building a response to a request (RFC 3261 §8.2.6.2): Via, From, To, Call-ID and
// CSeq copied; a To tag added when the request had none; nothing else.
import { RandomPool } from '../random-pool.js';
import { EMPTY_BODY, SipResponse, type HeaderField, type SipRequest } from './message.js';

/** Reason phrases of the status codes we send (§21). */
export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
};

// One pool per process: tags need unpredictability, not isolation between users.
const tags = new RandomPool();

export function newTag(): string {
  return tags.hex(8);
}

export interface ResponseOptions {
  reason?: string;
  /** To tag to add when the request's To has none (a dialog's local tag). */
  toTag?: string;
  headers?: [string, string][];
  body?: Buffer;
  contentType?: string;
}

const COPIED = new Set(['via', 'from', 'call-id', 'cseq']);

/** Whether the request's To has a tag (read from the parsed To when it parses). */
function hasToTag(req: SipRequest, value: string): boolean {
  try {
    return req.to().params.has('tag');
  } catch {
    return /;\s*tag\s*=/i.test(value);
  }
}

export function createResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
  const headers: HeaderField[] = [];
  // Fields are shared with the request, not copied: a field is changed in place only while its
  // request is being received (the Via stamp, before anything can answer it); set, remove and
  // prepend replace field objects. Sharing spares an object per header of every response.
  let toHasTag: boolean | undefined;
  for (const h of req.headers) {
    if (COPIED.has(h.key)) headers.push(h);
    else if (h.key === 'to') {
      // §8.2.6.2: a UAS adds a tag to To unless it is a 100 or the request had one.
      toHasTag ??= hasToTag(req, h.value);
      if (status > 100 && !toHasTag) headers.push({ name: h.name, key: h.key, value: `${h.value};tag=${opts.toTag ?? newTag()}` });
      else headers.push(h);
    }
  }
  const res = new SipResponse(status, opts.reason ?? REASONS[status] ?? 'Unknown', headers, opts.body ?? EMPTY_BODY);
  for (const [name, value] of opts.headers ?? []) res.append(name, value);
  if (opts.body && opts.contentType) res.set('Content-Type', opts.contentType);
  return res;
}
