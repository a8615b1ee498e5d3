// /api/v1/voice/transcribe (spec §10): submit an audio URL for transcription, then poll
// GET /transcribe/{transcript_id} until it is completed or failed.
import { z } from 'zod';
import type { TranscriptJobs, TranscriptView } from '../../../voice/speech/index.js';
import { notFound } from '../../errors.js';
import { defineRoute, type AnyRouteSpec } from '../../route.js';
import { fieldError, httpUrl, idParams, type VoiceRouteContext } from './common.js';

/** What the transcription routes need besides the common context. */
export interface TranscriptionRouteContext {
  /** The server's transcription jobs; absent, the routes are not mounted. */
  transcripts?: TranscriptJobs;
}

const TAG = 'Transcription';

const submitBody = z.object({
  audio_url: httpUrl.describe('http(s) URL of the audio (WAV, FLAC, Ogg; MP3 when sox can read it); fetched by the server'),
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en-US')
    .default('en-US')
    .describe('Language of the speech; the embedded engine has English (en, en-US)'),
});

const transcriptSchema = z.object({
  transcript_id: z.string(),
  status: z.enum(['queued', 'processing', 'completed', 'failed']),
  text: z.string().nullable().describe('The words recognised, once completed'),
  language: z.string(),
  audio_url: z.string(),
  duration_seconds: z.number().nullable().describe('Length of the audio, once completed'),
  error: z.string().nullable().describe('Why it failed'),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});

function transcriptJson(t: TranscriptView): z.infer<typeof transcriptSchema> {
  return {
    transcript_id: t.id,
    status: t.status,
    text: t.text,
    language: t.language,
    audio_url: t.audioUrl,
    duration_seconds: t.durationSeconds,
    error: t.error,
    created_at: t.createdAt,
    completed_at: t.completedAt,
  };
}

export function transcriptionRoutes(ctx: VoiceRouteContext & TranscriptionRouteContext): AnyRouteSpec[] {
  const jobs = ctx.transcripts;
  if (!jobs) return [];
  return [
    defineRoute({
      method: 'post',
      path: '/transcribe',
      summary: 'Transcribe an audio URL',
      description:
        'Answers 202 with a `transcript_id` at once; the audio is fetched and recognised in the background ' +
        '(one recognition at a time per server). Poll GET /transcribe/{transcript_id}.',
      tag: TAG,
      scope: 'voice:write',
      body: submitBody,
      response: transcriptSchema,
      status: 202,
      handler: async ({ body, auth }) => {
        if (!jobs.supports(body.language)) {
          throw fieldError('language', 'unsupported', `no speech model for ${body.language}; supported: en, en-US`);
        }
        return transcriptJson(await jobs.submit(auth.tenant.id, body.audio_url, body.language));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/transcribe/{id}',
      summary: 'Get a transcription',
      tag: TAG,
      scope: 'voice:read',
      params: idParams('tx'),
      response: transcriptSchema,
      handler: async ({ params: p, auth }) => {
        const t = await jobs.get(auth.tenant.id, p.id);
        if (!t) throw notFound('Transcript');
        return transcriptJson(t);
      },
    }),
  ];
}
