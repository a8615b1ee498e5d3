// GET /api/v1/voice/recordings/{rec_id}/download?expires=…&signature=… streams a
// recording's file. It takes no API key: the signature (voice/calls/recording-urls.ts)
// is the permission, so the URL can be handed to a browser, a CRM or a media player.
// A missing, wrong or expired signature is 403; a genuine URL of a file that is gone, 404
// (control-api/signed-download.ts).
//
// It must be mounted on the app BEFORE the /api router (which demands an API key):
//   mountRecordingDownload(app, store)
import type { Request, Response, Router } from 'express';
import type { Store } from '../../../store/index.js';
import { CallRecordings, CONTENT_TYPES } from '../../../voice/calls/call-recordings.js';
import { RecordingUrlSigner } from '../../../voice/calls/recording-urls.js';
import { signedDownloadHandler } from '../../signed-download.js';

export const RECORDING_DOWNLOAD_ROUTE = '/api/v1/voice/recordings/{id}/download';
const EXPRESS_PATH = '/api/v1/voice/recordings/:id/download';

type DownloadStore = Pick<Store, 'db' | 'secrets' | 'now' | 'newId' | 'dataDir'>;

export function recordingDownloadHandler(store: DownloadStore): (req: Request, res: Response) => Promise<void> {
  const signer = RecordingUrlSigner.forStore(store);
  const recordings = new CallRecordings(store);
  return signedDownloadHandler({
    route: RECORDING_DOWNLOAD_ROUTE,
    what: 'recording',
    freshFrom: 'GET /api/v1/voice/calls/{id}',
    missing: 'Recording',
    missingFile: 'Recording file',
    verify: (id, expires, signature) => signer.verify(id, expires, signature),
    find: async (id) => {
      const rec = await recordings.byId(id);
      if (!rec || rec.status !== 'completed') return undefined;
      return { path: recordings.absolutePath(rec), contentType: CONTENT_TYPES[rec.format], filename: `${rec.id}.${rec.format}` };
    },
    now: () => store.now(),
  });
}

export function mountRecordingDownload(router: Pick<Router, 'get'>, store: DownloadStore): void {
  router.get(EXPRESS_PATH, recordingDownloadHandler(store));
}
