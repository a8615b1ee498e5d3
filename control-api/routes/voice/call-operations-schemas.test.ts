// The request bodies of POST /calls and the per-call operations: what each accepts,
// its defaults, and which field a bad body is blamed on.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  dtmfBody,
  placeCallBody,
  recordingStartBody,
  supervisorBody,
  transferBody,
  warmTransferBody,
} from './call-operations-schemas.js';

function badFields(schema: z.ZodType, body: unknown): string[] {
  const r = schema.safeParse(body);
  return r.success ? [] : [...new Set(r.error.issues.map((i) => i.path.join('.')))].sort();
}

describe('POST /calls body', () => {
  it("takes the seed's example and fills the defaults", () => {
    const b = placeCallBody.parse({ to: '+14155552671', from: '+12025551234', agent_id: 'agt_abc123', record: true, amd: true });
    expect(b).toEqual({
      to: '+14155552671',
      from: '+12025551234',
      agent_id: 'agt_abc123',
      record: true,
      amd: true,
      direction: 'outbound',
      metadata: {},
    });
  });

  it('reaches extensions by number or id, ignores unknown fields', () => {
    expect(placeCallBody.parse({ to: '1001', webhook_url: 'https://x' }).to).toBe('1001');
    expect(placeCallBody.parse({ to: 'ext_abc' }).to).toBe('ext_abc');
    expect('webhook_url' in placeCallBody.parse({ to: '1001', webhook_url: 'https://x' })).toBe(false);
  });

  it('names every bad field', () => {
    expect(
      badFields(placeCallBody, {
        to: 'sip:someone@example.com',
        from: '4155550100',
        agent_id: 'queue_1',
        timezone: 'EST',
        direction: 'sideways',
        metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])),
      }),
    ).toEqual(['agent_id', 'direction', 'from', 'metadata', 'timezone', 'to']);
    expect(badFields(placeCallBody, {})).toEqual(['to']);
    expect(badFields(placeCallBody, { to: '+14155552671', timezone: 'America/New_York' })).toEqual([]);
  });
});

describe('per-call operation bodies', () => {
  it('DTMF: 0-9 * # A-D, lower case taken as upper', () => {
    expect(dtmfBody.parse({ digits: '1234#' }).digits).toBe('1234#');
    expect(dtmfBody.parse({ digits: '*9ab' }).digits).toBe('*9AB');
    expect(badFields(dtmfBody, { digits: '12E' })).toEqual(['digits']);
    expect(badFields(dtmfBody, { digits: '' })).toEqual(['digits']);
    expect(badFields(dtmfBody, {})).toEqual(['digits']);
  });

  it('transfer and warm transfer go to a number, an agent or an extension', () => {
    for (const to of ['+14155557890', 'agt_abc', 'ext_abc']) expect(transferBody.safeParse({ to }).success).toBe(true);
    expect(badFields(transferBody, { to: '1001', caller_id: 'me' })).toEqual(['caller_id', 'to']);
    expect(warmTransferBody.parse({ to: '+14155557890', whisper_message: ' Customer Jane Doe, escalation tier 2 ' })).toEqual({
      to: '+14155557890',
      whisper_message: 'Customer Jane Doe, escalation tier 2',
    });
  });

  it('recording start defaults to one mixed channel, untrimmed', () => {
    expect(recordingStartBody.parse({})).toEqual({ dual_channel: false, trim: false });
    expect(badFields(recordingStartBody, { dual_channel: 'yes' })).toEqual(['dual_channel']);
  });

  it('supervisor operations take an optional destination', () => {
    expect(supervisorBody.parse({})).toEqual({});
    expect(badFields(supervisorBody, { to: 'nobody' })).toEqual(['to']);
  });
});
