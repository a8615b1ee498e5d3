// The user agent as the stack's application: attaching and detaching, CANCEL racing
// the tenant lookup, its session limit, and an application that throws.
import { describe, expect, it } from 'vitest';
import type { SipResponse } from '../message/message.js';
import { phoneInvite, sipText, testDirectory, uaHarness, type UaHarness } from '../../test/helpers/sip-ua.js';

const statuses = (h: UaHarness): string[] => h.take().flatMap((w) => (w.msg.isRequest ? [] : [`${(w.msg as SipResponse).status} ${w.msg.cseq().method}`]));

const cancel = sipText([
  'CANCEL sip:+15550001111@192.0.2.1 SIP/2.0',
  'Via: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-inv1;rport',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@example.test>;tag=ph1',
  'To: <sip:+15550001111@example.test>',
  'Call-ID: call-1',
  'CSeq: 1 CANCEL',
]);

describe('UserAgent on the stack', () => {
  it('gives INVITEs back to the stack when detached (challenge, as before)', async () => {
    const h = await uaHarness({ users: { alice: 'pw' } });
    h.ua.detach();
    await h.deliver(phoneInvite());
    expect(statuses(h)).toEqual(['407 INVITE']);
    expect(h.calls).toEqual([]);
    h.ua.attach();
    await h.deliver(phoneInvite({ callId: 'call-2', branch: 'z9hG4bK-inv2' }));
    expect(h.calls).toHaveLength(1);
  });

  it('answers 487 to an INVITE CANCELled while its tenant was looked up, and never offers it', async () => {
    let release: () => void = () => undefined;
    const base = testDirectory();
    const slow = {
      ...base,
      tenantFor: async (domain: string) => {
        await new Promise<void>((r) => (release = r));
        return base.tenantFor(domain);
      },
    };
    const h = await uaHarness({ directory: slow });
    await h.deliver(phoneInvite());
    await h.deliver(cancel);
    expect(statuses(h)).toEqual(['200 CANCEL', '487 INVITE']);
    release();
    await h.flush();
    expect(h.calls).toEqual([]);
    expect(statuses(h)).toEqual([]);
  });

  it('refuses INVITEs beyond maxSessions with 503 and Retry-After', async () => {
    const h = await uaHarness({ ua: { maxSessions: 1 } });
    await h.deliver(phoneInvite());
    await h.deliver(phoneInvite({ callId: 'call-2', branch: 'z9hG4bK-inv2' }));
    const [busy] = h.take().map((w) => w.msg as SipResponse);
    expect(busy!.status).toBe(503);
    expect(busy!.get('retry-after')).toBe('5');
    const failed: number[] = [];
    h.ua.invite({ target: 'sip:bob@198.51.100.7', from: '<sip:sb@example.test>' }).on('failed', (f) => failed.push(f.status));
    await h.flush();
    expect(failed).toEqual([503]);
  });

  it('answers 500 when the application throws on a new INVITE', async () => {
    const h = await uaHarness({
      ua: {
        onInvite: () => {
          throw new Error('bug');
        },
      },
    });
    await h.deliver(phoneInvite());
    expect(statuses(h)).toEqual(['500 INVITE']);
    expect(h.ua.size).toBe(0);
  });
});
