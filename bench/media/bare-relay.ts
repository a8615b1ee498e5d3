// The baseline for bench/media/bridge.sh: the least a Node relay can do — 2N UDP sockets, each
// latched to the first source that sends to it (then connect()ed), every datagram sent on
// unchanged out of its partner's socket. No RTP parsing, no SSRC/sequence/timestamp rewriting,
// no RTCP, no timers. What the engine costs above this is the engine's; the rest is node:dgram
// and the kernel. Prints CPU % over the window, like bench-server.js.
//
//   BASELINE=1 bench/media/bridge.sh 500 1000
//   node dist/bench/media/bare-relay.js N PORTSFILE WARMUP_S DURATION_S
import { createSocket, type Socket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';

const [countArg = '100', portsFile = '/tmp/ports', warmupArg = '3', durationArg = '10'] = process.argv.slice(2);
const calls = Number(countArg);

interface Leg {
  socket: Socket;
  address: string | null;
  port: number;
  connected: boolean;
}

async function main(): Promise<void> {
  const legs: Leg[] = [];
  for (let i = 0; i < 2 * calls; i++) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    legs.push({ socket, address: null, port: 0, connected: false });
  }
  legs.forEach((me, i) => {
    const other = legs[i ^ 1]!;
    me.socket.on('message', (msg, rinfo) => {
      if (me.address === null) {
        me.address = rinfo.address;
        me.port = rinfo.port;
        me.socket.connect(me.port, me.address, () => (me.connected = true));
      }
      if (other.address === null) return;
      if (other.connected) other.socket.send(msg);
      else other.socket.send(msg, other.port, other.address);
    });
  });
  await writeFile(portsFile, legs.map((l) => l.socket.address().port).join('\n') + '\n');
  await new Promise((r) => setTimeout(r, Number(warmupArg) * 1000));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(durationArg) * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const pct = (us: number): number => Math.round((us / 1000 / wallMs) * 1000) / 10;
  process.stdout.write(JSON.stringify({ mode: 'bare-relay', count: countArg, cpuPercent: pct(cpu.user + cpu.system), cpuUserPercent: pct(cpu.user), tick: [{ p99Ms: 0, maxMs: 0 }] }) + '\n');
  await new Promise((r) => setTimeout(r, 2000));
  for (const l of legs) l.socket.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
