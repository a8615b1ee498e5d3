// A file served at a signed URL (recordings, voicemail messages): no API key, the signature in
// the query is the permission, so the URL can be handed to a browser, a CRM or a media player.
// A missing, wrong or expired signature is 403; a genuine URL of something gone, 404. Errors
// are answered here, in the API's envelope, so the route behaves the same wherever it is
// mounted (these routes sit outside the /api router and its error handling).
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { state } from './context.js';
import { errorBody, meta } from './envelope.js';
import { ApiError, notFound } from './errors.js';

export interface SignedFile {
  path: string;
  contentType: string;
  /** The name offered to the client (Content-Disposition). */
  filename: string;
}

export interface SignedDownload {
  /** The route's name for logs and metrics, e.g. `/api/v1/voice/recordings/{id}/download`. */
  route: string;
  /** What the URL unlocks, in messages: "recording", "voicemail". */
  what: string;
  /** Where a fresh URL comes from, for the "expired" message. */
  freshFrom: string;
  /** Names for the 404s: the thing, and its file once the thing is found. */
  missing: string;
  missingFile: string;
  verify(id: string, expires: unknown, signature: unknown): 'ok' | 'expired' | 'invalid';
  /** The file of `id`, or undefined when there is none (any tenant: the signature names it). */
  find(id: string): Promise<SignedFile | undefined>;
  now(): Date;
}

export function signedDownloadHandler(d: SignedDownload): (req: Request, res: Response) => Promise<void> {
  const serve = async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id ?? '');
    const check = d.verify(id, req.query.expires, req.query.signature);
    if (check !== 'ok') {
      throw new ApiError(
        403,
        'FORBIDDEN',
        check === 'expired' ? `This ${d.what} URL has expired; get a fresh one from ${d.freshFrom}` : `Invalid ${d.what} URL signature`,
      );
    }
    const file = await d.find(id);
    if (!file) throw notFound(d.missing);
    let size: number;
    try {
      const s = await stat(file.path);
      if (!s.isFile()) throw new Error('not a file');
      size = s.size;
    } catch {
      throw notFound(d.missingFile);
    }
    res.status(200).set({
      'Content-Type': file.contentType,
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${file.filename}"`,
      // The URL is a bearer credential: keep shared caches from storing what it unlocked.
      'Cache-Control': 'private, no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      await pipeline(createReadStream(file.path), res);
    } catch {
      // The client went away mid-file, or the file vanished after stat: nothing left to answer.
      res.destroy();
    }
  };
  return async (req, res) => {
    const st = state(res);
    st.route = d.route;
    try {
      await serve(req, res);
    } catch (err) {
      if (!(err instanceof ApiError) || res.headersSent) throw err;
      let requestId = st.requestId;
      if (!requestId) {
        requestId = `req_${randomBytes(10).toString('hex')}`;
        res.set('X-Request-Id', requestId);
      }
      res.status(err.status).json(errorBody(err.code, err.message, err.details, meta(requestId, d.now())));
    }
  };
}
