// Composition of the SIP side: certificate, transports, digest authentication,
// registrar with persisted bindings, and the stack that ties them together.
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
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
import { systemLookup, UserAgent } from '../sip/ua/index.js';
import type { Config } from './config.js';

export interface SipService {
  stack: SipStack;
  /** INVITE sessions both ways: the B2BUA's SIP side. */
  ua: UserAgent;
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

  // Trunks named by host: the TLS certificate is checked against that name, not the address
  // it resolved to (the user agent's lookups fill this in).
  const tlsNames = new Map<string, string>();
  const transports = createTransports({
    host: config.sip.host,
    udpPort: config.sip.port,
    tlsPort: config.sip.tlsPort,
    wsPort: config.sip.wsPort,
    wssPort: config.sip.wssPort,
    tls: { cert: cert.cert, key: cert.key },
    serverNameFor: (to) => tlsNames.get(to.address),
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
  // Contact and Via name the public address when SIP listens on every interface.
  const wildcard = config.sip.host === '0.0.0.0' || config.sip.host === '::';
  const lookup = async (host: string): Promise<string> => {
    const address = await systemLookup(host);
    if (tlsNames.size >= 10_000) tlsNames.clear();
    tlsNames.set(address, host);
    return address;
  };
  // `auth`: trunks with credentials challenge their carriers' INVITEs with the stack's digest.
  const ua = new UserAgent({ stack, auth, lookup, ...(wildcard ? { host: config.publicIp } : {}), log: log.child({ component: 'ua' }) }).attach();
  const sweep = setInterval(() => {
    bindings.sweep();
    stack.transactions.expireCompleted();
  }, 5_000);
  sweep.unref();
  log.info({ restored_registrations: restored }, 'sip ready');

  return {
    stack,
    ua,
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

/** SIP figures on /metrics, read when scraped (nothing is counted twice on the hot path). */
export function registerSipMetrics(registry: Registry, sip: SipService): void {
  new Gauge({
    name: 'switchboard_sip_messages_total',
    help: 'SIP messages by direction and outcome since start',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const c = sip.stack.counters;
      this.set({ kind: 'received' }, c.received);
      this.set({ kind: 'sent' }, c.sent);
      this.set({ kind: 'parse_error' }, c.parseErrors);
      this.set({ kind: 'rejected' }, c.rejected);
      this.set({ kind: 'dropped' }, c.dropped);
    },
  });
  new Gauge({
    name: 'switchboard_sip_registrations_accepted_total',
    help: 'REGISTER requests answered 200 since start',
    registers: [registry],
    collect() {
      this.set(sip.stack.counters.registrations);
    },
  });
  new Gauge({
    name: 'switchboard_sip_bindings',
    help: 'Live registration bindings (contacts)',
    registers: [registry],
    collect() {
      this.set(sip.bindings.size);
    },
  });
  new Gauge({
    name: 'switchboard_sip_transactions',
    help: 'Live SIP transactions by side',
    labelNames: ['side'] as const,
    registers: [registry],
    collect() {
      const n = sip.stack.transactions.size;
      this.set({ side: 'server' }, n.servers);
      this.set({ side: 'client' }, n.clients);
    },
  });
  new Gauge({
    name: 'switchboard_sip_connections',
    help: 'Open SIP connections by transport',
    labelNames: ['transport'] as const,
    registers: [registry],
    collect() {
      for (const [name, st] of Object.entries(sip.transports.stats())) this.set({ transport: name }, st?.connectionsOpen ?? 0);
    },
  });
}
