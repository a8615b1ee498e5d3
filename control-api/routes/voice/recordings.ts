// GET /api/v1/voice/recordings/{rec_id}/download?expires=…&signature=… streams a
// recording's file. It takes no API key: the signature (voice/calls/recording-urls.ts)
// is the permission, so the URL can be handed to a browser, a CRM or a media player.
// A missing, wrong or expired signature is 403; a genuine URL of a file that is gone, 404.
//
// It must be mounted on the app BEFORE the /api router (which demands an API key):
//   mountRecordingDownload(app, store)
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Request, Response, Router } from 'express';
import type { Store } from '../../../store/index.js';
import { CallRecordings, CONTENT_TYPES } from '../../../voice/calls/call-recordings.js';
import { RecordingUrlSigner } from '../../../voice/calls/recording-urls.js';
import { state } from '../../context.js';
import { errorBody, meta } from '../../envelope.js';
import { ApiError, notFound } from '../../errors.js';

export const RECORDING_DOWNLOAD_ROUTE = '/api/v1/voice/recordings/{id}/download';
const EXPRESS_PATH = '/api/v1/voice/recordings/:id/download';

type DownloadStore = Pick<Store, 'db' | 'secrets' | 'now' | 'newId' | 'dataDir'>;

export function recordingDownloadHandler(store: DownloadStore): (req: Request, res: Response) => Promise<void> {
  const signer = RecordingUrlSigner.forStore(store);
  const recordings = new CallRecordings(store);
  const serve = async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id ?? '');
    const check = signer.verify(id, req.query.expires, req.query.signature);
    if (check !== 'ok') {
      throw new ApiError(
        403,
        'FORBIDDEN',
        check === 'expired'
          ? 'This recording URL has expired; get a fresh one from GET /api/v1/voice/calls/{id}'
          : 'Invalid recording URL signature',
      );
    }
    const rec = await recordings.byId(id);
    if (!rec || rec.status !== 'completed') throw notFound('Recording');
    const file = recordings.absolutePath(rec);
    let size: number;
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a file');
      size = s.size;
    } catch {
      throw notFound('Recording file');
    }
    res.status(200);
    res.set({
      'Content-Type': CONTENT_TYPES[rec.format],
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${rec.id}.${rec.format}"`,
      // The URL is a bearer credential: keep shared caches from storing what it unlocked.
      'Cache-Control': 'private, no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      await pipeline(createReadStream(file), res);
    } catch {
      // The client went away mid-file, or the file vanished after stat: nothing left to answer.
      res.destroy();
    }
  };
  // Errors are answered here, in the API's envelope, so the route behaves the same
  // wherever it is mounted (it sits outside the /api router and its error handling).
  return async (req, res) => {
    const st = state(res);
    st.route = RECORDING_DOWNLOAD_ROUTE;
    try {
      await serve(req, res);
    } catch (err) {
      if (!(err instanceof ApiError) || res.headersSent) throw err;
      let requestId = st.requestId;
      if (!requestId) {
        requestId = `req_${randomBytes(10).toString('hex')}`;
        res.set('X-Request-Id', requestId);
      }
      res.status(err.status).json(errorBody(err.code, err.message, err.details, meta(requestId, store.now())));
    }
  };
}

export function mountRecordingDownload(router: Pick<Router, 'get'>, store: DownloadStore): void {
  router.get(EXPRESS_PATH, recordingDownloadHandler(store));
}
