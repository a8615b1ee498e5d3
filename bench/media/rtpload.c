/*
 * rtpload: an RTP load generator and receiver for the media benchmarks (bench/media/bridge.sh, conference.sh).
 *
 * Reads a ports file (one line per leg: "<engine-rtp-port>"; the legs of a call on consecutive
 * lines), sends 20 ms G.711 packets (PT 0, 172 bytes) to every leg at 50 packets/s from a few
 * local sockets (legs spread over them), with the send phases spread evenly over the 20 ms, and
 * receives what the engine sends back.
 *
 * Payload of every packet we send (160 bytes):
 *   0..7   CLOCK_MONOTONIC send time, ns (little endian)
 *   8..11  leg index
 *   12..159 0xFF (µ-law silence)
 * A relayed packet keeps its payload, so the receiver gets the send time back: latency = kernel
 * receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME, converted) - send time.
 *
 * For every packet received on a leg's socket we also check the RTP stream the engine sends to
 * that leg: one SSRC, sequence +1 and timestamp +160 per packet (gaps are counted).
 *
 * Usage: rtpload bridge|conference PORTSFILE DURATION_S WARMUP_S [SOCKETS]
 *   bridge      legs 2k and 2k+1 are the two ends of a relayed call: loss and latency from the
 *               payloads that come back (sent inside the measuring window)
 *   conference  the engine mixes, payloads are new: packets counted by arrival inside the window
 * The leg a packet belongs to is found by its source port (the engine endpoint's).
 * Prints one JSON object on stdout. Uses sendmmsg/recvmmsg; Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LEGS 20000
#define MAX_SOCKETS 64
#define BATCH 256
#define PKT 172
#define HIST_US 200000 /* latency histogram, 1 µs buckets up to 200 ms */

typedef struct {
  int port;         /* engine port */
  int sock;         /* index of our socket */
  uint64_t next_ns; /* next send time */
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
  /* what we receive on this leg */
  int have_rx;
  uint32_t rx_ssrc;
  uint16_t rx_seq;
  uint32_t rx_ts;
  uint64_t sent_measured;
  uint64_t received_measured; /* packets originated by this leg's peer and received, inside the window */
} leg_t;

static leg_t legs[MAX_LEGS];
static int nlegs;
static int socks[MAX_SOCKETS];
static int nsocks = 8;
static uint32_t *hist;
static uint64_t lat_count, lat_over;
static uint64_t seq_gaps, ts_gaps, ssrc_changes, rx_total, rx_foreign, rx_rtcp;
static uint64_t sent_total, send_errors;
static int port_leg[65536]; /* engine port -> leg index + 1 */
static int conference;

static uint64_t now_ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int open_socket(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) { perror("socket"); exit(1); }
  int size = 8 << 20;
  if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0) setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  int on = 1;
  setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(0x7f000001);
  a.sin_port = 0;
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
  fcntl(s, F_SETFL, O_NONBLOCK);
  return s;
}

static void put_u64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint64_t get_u64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static void put_u32le(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get_u32le(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }

/* Offset between CLOCK_REALTIME (kernel rx stamps) and CLOCK_MONOTONIC (our send stamps). */
static int64_t realtime_minus_mono;

static void receive_all(uint64_t window_start, uint64_t window_end) {
  static uint8_t bufs[BATCH][1500];
  static struct mmsghdr msgs[BATCH];
  static struct iovec iov[BATCH];
  static struct sockaddr_in from[BATCH];
  static char ctrl[BATCH][64];
  for (int si = 0; si < nsocks; si++) {
    for (int round = 0; round < 64; round++) {
      for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = sizeof bufs[i];
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_control = ctrl[i];
        msgs[i].msg_hdr.msg_controllen = sizeof ctrl[i];
      }
      int n = recvmmsg(socks[si], msgs, BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0) break;
      uint64_t mono_now = now_ns(CLOCK_MONOTONIC);
      for (int i = 0; i < n; i++) {
        uint8_t *p = bufs[i];
        unsigned len = msgs[i].msg_len;
        rx_total++;
        if (len < 12 || (p[0] >> 6) != 2) continue;
        if (p[1] >= 200 && p[1] <= 204) { rx_rtcp++; continue; }
        int to_leg = port_leg[ntohs(from[i].sin_port)] - 1;
        if (to_leg < 0) { rx_foreign++; continue; }
        uint64_t rx_ns = mono_now;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
            struct timespec t;
            memcpy(&t, CMSG_DATA(c), sizeof t);
            rx_ns = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec - (uint64_t)realtime_minus_mono;
          }
        }
        uint16_t seq = (uint16_t)((p[2] << 8) | p[3]);
        uint32_t ts = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
        uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
        int measured;
        uint64_t sent = 0;
        if (conference) {
          measured = rx_ns >= window_start && rx_ns < window_end;
        } else {
          if (len < 12 + 12) { rx_foreign++; continue; }
          sent = get_u64(p + 12);
          uint32_t from_leg = get_u32le(p + 20);
          if ((int)(from_leg ^ 1) != to_leg) { rx_foreign++; continue; }
          measured = sent >= window_start && sent < window_end;
        }
        leg_t *l = &legs[to_leg];
        if (measured) {
          l->received_measured++;
          if (l->have_rx) {
            if (ssrc != l->rx_ssrc) ssrc_changes++;
            else {
              if ((uint16_t)(seq - l->rx_seq) != 1) seq_gaps++;
              if ((uint32_t)(ts - l->rx_ts) != 160) ts_gaps++;
            }
          }
          if (!conference && rx_ns > sent) {
            uint64_t us = (rx_ns - sent) / 1000;
            if (us < HIST_US) hist[us]++;
            else lat_over++;
            lat_count++;
          }
        }
        l->have_rx = 1;
        l->rx_ssrc = ssrc;
        l->rx_seq = seq;
        l->rx_ts = ts;
      }
    }
  }
}

static double percentile(double p) {
  if (lat_count == 0) return -1;
  uint64_t want = (uint64_t)(p / 100.0 * (double)lat_count);
  if (want >= lat_count) want = lat_count - 1;
  uint64_t acc = 0;
  for (int i = 0; i < HIST_US; i++) {
    acc += hist[i];
    if (acc > want) return i / 1000.0;
  }
  return HIST_US / 1000.0;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: rtpload bridge|conference PORTSFILE DURATION_S WARMUP_S [SOCKETS]\n");
    return 2;
  }
  conference = strcmp(argv[1], "conference") == 0;
  double duration = atof(argv[3]), warmup = atof(argv[4]);
  if (argc > 5) nsocks = atoi(argv[5]);
  if (nsocks < 1 || nsocks > MAX_SOCKETS) nsocks = 8;
  FILE *f = fopen(argv[2], "r");
  if (!f) { perror(argv[2]); return 1; }
  int port;
  while (nlegs < MAX_LEGS && fscanf(f, "%d", &port) == 1) {
    if (port > 0 && port < 65536) port_leg[port] = nlegs + 1;
    legs[nlegs++].port = port;
  }
  fclose(f);
  hist = calloc(HIST_US, sizeof *hist);
  for (int i = 0; i < nsocks; i++) socks[i] = open_socket();
  realtime_minus_mono = (int64_t)now_ns(CLOCK_REALTIME) - (int64_t)now_ns(CLOCK_MONOTONIC);

  uint64_t start = now_ns(CLOCK_MONOTONIC) + 50000000ull;
  uint64_t window_start = start + (uint64_t)(warmup * 1e9);
  uint64_t window_end = window_start + (uint64_t)(duration * 1e9);
  srand(12345);
  for (int i = 0; i < nlegs; i++) {
    legs[i].sock = i % nsocks;
    legs[i].next_ns = start + (uint64_t)i * 20000000ull / (uint64_t)(nlegs ? nlegs : 1);
    legs[i].seq = (uint16_t)rand();
    legs[i].ts = (uint32_t)rand();
    legs[i].ssrc = (uint32_t)rand() ^ ((uint32_t)i << 16);
  }

  static uint8_t out[BATCH][PKT];
  static struct mmsghdr msgs[BATCH];
  static struct iovec iov[BATCH];
  static struct sockaddr_in dst[BATCH];
  /* One pass per socket per loop: legs of socket s are s, s+nsocks, ... */
  for (;;) {
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    if (now >= window_end) break;
    uint64_t earliest = UINT64_MAX;
    for (int si = 0; si < nsocks; si++) {
      int n = 0;
      for (int i = si; i < nlegs; i += nsocks) {
        leg_t *l = &legs[i];
        if (l->next_ns > now) {
          if (l->next_ns < earliest) earliest = l->next_ns;
          continue;
        }
        uint8_t *p = out[n];
        p[0] = 0x80;
        p[1] = 0;
        p[2] = l->seq >> 8; p[3] = l->seq & 0xff;
        p[4] = l->ts >> 24; p[5] = l->ts >> 16; p[6] = l->ts >> 8; p[7] = l->ts;
        p[8] = l->ssrc >> 24; p[9] = l->ssrc >> 16; p[10] = l->ssrc >> 8; p[11] = l->ssrc;
        memset(p + 12, 0xff, PKT - 12);
        uint64_t t = now_ns(CLOCK_MONOTONIC);
        put_u64(p + 12, t);
        put_u32le(p + 20, (uint32_t)i);
        if (t >= window_start && t < window_end) l->sent_measured++;
        dst[n].sin_family = AF_INET;
        dst[n].sin_addr.s_addr = htonl(0x7f000001);
        dst[n].sin_port = htons((uint16_t)l->port);
        iov[n].iov_base = p;
        iov[n].iov_len = PKT;
        memset(&msgs[n].msg_hdr, 0, sizeof msgs[n].msg_hdr);
        msgs[n].msg_hdr.msg_name = &dst[n];
        msgs[n].msg_hdr.msg_namelen = sizeof dst[n];
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
        l->seq++;
        l->ts += 160;
        l->next_ns += 20000000ull;
        if (l->next_ns < earliest) earliest = l->next_ns;
        if (++n == BATCH) {
          int sent = sendmmsg(socks[si], msgs, n, 0);
          if (sent < n) send_errors += (uint64_t)(n - (sent < 0 ? 0 : sent));
          sent_total += (uint64_t)(sent < 0 ? 0 : sent);
          n = 0;
        }
      }
      if (n > 0) {
        int sent = sendmmsg(socks[si], msgs, n, 0);
        if (sent < n) send_errors += (uint64_t)(n - (sent < 0 ? 0 : sent));
        sent_total += (uint64_t)(sent < 0 ? 0 : sent);
      }
    }
    receive_all(window_start, window_end);
    now = now_ns(CLOCK_MONOTONIC);
    if (earliest != UINT64_MAX && earliest > now) {
      uint64_t wait = earliest - now;
      if (wait > 1000000) wait = 1000000;
      struct pollfd pf[MAX_SOCKETS];
      for (int i = 0; i < nsocks; i++) { pf[i].fd = socks[i]; pf[i].events = POLLIN; }
      struct timespec ts = { 0, (long)wait };
      ppoll(pf, (nfds_t)nsocks, &ts, NULL);
    }
  }
  /* Packets still in flight: keep receiving for 300 ms. */
  uint64_t drain_end = now_ns(CLOCK_MONOTONIC) + 300000000ull;
  while (now_ns(CLOCK_MONOTONIC) < drain_end) {
    receive_all(window_start, window_end);
    struct timespec ts = { 0, 1000000 };
    nanosleep(&ts, NULL);
  }

  uint64_t sent_m = 0, recv_m = 0;
  for (int i = 0; i < nlegs; i++) {
    sent_m += legs[i].sent_measured;
    recv_m += legs[i].received_measured;
  }
  /* Bridge: what came back of what was sent. Conference: against 50 packets/s per leg. */
  uint64_t expected = conference ? (uint64_t)((double)nlegs * duration * 50.0) : sent_m;
  double loss = expected ? 100.0 * (double)(expected > recv_m ? expected - recv_m : 0) / (double)expected : 0;
  printf("{\"mode\":\"%s\",\"legs\":%d,\"sockets\":%d,\"durationS\":%.1f,\"sentTotal\":%llu,\"sendErrors\":%llu,\"sentMeasured\":%llu,\"expected\":%llu,"
         "\"receivedMeasured\":%llu,\"lossPercent\":%.4f,\"latencyMs\":{\"samples\":%llu,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"over200\":%llu},"
         "\"seqGaps\":%llu,\"tsGaps\":%llu,\"ssrcChanges\":%llu,\"receivedTotal\":%llu,\"rtcp\":%llu,\"foreign\":%llu}\n",
         conference ? "conference" : "bridge", nlegs, nsocks, duration, (unsigned long long)sent_total, (unsigned long long)send_errors, (unsigned long long)sent_m, (unsigned long long)expected,
         (unsigned long long)recv_m, loss, (unsigned long long)lat_count, percentile(50), percentile(90), percentile(99), percentile(99.9),
         (unsigned long long)lat_over, (unsigned long long)seq_gaps, (unsigned long long)ts_gaps, (unsigned long long)ssrc_changes,
         (unsigned long long)rx_total, (unsigned long long)rx_rtcp, (unsigned long long)rx_foreign);
  return 0;
}
