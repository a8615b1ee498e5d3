// Native UDP I/O for media endpoints (docs/media/native-io.md).
//
// node:dgram costs one JS callback, one Buffer and one RemoteInfo per datagram received and one
// uv_udp_send (a request, a closure) per datagram sent; at 100,000 packets/s each way that is
// most of a core. This addon owns the RTP/RTCP sockets of every endpoint of the thread that
// loaded it and moves datagrams in batches instead:
//
//   epoll (ours, itself watched by one uv_poll in the thread's libuv loop)
//     ─► recvmmsg on each ready socket, into slots of a receive arena JS allocated
//     ─► one JS call per batch: onBatch(count); JS reads slot i's record from a shared Int32Array
//   JS send(handle, bytes, length) ─► sendto(2) at once, from the caller's bytes (no copy)
//
// A record is 4 int32: [handle << 1 | rtcp, length, source port, source address length]. The
// source address travels as text (inet_ntop, what node:dgram reports) only when it differs from
// the previous datagram's on the same socket; JS keeps the last one per socket. That keeps the
// per-datagram cost to a few integer stores, and the address string is not rebuilt per packet.
//
// Everything runs on the JS thread that loaded the addon (the media worker): no locks, and a
// handle closed by JS while a batch is being delivered is never reused before the batch ends.
// One instance per thread (napi instance data): each media worker has its own sockets and loop.
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define RECORD_INTS 4
#define ADDR_TEXT 48 /* INET6_ADDRSTRLEN (46) rounded up */
#define MAX_RECV_PER_CALL 64
#define MAX_EVENTS 256
/* Bound on epoll rounds per wakeup, so that a flood cannot keep the thread from its timers. */
#define MAX_ROUNDS 8

typedef struct {
  int fd[2]; /* RTP, RTCP; -1 when the handle is free */
  int family;
  /* The source of the last datagram delivered per socket (JS holds its text). */
  struct sockaddr_storage last_src[2];
  socklen_t last_src_len[2];
  /* The RTP peer JS "connected" to: sendPeer() sends there without parsing an address. */
  struct sockaddr_storage peer;
  socklen_t peer_len;
  uint32_t truncated;
} pair_t;

typedef struct {
  napi_env env;
  int epfd;
  uv_poll_t poll;
  int poll_init;
  int refed;
  napi_async_cleanup_hook_handle cleanup;

  pair_t *pairs;
  int npairs, cap;
  int *free_ids;
  int nfree;
  /* Freed while a batch is out in JS: reusable only after it returns. */
  int *pending_free;
  int npending;
  int open_count;
  int in_batch;

  /* Shared with JS (JS-allocated ArrayBuffers, kept alive by the references). */
  napi_ref arena_ref, meta_ref, text_ref, on_batch_ref, resource_ref;
  napi_async_context async_ctx;
  uint8_t *arena;
  int32_t *meta;
  uint8_t *text;
  int slots, slot_size;

  /* One prepared header per slot: recvmmsg fills slots in place, nothing set up per call. */
  struct mmsghdr *msgs;
  struct iovec *iov;
  struct sockaddr_storage *names;
  struct epoll_event events[MAX_EVENTS];

  uint64_t batches, received, delivered, dropped_truncated, recv_errors;
} io_t;

// ---- helpers -----------------------------------------------------------------------------------

#define CHECK(call)                                                                                 \
  do {                                                                                              \
    if ((call) != napi_ok) return NULL;                                                             \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  const char *code = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : err == EINVAL ? "EINVAL" : "EIO";
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, code, msg);
  return NULL;
}

static io_t *get_io(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok) return NULL;
  return (io_t *)data;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/** Parses "a.b.c.d" or an IPv6 literal + port into a sockaddr of `family` (IPv4 into v4-mapped on a v6 socket). */
static int parse_addr(const char *text, int port, int family, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  if (port <= 0 || port > 65535) return 0;
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, text, &a->sin_addr) != 1) return 0;
    *len = sizeof *a;
    return 1;
  }
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  a6->sin6_family = AF_INET6;
  a6->sin6_port = htons((uint16_t)port);
  if (inet_pton(AF_INET6, text, &a6->sin6_addr) != 1) {
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) != 1) return 0;
    a6->sin6_addr.s6_addr[10] = 0xff;
    a6->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&a6->sin6_addr.s6_addr[12], &v4, 4);
  }
  *len = sizeof *a6;
  return 1;
}

static pair_t *get_pair(io_t *io, int32_t h) {
  if (io == NULL || h < 0 || h >= io->npairs || io->pairs[h].fd[0] < 0) return NULL;
  return &io->pairs[h];
}

static void update_ref(io_t *io) {
  if (!io->poll_init) return;
  // Open sockets keep the thread's loop alive (as node:dgram's do); an idle engine must not.
  if (io->open_count > 0 && !io->refed) {
    uv_ref((uv_handle_t *)&io->poll);
    io->refed = 1;
  } else if (io->open_count == 0 && io->refed) {
    uv_unref((uv_handle_t *)&io->poll);
    io->refed = 0;
  }
}

// ---- receive -----------------------------------------------------------------------------------

/** Hands slots [0, n) to JS in one call. */
static void deliver(io_t *io, int n) {
  if (n == 0) return;
  napi_env env = io->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[1], result;
  if (napi_get_reference_value(env, io->on_batch_ref, &fn) == napi_ok && napi_get_reference_value(env, io->resource_ref, &recv) == napi_ok &&
      napi_create_int32(env, n, &argv[0]) == napi_ok) {
    io->in_batch = 1;
    io->batches++;
    io->delivered += (uint64_t)n;
    napi_status st = napi_make_callback(env, io->async_ctx, recv, fn, 1, argv, &result);
    io->in_batch = 0;
    if (st == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
  // Handles closed during the batch may be reused now.
  for (int i = 0; i < io->npending; i++) io->free_ids[io->nfree++] = io->pending_free[i];
  io->npending = 0;
}

/**
 * recvmmsg on one socket into slots [used, ...); returns the new used count. *drained is set
 * when the socket's queue was emptied (edge-triggered epoll: only then may we move on).
 */
static int receive_socket(io_t *io, int h, int which, int used, int *drained) {
  pair_t *p = &io->pairs[h];
  int fd = p->fd[which];
  *drained = 0;
  while (used < io->slots) {
    int want = io->slots - used;
    if (want > MAX_RECV_PER_CALL) want = MAX_RECV_PER_CALL;
    struct mmsghdr *msgs = io->msgs + used;
    for (int i = 0; i < want; i++) msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    int got = recvmmsg(fd, msgs, (unsigned)want, MSG_DONTWAIT, NULL);
    if (got <= 0) {
      if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) io->recv_errors++;
      *drained = 1;
      return used;
    }
    io->received += (uint64_t)got;
    int kept = 0;
    for (int i = 0; i < got; i++) {
      struct msghdr *m = &msgs[i].msg_hdr;
      if (m->msg_flags & MSG_TRUNC) {
        // Bigger than any RTP/RTCP packet we handle: cut short it would be garbage.
        p->truncated++;
        io->dropped_truncated++;
        continue;
      }
      int slot = used + kept;
      struct sockaddr_storage *src = &io->names[used + i];
      socklen_t slen = m->msg_namelen;
      if (kept != i) {
        // Close the gap a dropped datagram left: slots stay dense for JS.
        memmove(io->arena + (size_t)slot * (size_t)io->slot_size, io->iov[used + i].iov_base, msgs[i].msg_len);
        memcpy(&io->names[slot], src, slen);
        src = &io->names[slot];
      }
      int32_t *rec = io->meta + (size_t)slot * RECORD_INTS;
      rec[0] = (h << 1) | which;
      rec[1] = (int32_t)msgs[i].msg_len;
      int port = 0;
      if (src->ss_family == AF_INET) port = ntohs(((struct sockaddr_in *)src)->sin_port);
      else if (src->ss_family == AF_INET6) port = ntohs(((struct sockaddr_in6 *)src)->sin6_port);
      rec[2] = port;
      rec[3] = 0;
      if (slen != p->last_src_len[which] || memcmp(src, &p->last_src[which], slen) != 0) {
        char *t = (char *)io->text + (size_t)slot * ADDR_TEXT;
        const void *a = src->ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)src)->sin_addr : (const void *)&((struct sockaddr_in6 *)src)->sin6_addr;
        if (inet_ntop(src->ss_family, a, t, ADDR_TEXT) == NULL) continue; // a family nobody could latch
        rec[3] = (int32_t)strlen(t);
        memcpy(&p->last_src[which], src, slen);
        p->last_src_len[which] = slen;
      }
      kept++;
    }
    used += kept;
    if (got < want) {
      *drained = 1;
      return used;
    }
  }
  return used;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  io_t *io = (io_t *)handle->data;
  if (status < 0 || io->slots == 0) return;
  // The sockets are edge-triggered (no re-poll of every ready socket on each epoll_wait): each
  // one is drained before the next, delivering whenever the arena fills. Another round only
  // when this one took all the events it could; after MAX_ROUNDS our epoll fd is still readable
  // and libuv calls again after its timers.
  for (int round = 0; round < MAX_ROUNDS; round++) {
    int n = epoll_wait(io->epfd, io->events, MAX_EVENTS, 0);
    if (n <= 0) return;
    int used = 0;
    for (int i = 0; i < n; i++) {
      uint32_t key = io->events[i].data.u32;
      int h = (int)(key >> 1), which = (int)(key & 1);
      for (;;) {
        // Closed by JS during an earlier batch of this round.
        if (h >= io->npairs || io->pairs[h].fd[which] < 0) break;
        int drained;
        used = receive_socket(io, h, which, used, &drained);
        if (used == io->slots) {
          deliver(io, used);
          used = 0;
        }
        if (drained) break;
      }
    }
    deliver(io, used);
    if (n < MAX_EVENTS) return;
  }
}

// ---- JS API ------------------------------------------------------------------------------------

/** init(arena: ArrayBuffer, meta: ArrayBuffer, text: ArrayBuffer, slotSize, onBatch, resource) */
static napi_value js_init(napi_env env, napi_callback_info info) {
  io_t *io = get_io(env);
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (io == NULL || argc < 6) return throw_errno(env, "init", EINVAL);
  if (io->slots != 0) return throw_errno(env, "init: already initialised", EINVAL);
  void *arena, *meta, *text;
  size_t arena_len, meta_len, text_len;
  int32_t slot_size;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &arena, &arena_len));
  CHECK(napi_get_arraybuffer_info(env, argv[1], &meta, &meta_len));
  CHECK(napi_get_arraybuffer_info(env, argv[2], &text, &text_len));
  if (!get_int(env, argv[3], &slot_size) || slot_size < 64) return throw_errno(env, "init: slot size", EINVAL);
  int slots = (int)(arena_len / (size_t)slot_size);
  if (slots < 1 || meta_len < (size_t)slots * RECORD_INTS * 4 || text_len < (size_t)slots * ADDR_TEXT) return throw_errno(env, "init: buffer sizes", EINVAL);
  CHECK(napi_create_reference(env, argv[0], 1, &io->arena_ref));
  CHECK(napi_create_reference(env, argv[1], 1, &io->meta_ref));
  CHECK(napi_create_reference(env, argv[2], 1, &io->text_ref));
  CHECK(napi_create_reference(env, argv[4], 1, &io->on_batch_ref));
  CHECK(napi_create_reference(env, argv[5], 1, &io->resource_ref));
  napi_value name;
  CHECK(napi_create_string_utf8(env, "SwitchboardUdpIo", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, argv[5], name, &io->async_ctx));
  io->msgs = calloc((size_t)slots, sizeof *io->msgs);
  io->iov = calloc((size_t)slots, sizeof *io->iov);
  io->names = calloc((size_t)slots, sizeof *io->names);
  if (!io->msgs || !io->iov || !io->names) return throw_errno(env, "init: out of memory", ENOMEM);
  for (int i = 0; i < slots; i++) {
    io->iov[i].iov_base = (uint8_t *)arena + (size_t)i * (size_t)slot_size;
    io->iov[i].iov_len = (size_t)slot_size;
    io->msgs[i].msg_hdr.msg_iov = &io->iov[i];
    io->msgs[i].msg_hdr.msg_iovlen = 1;
    io->msgs[i].msg_hdr.msg_name = &io->names[i];
  }
  io->arena = arena;
  io->meta = meta;
  io->text = text;
  io->slot_size = slot_size;
  io->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (io->epfd < 0) return throw_errno(env, "epoll_create1", errno);
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &io->poll, io->epfd) != 0) return throw_errno(env, "uv_poll_init", EIO);
  io->poll.data = io;
  io->poll_init = 1;
  uv_poll_start(&io->poll, UV_READABLE, on_readable);
  uv_unref((uv_handle_t *)&io->poll);
  io->refed = 0;
  io->slots = slots;
  napi_value r;
  CHECK(napi_create_int32(env, slots, &r));
  return r;
}

static int bind_one(int family, const struct sockaddr_storage *ss, socklen_t len, int port, int rcvbuf, int sndbuf, int *err) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  struct sockaddr_storage a = *ss;
  if (family == AF_INET) ((struct sockaddr_in *)&a)->sin_port = htons((uint16_t)port);
  else ((struct sockaddr_in6 *)&a)->sin6_port = htons((uint16_t)port);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf); // capped by rmem_max: fine
  if (sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  if (bind(fd, (struct sockaddr *)&a, len) != 0) {
    *err = errno;
    close(fd);
    return -1;
  }
  return fd;
}

/** open(address, port, rcvbuf, sndbuf) → handle: binds RTP on port and RTCP on port + 1. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  io_t *io = get_io(env);
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (io == NULL || io->slots == 0 || argc < 4) return throw_errno(env, "open: not initialised", EINVAL);
  char addr[64];
  size_t alen;
  CHECK(napi_get_value_string_latin1(env, argv[0], addr, sizeof addr, &alen));
  int32_t port, rcvbuf, sndbuf;
  if (!get_int(env, argv[1], &port) || !get_int(env, argv[2], &rcvbuf) || !get_int(env, argv[3], &sndbuf)) return throw_errno(env, "open", EINVAL);
  int family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
  struct sockaddr_storage ss;
  socklen_t slen;
  if (!parse_addr(addr, port, family, &ss, &slen) || port > 65534) return throw_errno(env, "open: bad address or port", EINVAL);
  int err = 0;
  int rtp = bind_one(family, &ss, slen, port, rcvbuf, sndbuf, &err);
  if (rtp < 0) return throw_errno(env, "bind RTP", err);
  int rtcp = bind_one(family, &ss, slen, port + 1, 0, 0, &err);
  if (rtcp < 0) {
    close(rtp);
    return throw_errno(env, "bind RTCP", err);
  }
  int h;
  if (io->nfree > 0) {
    h = io->free_ids[--io->nfree];
  } else {
    if (io->npairs == io->cap) {
      int cap = io->cap ? io->cap * 2 : 256;
      pair_t *np = realloc(io->pairs, (size_t)cap * sizeof *np);
      int *nf = realloc(io->free_ids, (size_t)cap * sizeof *nf);
      int *npf = nf ? realloc(io->pending_free, (size_t)cap * sizeof *npf) : NULL;
      if (np) io->pairs = np;
      if (nf) io->free_ids = nf;
      if (npf) io->pending_free = npf;
      if (!np || !nf || !npf) {
        close(rtp);
        close(rtcp);
        return throw_errno(env, "open: out of memory", ENOMEM);
      }
      io->cap = cap;
    }
    h = io->npairs++;
  }
  pair_t *p = &io->pairs[h];
  memset(p, 0, sizeof *p);
  p->fd[0] = rtp;
  p->fd[1] = rtcp;
  p->family = family;
  for (int which = 0; which < 2; which++) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data = {.u32 = ((uint32_t)h << 1) | (uint32_t)which}};
    epoll_ctl(io->epfd, EPOLL_CTL_ADD, p->fd[which], &ev);
  }
  io->open_count++;
  update_ref(io);
  napi_value r;
  CHECK(napi_create_int32(env, h, &r));
  return r;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  io_t *io = get_io(env);
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t h;
  if (argc < 1 || !get_int(env, argv[0], &h)) return NULL;
  pair_t *p = get_pair(io, h);
  if (p == NULL) return NULL;
  for (int which = 0; which < 2; which++) {
    epoll_ctl(io->epfd, EPOLL_CTL_DEL, p->fd[which], NULL);
    close(p->fd[which]);
    p->fd[which] = -1;
  }
  if (io->in_batch) io->pending_free[io->npending++] = h;
  else io->free_ids[io->nfree++] = h;
  io->open_count--;
  update_ref(io);
  return NULL;
}

/** Reads (handle, which, bytes, length) and sends to `to`; returns 0 or -errno. */
static napi_value send_common(napi_env env, io_t *io, napi_value *argv, const struct sockaddr_storage *to, socklen_t tolen, int32_t h, int which) {
  napi_value r;
  pair_t *p = get_pair(io, h);
  if (p == NULL) {
    CHECK(napi_create_int32(env, -EBADF, &r));
    return r;
  }
  void *data;
  size_t len;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &len, &data, &ab, &off));
  int32_t length;
  if (!get_int(env, argv[1], &length) || length < 0 || (size_t)length > len) length = (int32_t)len;
  ssize_t n = sendto(p->fd[which], data, (size_t)length, 0, (const struct sockaddr *)to, tolen);
  CHECK(napi_create_int32(env, n < 0 ? -errno : 0, &r));
  return r;
}

/** send(handle, rtcp: 0|1, bytes: Uint8Array, length, port, address) → 0 or -errno. */
static napi_value js_send(napi_env env, napi_callback_info info) {
  io_t *io = get_io(env);
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t h, which, port;
  if (argc < 6 || !get_int(env, argv[0], &h) || !get_int(env, argv[1], &which) || !get_int(env, argv[4], &port)) return throw_errno(env, "send", EINVAL);
  pair_t *p = get_pair(io, h);
  napi_value r;
  char addr[64];
  size_t alen;
  struct sockaddr_storage to;
  socklen_t tolen;
  if (napi_get_value_string_latin1(env, argv[5], addr, sizeof addr, &alen) != napi_ok || p == NULL || !parse_addr(addr, port, p->family, &to, &tolen)) {
    CHECK(napi_create_int32(env, p == NULL ? -EBADF : -EINVAL, &r));
    return r;
  }
  return send_common(env, io, argv + 2, &to, tolen, h, which ? 1 : 0);
}

/** setPeer(handle, port, address): the destination sendPeer uses. false if the address does not parse. */
static napi_value js_set_peer(napi_env env, napi_callback_info info) {
  io_t *io = get_io(env);
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t h, port;
  char addr[64];
  size_t alen;
  napi_value r;
  int ok = 0;
  if (argc >= 3 && get_int(env, argv[0], &h) && get_int(env, argv[1], &port) && napi_get_value_string_latin1(env, argv[2], addr, sizeof addr, &alen) == napi_ok) {
    pair_t *p = get_pair(io, h);
    if (p != NULL) {
      ok = parse_addr(addr, port, p->family, &p->peer, &p->peer_len);
      if (!ok) p->peer_len = 0;
    }
  }
  CHECK(napi_get_boolean(env, ok, &r));
  return r;
}

/** sendPeer(handle, bytes, length) → 0 or -errno: RTP to the peer setPeer named. */
static napi_value js_send_peer(napi_env env, napi_callback_info info) {
  io_t *io = get_io(env);
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t h;
  if (argc < 3 || !get_int(env, argv[0], &h)) return throw_errno(env, "sendPeer", EINVAL);
  pair_t *p = get_pair(io, h);
  if (p != NULL && p->peer_len == 0) {
    napi_value r;
    CHECK(napi_create_int32(env, -EDESTADDRREQ, &r));
    return r;
  }
  return send_common(env, io, argv + 1, p ? &p->peer : NULL, p ? p->peer_len : 0, h, 0);
}

/** info(handle?) → counters of the thread's I/O, or of one pair. */
static napi_value js_info(napi_env env, napi_callback_info info) {
  io_t *io = get_io(env);
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_value o, v;
  CHECK(napi_create_object(env, &o));
  int32_t h;
  if (argc >= 1 && get_int(env, argv[0], &h)) {
    pair_t *p = get_pair(io, h);
    CHECK(napi_create_uint32(env, p ? p->truncated : 0, &v));
    CHECK(napi_set_named_property(env, o, "truncated", v));
    return o;
  }
#define PROP(name, val)                                                                             \
  CHECK(napi_create_double(env, (double)(val), &v));                                                \
  CHECK(napi_set_named_property(env, o, name, v));
  PROP("open", io ? io->open_count : 0);
  PROP("slots", io ? io->slots : 0);
  PROP("batches", io ? io->batches : 0);
  PROP("received", io ? io->received : 0);
  PROP("delivered", io ? io->delivered : 0);
  PROP("droppedTruncated", io ? io->dropped_truncated : 0);
  PROP("receiveErrors", io ? io->recv_errors : 0);
#undef PROP
  return o;
}

// ---- lifetime ----------------------------------------------------------------------------------

static void on_poll_closed(uv_handle_t *handle) {
  io_t *io = (io_t *)handle->data;
  napi_async_cleanup_hook_handle c = io->cleanup;
  free(io->pairs);
  free(io->free_ids);
  free(io->pending_free);
  free(io->msgs);
  free(io->iov);
  free(io->names);
  free(io);
  napi_remove_async_cleanup_hook(c);
}

/** The thread's environment is going away (worker ended or terminated, process exit): close everything. */
static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  io_t *io = (io_t *)arg;
  io->cleanup = handle;
  for (int h = 0; h < io->npairs; h++)
    for (int which = 0; which < 2; which++)
      if (io->pairs[h].fd[which] >= 0) {
        close(io->pairs[h].fd[which]);
        io->pairs[h].fd[which] = -1;
      }
  io->open_count = 0;
  if (io->poll_init) {
    uv_poll_stop(&io->poll);
    if (io->epfd >= 0) close(io->epfd);
    io->epfd = -1;
    uv_close((uv_handle_t *)&io->poll, on_poll_closed);
    return;
  }
  if (io->epfd >= 0) close(io->epfd);
  free(io->pairs);
  free(io->free_ids);
  free(io->pending_free);
  free(io->msgs);
  free(io->iov);
  free(io->names);
  free(io);
  napi_remove_async_cleanup_hook(handle);
}

NAPI_MODULE_INIT() {
  io_t *io = calloc(1, sizeof *io);
  if (io == NULL) return NULL;
  io->env = env;
  io->epfd = -1;
  if (napi_set_instance_data(env, io, NULL, NULL) != napi_ok) return NULL;
  napi_add_async_cleanup_hook(env, on_env_cleanup, io, &io->cleanup);
  napi_property_descriptor props[] = {
      {"init", NULL, js_init, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"setPeer", NULL, js_set_peer, NULL, NULL, NULL, napi_default, NULL},
      {"sendPeer", NULL, js_send_peer, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
