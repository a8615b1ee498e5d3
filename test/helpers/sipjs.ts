// sip.js (an independent SIP stack) as a test peer over WS or WSS: a UserAgent that
// registers and resolves once the server has answered 200.
import { WebSocket } from 'ws';

/** Accepts a self-signed server certificate, as a test against a fresh server may. */
class InsecureWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { rejectUnauthorized: false });
  }
}

export interface SipJsRegistration {
  unregister(): Promise<void>;
  stop(): Promise<void>;
}

export async function registerWithSipJs(opts: {
  server: string;
  user: string;
  password: string;
  domain?: string;
  timeoutMs?: number;
}): Promise<SipJsRegistration> {
  // sip.js uses the global WebSocket; Node 20 has none.
  (globalThis as any).WebSocket = opts.server.startsWith('wss:') ? InsecureWebSocket : WebSocket;
  const { UserAgent, Registerer, RegistererState } = await import('sip.js');
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${opts.user}@${opts.domain ?? '127.0.0.1'}`),
    authorizationUsername: opts.user,
    authorizationPassword: opts.password,
    transportOptions: { server: opts.server },
    logLevel: 'error',
  });
  await ua.start();
  try {
    const registerer = new Registerer(ua, { expires: 300 });
    const registered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not registered in time')), opts.timeoutMs ?? 10_000);
      registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Registered) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await registerer.register();
    await registered;
    return { unregister: () => registerer.unregister().then(() => undefined), stop: () => ua.stop() };
  } catch (err) {
    await ua.stop();
    throw err;
  }
}
