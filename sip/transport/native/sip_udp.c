// Native UDP I/O for SIP (docs/sip-native-udp.md).
//
// node:dgram costs, per datagram received, a libuv callback into JS with a new Buffer and
// a RemoteInfo object (its address printed with inet_ntop), and per datagram sent a JS
// send wrapper, a request object and a completion callback. A registrar answering 12,000
// REGISTERs a second moves ~50,000 datagrams a second, and that overhead is a third of a
// core. This addon moves them in batches instead:
//
//   uv_poll on the socket (in the JS thread's own libuv loop)
//     ─► recvmmsg into the slots of an arena JS allocated (up to `slots` datagrams)
//     ─► one JS call per batch: onBatch(count); slot i's record is 8 int32 in a shared array:
//        [length, source port, family (4|6), truncated, address as 4 big-endian words]
//   JS send(handle, bytes, length, port, address) ─► sendto(2) at once (no copy, no callback)
//
// Everything happens on the thread that loaded the addon; a handle is one socket.
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
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define RECORD_INTS 8
#define MAX_HANDLES 16
/* Rounds of recvmmsg per wakeup: a flood must not keep the thread from its timers. */
#define MAX_ROUNDS 4

typedef struct sock_s {
  int fd;
  int family;
  uv_poll_t poll;
  int polling;
  napi_env env;
  napi_ref on_batch;
  napi_ref arena_ref;
  napi_ref meta_ref;
  napi_ref resource_ref;
  napi_async_context async_ctx;
  uint8_t *arena;
  int32_t *meta;
  int slots;
  int slot_size;
  struct mmsghdr *msgs;
  struct iovec *iov;
  struct sockaddr_storage *addrs;
  uint64_t received, batches, send_errors;
} sock_t;

typedef struct {
  sock_t *socks[MAX_HANDLES];
} instance_t;

#define CHECK(env, call)                                                  \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error((env), NULL, "switchboard_sip_udp: " #call " failed"); \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

static instance_t *instance(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return (instance_t *)data;
}

static sock_t *get_sock(napi_env env, napi_value v) {
  int32_t h = -1;
  if (napi_get_value_int32(env, v, &h) != napi_ok || h < 0 || h >= MAX_HANDLES) return NULL;
  return instance(env)->socks[h];
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value e, code, text;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &e);
  napi_create_int32(env, -err, &code);
  napi_set_named_property(env, e, "errno", code);
  napi_throw(env, e);
  return NULL;
}

static int to_sockaddr(const char *address, int port, int family, struct sockaddr_storage *out, socklen_t *len) {
  memset(out, 0, sizeof *out);
  if (family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, address, &a->sin6_addr) == 1) {
      *len = sizeof *a;
      return 0;
    }
    /* An IPv4 destination on a dual-stack socket: the v4-mapped form. */
    struct in_addr v4;
    if (inet_pton(AF_INET, address, &v4) != 1) return -1;
    a->sin6_addr.s6_addr[10] = 0xff;
    a->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&a->sin6_addr.s6_addr[12], &v4, 4);
    *len = sizeof *a;
    return 0;
  }
  struct sockaddr_in *a = (struct sockaddr_in *)out;
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, address, &a->sin_addr) != 1) return -1;
  *len = sizeof *a;
  return 0;
}

/* Fills slot i's record from the source address the kernel gave. */
static void record(sock_t *s, int i, unsigned len, int truncated) {
  int32_t *m = s->meta + (size_t)i * RECORD_INTS;
  struct sockaddr_storage *src = &s->addrs[i];
  m[0] = (int32_t)len;
  m[3] = truncated;
  if (src->ss_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)src;
    const uint8_t *b = a->sin6_addr.s6_addr;
    m[1] = ntohs(a->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      /* Reported as IPv4, as node:dgram's normalised peer addresses are. */
      m[2] = 4;
      m[4] = (int32_t)(((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15]);
    } else {
      m[2] = 6;
      for (int w = 0; w < 4; w++) {
        m[4 + w] = (int32_t)(((uint32_t)b[w * 4] << 24) | ((uint32_t)b[w * 4 + 1] << 16) | ((uint32_t)b[w * 4 + 2] << 8) | b[w * 4 + 3]);
      }
    }
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)src;
    m[1] = ntohs(a->sin_port);
    m[2] = 4;
    m[4] = (int32_t)ntohl(a->sin_addr.s_addr);
  }
}

static void deliver(sock_t *s, int count) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, resource, arg, result;
  if (napi_get_reference_value(env, s->on_batch, &fn) == napi_ok && napi_get_reference_value(env, s->resource_ref, &resource) == napi_ok &&
      napi_create_int32(env, count, &arg) == napi_ok) {
    /* make_callback: microtasks (promise continuations of the JS handlers) run after the batch. */
    if (napi_make_callback(env, s->async_ctx, resource, fn, 1, &arg, &result) != napi_ok) {
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value e;
        napi_get_and_clear_last_exception(env, &e);
        napi_fatal_exception(env, e);
      }
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *p, int status, int events) {
  sock_t *s = (sock_t *)p->data;
  if (status < 0 || !(events & UV_READABLE)) return;
  for (int round = 0; round < MAX_ROUNDS && s->fd >= 0 && s->polling; round++) {
    /* The slots' buffers and address fields are set once (js_start); only what the kernel writes back is reset. */
    for (int i = 0; i < s->slots; i++) {
      s->msgs[i].msg_hdr.msg_namelen = sizeof s->addrs[i];
      s->msgs[i].msg_hdr.msg_flags = 0;
      s->msgs[i].msg_len = 0;
    }
    int n = recvmmsg(s->fd, s->msgs, (unsigned)s->slots, MSG_DONTWAIT, NULL);
    if (n <= 0) return; /* EAGAIN: drained (other errors: ICMP reports, ignored as dgram does) */
    for (int i = 0; i < n; i++) record(s, i, s->msgs[i].msg_len, (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0);
    s->received += (uint64_t)n;
    s->batches++;
    deliver(s, n);
    if (n < s->slots) return;
  }
}

static void on_poll_closed(uv_handle_t *h) {
  sock_t *s = (sock_t *)h->data;
  free(s->msgs);
  free(s->iov);
  free(s->addrs);
  free(s);
}

static void release(sock_t *s) {
  napi_env env = s->env;
  if (s->on_batch) napi_delete_reference(env, s->on_batch);
  if (s->arena_ref) napi_delete_reference(env, s->arena_ref);
  if (s->meta_ref) napi_delete_reference(env, s->meta_ref);
  if (s->resource_ref) napi_delete_reference(env, s->resource_ref);
  if (s->async_ctx) napi_async_destroy(env, s->async_ctx);
  s->on_batch = s->arena_ref = s->meta_ref = s->resource_ref = NULL;
  s->async_ctx = NULL;
}

/* open(address, port, receiveBufferBytes, sendBufferBytes) → handle; binds one UDP socket. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char address[64];
  size_t alen = 0;
  int32_t port = 0, rcvbuf = 0, sndbuf = 0;
  CHECK(env, napi_get_value_string_utf8(env, argv[0], address, sizeof address, &alen));
  CHECK(env, napi_get_value_int32(env, argv[1], &port));
  CHECK(env, napi_get_value_int32(env, argv[2], &rcvbuf));
  CHECK(env, napi_get_value_int32(env, argv[3], &sndbuf));
  instance_t *inst = instance(env);
  int h = -1;
  for (int i = 0; i < MAX_HANDLES; i++) {
    if (!inst->socks[i]) {
      h = i;
      break;
    }
  }
  if (h < 0) return throw_errno(env, "open", EMFILE);
  int family = strchr(address, ':') ? AF_INET6 : AF_INET;
  struct sockaddr_storage sa;
  socklen_t slen;
  if (to_sockaddr(address, port, family, &sa, &slen) < 0) return throw_errno(env, "bad address", EINVAL);
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  if (family == AF_INET6) {
    int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  if (bind(fd, (struct sockaddr *)&sa, slen) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  sock_t *s = calloc(1, sizeof *s);
  if (!s) {
    close(fd);
    return throw_errno(env, "open", ENOMEM);
  }
  s->fd = fd;
  s->family = family;
  s->env = env;
  inst->socks[h] = s;
  napi_value out;
  CHECK(env, napi_create_int32(env, h, &out));
  return out;
}

/* port(handle) → the bound port. */
static napi_value js_port(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = get_sock(env, argv[0]);
  if (!s) return throw_errno(env, "port", EBADF);
  struct sockaddr_storage sa;
  socklen_t len = sizeof sa;
  if (getsockname(s->fd, (struct sockaddr *)&sa, &len) < 0) return throw_errno(env, "getsockname", errno);
  int port = sa.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&sa)->sin6_port) : ntohs(((struct sockaddr_in *)&sa)->sin_port);
  napi_value out;
  CHECK(env, napi_create_int32(env, port, &out));
  return out;
}

/* start(handle, arena, meta, slots, slotSize, onBatch, resource): begins receiving. */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = get_sock(env, argv[0]);
  if (!s || s->polling) return throw_errno(env, "start", EBADF);
  void *arena, *meta;
  size_t arena_len, meta_len;
  int32_t slots, slot_size;
  CHECK(env, napi_get_arraybuffer_info(env, argv[1], &arena, &arena_len));
  CHECK(env, napi_get_arraybuffer_info(env, argv[2], &meta, &meta_len));
  CHECK(env, napi_get_value_int32(env, argv[3], &slots));
  CHECK(env, napi_get_value_int32(env, argv[4], &slot_size));
  if (slots < 1 || slot_size < 1 || (size_t)slots * (size_t)slot_size > arena_len || (size_t)slots * RECORD_INTS * 4 > meta_len) {
    return throw_errno(env, "start: arena too small", EINVAL);
  }
  s->arena = arena;
  s->meta = meta;
  s->slots = slots;
  s->slot_size = slot_size;
  s->msgs = calloc((size_t)slots, sizeof *s->msgs);
  s->iov = calloc((size_t)slots, sizeof *s->iov);
  s->addrs = calloc((size_t)slots, sizeof *s->addrs);
  if (!s->msgs || !s->iov || !s->addrs) return throw_errno(env, "start", ENOMEM);
  for (int i = 0; i < slots; i++) {
    s->iov[i].iov_base = s->arena + (size_t)i * slot_size;
    s->iov[i].iov_len = (size_t)slot_size;
    s->msgs[i].msg_hdr.msg_name = &s->addrs[i];
    s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
    s->msgs[i].msg_hdr.msg_iovlen = 1; /* calloc left msg_control NULL and msg_controllen 0 */
  }
  CHECK(env, napi_create_reference(env, argv[1], 1, &s->arena_ref));
  CHECK(env, napi_create_reference(env, argv[2], 1, &s->meta_ref));
  CHECK(env, napi_create_reference(env, argv[5], 1, &s->on_batch));
  CHECK(env, napi_create_reference(env, argv[6], 1, &s->resource_ref));
  napi_value name;
  CHECK(env, napi_create_string_utf8(env, "SipUdpBatch", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_async_init(env, argv[6], name, &s->async_ctx));
  uv_loop_t *loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &s->poll, s->fd) != 0) return throw_errno(env, "uv_poll_init", EINVAL);
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  s->polling = 1;
  return NULL;
}

/* send(handle, bytes, length, port, address) → 0, or a negative errno (EAGAIN: the buffer is full). */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = get_sock(env, argv[0]);
  napi_value out;
  if (!s) {
    CHECK(env, napi_create_int32(env, -EBADF, &out));
    return out;
  }
  void *data;
  size_t len;
  int32_t length, port;
  char address[64];
  size_t alen = 0;
  CHECK(env, napi_get_typedarray_info(env, argv[1], NULL, &len, &data, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[2], &length));
  CHECK(env, napi_get_value_int32(env, argv[3], &port));
  CHECK(env, napi_get_value_string_utf8(env, argv[4], address, sizeof address, &alen));
  int rc = 0;
  struct sockaddr_storage sa;
  socklen_t slen;
  if (length < 0 || (size_t)length > len || port < 1 || port > 65535) rc = -EINVAL;
  else if (to_sockaddr(address, port, s->family, &sa, &slen) < 0) rc = -EAFNOSUPPORT;
  else if (sendto(s->fd, data, (size_t)length, 0, (struct sockaddr *)&sa, slen) < 0) rc = -errno;
  if (rc < 0) s->send_errors++;
  CHECK(env, napi_create_int32(env, rc, &out));
  return out;
}

/* close(handle): stops receiving and closes the socket. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t h = -1;
  napi_get_value_int32(env, argv[0], &h);
  sock_t *s = get_sock(env, argv[0]);
  if (!s) return NULL;
  instance(env)->socks[h] = NULL;
  release(s);
  int fd = s->fd;
  s->fd = -1;
  if (s->polling) {
    s->polling = 0;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_poll_closed); /* frees s once libuv is done with it */
  } else {
    free(s);
  }
  close(fd);
  return NULL;
}

/* stats(handle) → {received, batches, sendErrors}. */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = get_sock(env, argv[0]);
  napi_value out, v;
  CHECK(env, napi_create_object(env, &out));
  if (!s) return out;
  napi_create_double(env, (double)s->received, &v);
  napi_set_named_property(env, out, "received", v);
  napi_create_double(env, (double)s->batches, &v);
  napi_set_named_property(env, out, "batches", v);
  napi_create_double(env, (double)s->send_errors, &v);
  napi_set_named_property(env, out, "sendErrors", v);
  return out;
}

static void finalize_instance(napi_env env, void *data, void *hint) {
  instance_t *inst = (instance_t *)data;
  for (int i = 0; i < MAX_HANDLES; i++) {
    sock_t *s = inst->socks[i];
    if (!s) continue;
    /* The loop is going away with the environment: close the descriptor, leak nothing else. */
    if (s->fd >= 0) close(s->fd);
    if (s->polling) uv_poll_stop(&s->poll);
    inst->socks[i] = NULL;
  }
  free(inst);
}

NAPI_MODULE_INIT() {
  instance_t *inst = calloc(1, sizeof *inst);
  if (!inst) return NULL;
  if (napi_set_instance_data(env, inst, finalize_instance, NULL) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"port", NULL, js_port, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
