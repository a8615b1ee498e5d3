// Composition of the SIP side: certificate, transports, digest authentication,
// registrar with persisted bindings, and the stack that ties them together.
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { SipStack } from '../sip/core/sip-stack.js';
import { createTransports, type TransportSet } from '../sip/transport/transports.js';
import { ensureCertificate } from '../sip/transport/certificate.js';
import { DigestServer } from '../sip/auth/index.js';
import { BindingTable } from '../sip/registrar/bindings.js';
import { DEFAULT_POLICY, Registrar } from '../sip/registrar/registrar.js';
import { SlottedClock } from '../sip/transaction/timers.js';
import type { ListenAddress } from '../sip/transport/types.js';
import { WriteBehindBindingStore } from '../voice/sip/binding-store.js';
import { StoreSipDirectory } from '../voice/sip/directory.js';
import type { Config } from './config.js';

export interface SipService {
  stack: SipStack;
  transports: TransportSet;
  bindings: BindingTable;
  addresses: ListenAddress[];
  stop(): Promise<void>;
}

export async function startSip(config: Config, store: Store, logger: Logger): Promise<SipService> {
  const log = logger.child({ layer: 'sip' });
  const cert = await ensureCertificate(config.dataDir, {
    ...(config.sip.tlsCertPath ? { certPath: config.sip.tlsCertPath } : {}),
    ...(config.sip.tlsKeyPath ? { keyPath: config.sip.tlsKeyPath } : {}),
  });
  if (cert.generated) log.info({ dir: config.dataDir }, 'generated a self-signed certificate for SIP over TLS and WSS');

  const transports = createTransports({
    host: config.sip.host,
    udpPort: config.sip.port,
    tlsPort: config.sip.tlsPort,
    wsPort: config.sip.wsPort,
    wssPort: config.sip.wssPort,
    tls: { cert: cert.cert, key: cert.key },
    log,
  });

  const bindingStore = new WriteBehindBindingStore(store, (err) => log.error({ err }, 'saving registrations failed'));
  const bindings = new BindingTable(bindingStore);
  const restored = await bindings.load();
  const registrar = new Registrar(bindings, DEFAULT_POLICY, () => store.newId('reg'));
  const auth = new DigestServer({
    secret: store.secrets.derive('sip-nonce'),
    algorithms: config.sip.digestAlgorithms,
    log: log.child({ component: 'sip-auth' }),
  });

  const clock = new SlottedClock();
  const stack = new SipStack({
    transports: [...transports.all],
    clock,
    directory: new StoreSipDirectory(store),
    auth,
    registrar,
    log,
  });
  const addresses = await stack.start();
  const sweep = setInterval(() => bindings.sweep(), 5_000);
  sweep.unref();
  log.info({ restored_registrations: restored }, 'sip ready');

  return {
    stack,
    transports,
    bindings,
    addresses,
    stop: async () => {
      clearInterval(sweep);
      await stack.stop();
      clock.stop();
      await bindingStore.flush();
    },
  };
}
