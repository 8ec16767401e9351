/*
 * Stream stage: UDP datagrams and TCP reassembly, cut into SIP messages.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * UDP: a datagram that starts with a SIP start line is one chunk; the parser
 * applies its Content-Length (RFC 3261 §18.3).
 *
 * TCP: one "direction" per (source, destination) endpoint pair.  Bytes are
 * put back in sequence order (serial arithmetic, so sequence numbers may
 * wrap), retransmitted bytes are dropped, out-of-order segments are held
 * until the hole fills.  In-order bytes are framed by the framer: leading
 * CRLFs are ignored (RFC 3261 §7.5, RFC 5626 §3.5.1 keep-alives), a message
 * ends after its header block plus Content-Length bytes.  The common case —
 * a segment in order and nothing buffered — is framed straight out of the
 * packet; only an incomplete tail is copied.
 *
 * Content that is not SIP (HTTP on 5060, TLS, junk) is skipped quietly until
 * a start line shows up; a direction that never shows one is given up after
 * a few KiB and costs nothing more than a look at each new segment's start.
 *
 * Every direction is also in an LRU queue (least recently used first), which
 * makes idle expiry and the stream-count limit O(1) per stream.
 */
#include <inttypes.h>
#include <string.h>

#include "sf_internal.h"

#define SF_DEFAULT_MAX_MESSAGE (65535u * 4)
#define SF_DEFAULT_MAX_TCP_BUFFER (1024u * 1024)
#define SF_DEFAULT_MAX_TCP_STREAMS 65536u
#define SF_DEFAULT_TCP_IDLE_US (300 * G_GINT64_CONSTANT(1000000))
/* Non-SIP bytes after which a direction is given up: few for one that never
 * showed SIP (HTTP, TLS ...), more for one that did (junk inside SIP). */
#define SF_GIVE_UP_NEVER_SIP 4096u
#define SF_GIVE_UP_WAS_SIP (64u * 1024)
/* Out-of-order data that has waited this long (capture time) for a hole
 * to fill when more data comes after it: the hole is taken as lost by the
 * capture (the peer got those bytes, or a retransmission would have come
 * by now: RFC 6298 §2 starts the retransmission timer at 1 s). */
#define SF_HOLE_TIMEOUT_US G_GINT64_CONSTANT(1000000)
/* Out-of-order segments held per direction, whatever their size: the list
 * is sorted by insertion, so a flood of tiny segments would make each
 * insertion walk a long list (1 MiB of 1-byte segments: hours).  Real
 * holes hold at most max_tcp_buffer / MSS = 718 segments by default. */
#define SF_MAX_HELD_SEGMENTS 2048u
/* A reassembly buffer larger than this is freed once empty. */
#define SF_KEEP_CAPACITY (16u * 1024)

typedef struct flow_key {
  sipflow_endpoint src, dst;
} flow_key;

typedef enum dir_state {
  DIR_ACTIVE,  /* reassembling and framing */
  DIR_NOT_SIP, /* given up: only segment starts are looked at */
  DIR_CLOSED   /* FIN seen: kept so retransmissions are not taken as new */
} dir_state;

/* The packet on whose behalf something is emitted. */
typedef struct stamp {
  uint64_t frame;
  int64_t time_us;
} stamp;

/* An out-of-order segment waiting for the hole before it to fill. */
typedef struct held_seg {
  struct held_seg *next; /* sorted by sequence number */
  uint32_t seq;
  size_t len;
  stamp at;
  bool truncated;
  uint8_t data[];
} held_seg;

typedef struct sf_dir {
  flow_key key;
  GList link;            /* node in sf_stream.lru, data = this direction */
  dir_state state;
  uint32_t next_seq;     /* next byte expected (ACTIVE) */
  uint32_t end_seq;      /* after the FIN (CLOSED) */
  uint32_t syn_seq;
  bool have_syn;
  held_seg *held;
  held_seg *held_tail;   /* last of held (appending needs no walk) */
  size_t held_bytes;
  unsigned n_held;
  char *buf;             /* in-order bytes not framed yet */
  size_t len, cap;
  /* What framing learnt about buf, so that each segment added to an
   * unfinished message costs a look at its own bytes only, not a new
   * measure of the whole message (which made framing cost per segment as
   * much as the message had so far): */
  bool at_message;       /* buf starts with a whole SIP start line */
  size_t pending_total;  /* length of that message, 0 = unknown ... */
  size_t head_scanned;   /* ... and its first head_scanned bytes hold no end
                            of the header block */
  bool expect_gap;       /* a truncated segment: what follows has a hole */
  bool sip_seen;         /* a SIP start line was seen in this direction */
  bool skip_line;        /* in the middle of a junk line */
  bool quiet;            /* resynchronising after a reported problem */
  size_t junk_bytes;     /* current run of skipped non-SIP bytes */
  bool junk_text;        /* the run has bytes other than white space */
  uint64_t junk_frame;   /* where the run began */
  int64_t last_time_us;
  uint64_t last_frame;
} sf_dir;

struct sf_stream {
  size_t max_message, max_buffer, max_streams;
  int64_t idle_timeout_us;
  sf_stream_emit_fn emit;
  void *user;
  sf_diag_sink *diag;
  GHashTable *dirs;      /* &dir->key -> dir */
  GQueue lru;            /* least recently used first */
  uint64_t segments;
};

/* ------------------------------------------------------------ helpers */

static bool is_blank(char c)
{
  return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

static size_t skip_blanks(const char *p, size_t n)
{
  size_t i = 0;
  while (i < n && is_blank(p[i]))
    i++;
  return i;
}

static bool has_text(const char *p, size_t n)
{
  return skip_blanks(p, n) < n;
}

static size_t addr_len(const sipflow_endpoint *e)
{
  return e->family == 4 ? 4 : 16;
}

/* Endpoint hash and equality read IPv4 addresses as one word: every TCP
 * segment looks its direction up. */
static guint endpoint_hash(const sipflow_endpoint *e)
{
  uint32_t w[4];
  size_t n = addr_len(e) / 4;
  guint h = e->family * 65599u + e->port;

  memcpy(w, e->addr, addr_len(e));
  for (size_t i = 0; i < n; i++)
    h = (h ^ w[i]) * 0x9e3779b1u;
  return h ^ (h >> 15);
}

static bool endpoint_equal(const sipflow_endpoint *a, const sipflow_endpoint *b)
{
  if (a->family != b->family || a->port != b->port)
    return false;
  if (a->family == 4) {
    uint32_t x, y;
    memcpy(&x, a->addr, 4);
    memcpy(&y, b->addr, 4);
    return x == y;
  }
  return memcmp(a->addr, b->addr, addr_len(a)) == 0;
}

static guint key_hash(gconstpointer k)
{
  const flow_key *f = k;
  return endpoint_hash(&f->src) * 16777619u ^ endpoint_hash(&f->dst);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
  const flow_key *x = a, *y = b;
  return endpoint_equal(&x->src, &y->src) && endpoint_equal(&x->dst, &y->dst);
}

/* "10.0.0.1:5060 -> 10.0.0.2:5060" for diagnostics. */
typedef struct dir_label {
  char s[2 * SIPFLOW_ENDPOINT_STRLEN + 8];
} dir_label;

static dir_label label_of(const sf_dir *d)
{
  dir_label l;
  char a[SIPFLOW_ENDPOINT_STRLEN], b[SIPFLOW_ENDPOINT_STRLEN];
  g_snprintf(l.s, sizeof l.s, "%s -> %s",
             sipflow_endpoint_format(&d->key.src, a, sizeof a),
             sipflow_endpoint_format(&d->key.dst, b, sizeof b));
  return l;
}

static uint64_t frame_of(const sf_dir *d, const stamp *at)
{
  return at ? at->frame : d->last_frame;
}

/* ------------------------------------------------------------ buffers */

static void buf_append(sf_dir *d, const char *p, size_t n)
{
  if (d->len + n > d->cap) {
    size_t cap = MAX(d->cap * 2, (size_t)1024);
    while (cap < d->len + n)
      cap *= 2;
    d->buf = g_realloc(d->buf, cap);
    d->cap = cap;
  }
  memcpy(d->buf + d->len, p, n);
  d->len += n;
}

/* Forgets what framing learnt about buf (its bytes are being dropped). */
static void buf_forget(sf_dir *d)
{
  d->at_message = false;
  d->pending_total = 0;
  d->head_scanned = 0;
}

static void buf_free(sf_dir *d)
{
  g_free(d->buf);
  d->buf = NULL;
  d->len = d->cap = 0;
  buf_forget(d);
}

static void buf_consume(sf_dir *d, size_t used)
{
  if (used < d->len) {
    memmove(d->buf, d->buf + used, d->len - used);
    d->len -= used;
  } else if (d->cap > SF_KEEP_CAPACITY) {
    buf_free(d);
  } else {
    d->len = 0;
  }
}

static void held_free(sf_dir *d)
{
  while (d->held) {
    held_seg *h = d->held;
    d->held = h->next;
    g_free(h);
  }
  d->held_tail = NULL;
  d->held_bytes = 0;
  d->n_held = 0;
}

/* ------------------------------------------------------------ framing */

static void junk_add(sf_dir *d, const char *p, size_t n, const stamp *at)
{
  if (n == 0)
    return;
  if (d->junk_bytes == 0)
    d->junk_frame = frame_of(d, at);
  d->junk_bytes += n;
  if (!d->junk_text)
    d->junk_text = has_text(p, n);
}

/* Ends a run of skipped bytes: one diagnostic for the whole run, only when
 * the direction carries SIP (HTTP on port 5060 is not an anomaly) and the
 * skipping was not already explained by an earlier diagnostic. */
static void junk_end(sf_stream *st, sf_dir *d)
{
  if (d->junk_bytes && d->junk_text && d->sip_seen && !d->quiet)
    sf_diag_emit(st->diag, d->junk_frame, SIPFLOW_DIAG_JUNK_SKIPPED,
                 "frame %" PRIu64 ": %zu bytes of non-SIP data skipped in TCP stream %s",
                 d->junk_frame, d->junk_bytes, label_of(d).s);
  d->junk_bytes = 0;
  d->junk_text = false;
}

/* Stops reassembling a direction that does not carry SIP.  The caller frees
 * the buffer (it may be the one being framed). */
static void give_up(sf_stream *st, sf_dir *d)
{
  junk_end(st, d);
  held_free(d);
  d->state = DIR_NOT_SIP;
  d->skip_line = d->quiet = d->expect_gap = false;
}

static void check_give_up(sf_stream *st, sf_dir *d)
{
  if (d->junk_bytes >= (d->sip_seen ? SF_GIVE_UP_WAS_SIP : SF_GIVE_UP_NEVER_SIP))
    give_up(st, d);
}

static void emit_chunk(sf_stream *st, const sf_dir *d, const char *p, size_t n,
                       const stamp *at)
{
  sf_sip_chunk c = {.data = p, .len = n, .frame = at->frame, .time_us = at->time_us,
                    .src = d->key.src, .dst = d->key.dst,
                    .transport = SIPFLOW_TRANSPORT_TCP};
  st->emit(st->user, &c);
}

/* Skips bytes that do not start a message, up to the next line that may.
 * p[0] is known not to start one.  Returns the bytes skipped (> 0). */
static size_t skip_junk(sf_stream *st, sf_dir *d, const char *p, size_t n,
                        const stamp *at)
{
  long off = sf_framer_find_start(p, n);
  size_t end = off < 0 ? n : (size_t)off;

  junk_add(d, p, end, at);
  if (off < 0 && p[n - 1] != '\n')
    d->skip_line = true; /* the next bytes continue this junk line */
  check_give_up(st, d);
  return end;
}

/* A message whose boundary is lost: skip its header block (or its start
 * line when even that is too long) and resynchronise on the next start
 * line, without reporting the skipped bytes again. */
static size_t resync_after(sf_dir *d, size_t skip)
{
  d->quiet = true;
  return skip;
}

/* Frames the message starting at p (a start line).  known_total: its
 * length when an earlier call measured it, else 0.  Returns the bytes
 * consumed, or 0 when more bytes are needed (then p is where the buffer
 * will start, and d->at_message and what is known of it are set). */
static size_t frame_message(sf_stream *st, sf_dir *d, const char *p, size_t n,
                            const stamp *at, size_t known_total)
{
  size_t header_len = 0, total = known_total;
  const char *why = "bad Content-Length";

  d->sip_seen = true;
  junk_end(st, d);
  int rc = known_total ? SIPFLOW_OK : sf_framer_measure(p, n, &header_len, &total, &why);
  if (rc == SIPFLOW_ERR_INCOMPLETE) {
    if (n <= st->max_message) {
      d->at_message = true;
      d->head_scanned = n;
      return 0;
    }
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_SIP_TOO_LARGE,
                 "frame %" PRIu64 ": no end of SIP headers within %zu bytes in TCP "
                 "stream %s; message skipped", at->frame, st->max_message,
                 label_of(d).s);
    const char *nl = memchr(p, '\n', n); /* exists: the start line is whole */
    return resync_after(d, nl ? (size_t)(nl - p) + 1 : n);
  }
  if (rc == SIPFLOW_ERR_MALFORMED) {
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_SIP_BAD_CONTENT_LENGTH,
                 "frame %" PRIu64 ": TCP stream %s: %s; message skipped", at->frame,
                 label_of(d).s, why);
    return resync_after(d, header_len);
  }
  if (total > st->max_message) {
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_SIP_TOO_LARGE,
                 "frame %" PRIu64 ": SIP message of %zu bytes over the %zu-byte limit "
                 "in TCP stream %s; message skipped", at->frame, total, st->max_message,
                 label_of(d).s);
    return resync_after(d, header_len);
  }
  if (total > n) {
    d->at_message = true;
    d->pending_total = total;
    return 0;
  }
  d->quiet = false;
  emit_chunk(st, d, p, total, at);
  return total;
}

/* Frames in-order bytes p[0..n) that continue the direction's stream.
 * Returns how many were consumed; the rest is an incomplete message or start
 * line and must be presented again with the bytes that follow. */
static size_t frame_bytes(sf_stream *st, sf_dir *d, const char *p, size_t n,
                          const stamp *at)
{
  size_t pos = 0;
  /* When p is the buffer: what is known of the message it starts with. */
  bool at_message = d->at_message;
  size_t known_total = d->pending_total;

  buf_forget(d);
  while (pos < n && d->state == DIR_ACTIVE) {
    /* skip_line is only ever left set with nothing buffered, so pos 0 is a
     * segment start: a whole SIP start line there begins a message, even
     * when the bytes before it (say the body of a message whose length was
     * unknown) did not end their line. */
    if (d->skip_line && pos == 0 && sf_framer_is_sip_start(p, n) == 1)
      d->skip_line = false;
    if (d->skip_line) {
      const char *nl = memchr(p + pos, '\n', n - pos);
      size_t end = nl ? (size_t)(nl - p) + 1 : n;
      junk_add(d, p + pos, end - pos, at);
      d->skip_line = nl == NULL;
      pos = end;
      check_give_up(st, d);
      continue;
    }
    /* RFC 3261 §7.5: CRLFs before a start line are ignored. */
    size_t blanks = skip_blanks(p + pos, n - pos);
    if (d->junk_bytes)
      junk_add(d, p + pos, blanks, at);
    pos += blanks;
    if (pos == n)
      break;
    bool known = pos == 0 && at_message;
    int r = known ? 1 : sf_framer_is_sip_start(p + pos, n - pos);
    if (r < 0)
      break;
    size_t used = r == 0 ? skip_junk(st, d, p + pos, n - pos, at)
                         : frame_message(st, d, p + pos, n - pos, at,
                                         known ? known_total : 0);
    if (used == 0)
      break;
    pos += used;
  }
  return d->state == DIR_ACTIVE ? pos : n;
}

/* Is there an empty line ("\n\n" or "\n\r\n", the end of a header block)
 * in buf[0..len) that ends after byte `from`?  Only the bytes from from - 3
 * on are looked at: those before are known to hold none. */
static bool header_end_after(const char *buf, size_t len, size_t from)
{
  size_t i = from > 3 ? from - 3 : 0;

  while (i + 1 < len) {
    const char *nl = memchr(buf + i, '\n', len - 1 - i);
    if (!nl)
      return false;
    i = (size_t)(nl - buf);
    if (buf[i + 1] == '\n' || (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n'))
      return true;
    i++;
  }
  return false;
}

/* The buffered message still cannot be measured: its start line is whole,
 * its header block had no end so far (else the length would be known), it
 * is within the size limit, and the new bytes from `old` on bring no empty
 * line.  Saves measuring the whole buffer again for every segment, which
 * made a stream of tiny segments quadratic.  When framing has seen the
 * start line (at_message), the start line is not even looked at again. */
static bool headers_still_open(const sf_stream *st, sf_dir *d, size_t old)
{
  if (d->pending_total || d->len > st->max_message)
    return false;
  if (d->at_message) {
    old = d->head_scanned;
  } else if (sf_framer_is_sip_start(d->buf, d->len) != 1) {
    return false;
  }
  if (header_end_after(d->buf, d->len, old))
    return false;
  if (d->at_message)
    d->head_scanned = d->len;
  return true;
}

/* Frames in-order bytes, straight from the packet when nothing is
 * buffered. */
static void deliver(sf_stream *st, sf_dir *d, const uint8_t *data, size_t n,
                    const stamp *at)
{
  const char *p = (const char *)data;

  if (d->len == 0) {
    size_t used = frame_bytes(st, d, p, n, at);
    if (d->state == DIR_ACTIVE && used < n)
      buf_append(d, p + used, n - used);
  } else {
    size_t old = d->len;
    buf_append(d, p, n);
    if (d->pending_total && d->len < d->pending_total)
      return; /* the message is still incomplete: no need to look */
    if (headers_still_open(st, d, old))
      return;
    /* What was buffered (an unfinished line, since no message length is
     * known) and the segment together do not start a message, but the
     * segment alone does: the buffered bytes were junk whose line never
     * ended (say the body of a message skipped for a bad Content-Length),
     * and the segment starts a message. */
    if (!d->at_message && sf_framer_is_sip_start(d->buf, d->len) == 0 &&
        sf_framer_is_sip_start(p, n) == 1) {
      junk_add(d, d->buf, old, at);
      buf_consume(d, old);
    }
    size_t used = frame_bytes(st, d, d->buf, d->len, at);
    if (d->state == DIR_ACTIVE)
      buf_consume(d, used);
  }
  if (d->state != DIR_ACTIVE)
    buf_free(d);
}

/* ---------------------------------------------------- sequence numbers */

static void deliver_in_order(sf_stream *st, sf_dir *d, const uint8_t *data, size_t n,
                             const stamp *at, bool truncated)
{
  d->next_seq += (uint32_t)n;
  deliver(st, d, data, n, at);
  /* The snaplen cut the rest of this segment: the next one will not
   * follow on, and waiting for the missing bytes would be in vain. */
  if (truncated)
    d->expect_gap = true;
}

/* Bytes from next_seq to new_seq will never come: report them, drop the
 * message they belonged to, and resynchronise on what follows. */
static void gap(sf_stream *st, sf_dir *d, uint32_t new_seq, const stamp *at)
{
  uint32_t missing = new_seq - d->next_seq;

  if (d->sip_seen)
    sf_diag_emit(st->diag, frame_of(d, at), SIPFLOW_DIAG_TCP_GAP,
                 "frame %" PRIu64 ": %" PRIu32 " bytes missing in TCP stream %s",
                 frame_of(d, at), missing, label_of(d).s);
  junk_end(st, d);
  buf_consume(d, d->len);
  buf_forget(d);
  d->next_seq = new_seq;
  d->expect_gap = false;
  d->skip_line = false; /* a segment likely starts a message */
  d->quiet = true;      /* the tail of the lost message is no news */
}

/* Delivers the held segments the stream has reached.  at NULL: each one on
 * behalf of its own packet (end of the stream). */
static void drain_held(sf_stream *st, sf_dir *d, const stamp *at)
{
  while (d->state == DIR_ACTIVE && d->held) {
    held_seg *h = d->held;
    int32_t ahead = (int32_t)(h->seq - d->next_seq);
    if (ahead > 0)
      break;
    d->held = h->next;
    if (!d->held)
      d->held_tail = NULL;
    d->held_bytes -= h->len;
    d->n_held--;
    size_t old = (size_t)(-(int64_t)ahead);
    if (old < h->len)
      deliver_in_order(st, d, h->data + old, h->len - old, at ? at : &h->at,
                       h->truncated);
    g_free(h);
  }
}

/* Gives up waiting for the first hole: jumps to the first held segment.
 * What is held then completes in the packets that brought it. */
static void skip_first_hole(sf_stream *st, sf_dir *d, const stamp *at)
{
  gap(st, d, d->held->seq, at ? at : &d->held->at);
  drain_held(st, d, NULL);
}

static void hold(sf_stream *st, sf_dir *d, uint32_t seq, const uint8_t *data, size_t n,
                 const stamp *at, bool truncated)
{
  held_seg **pp = &d->held;
  if (d->held_tail && (int32_t)(d->held_tail->seq - seq) < 0)
    pp = &d->held_tail->next; /* the usual case: after everything held */
  while (*pp && (int32_t)((*pp)->seq - seq) < 0)
    pp = &(*pp)->next;
  if (*pp && (*pp)->seq == seq && (*pp)->len >= n)
    return; /* a retransmission of a segment already held */
  held_seg *h = g_malloc(sizeof *h + n);
  h->seq = seq;
  h->len = n;
  h->at = *at;
  h->truncated = truncated;
  memcpy(h->data, data, n);
  h->next = *pp;
  *pp = h;
  if (!h->next)
    d->held_tail = h;
  d->held_bytes += n;
  d->n_held++;
  /* Over the buffer limit the first hole is declared lost for good. */
  while (d->state == DIR_ACTIVE && d->held &&
         (d->held_bytes + d->len > st->max_buffer || d->n_held > SF_MAX_HELD_SEGMENTS))
    skip_first_hole(st, d, at);
}

/* now - last > timeout, without overflow whatever the timestamps. */
static bool idle_longer(int64_t now, int64_t last, int64_t timeout)
{
  return now > last && (uint64_t)now - (uint64_t)last > (uint64_t)timeout;
}

/* Is the data after the first hole waiting in vain?  (Truncated segment
 * before it, or held too long.) */
static bool hole_is_lost(const sf_dir *d, const stamp *at)
{
  return d->expect_gap ||
         (d->held && idle_longer(at->time_us, d->held->at.time_us, SF_HOLE_TIMEOUT_US));
}

static void tcp_payload(sf_stream *st, sf_dir *d, uint32_t seq, const uint8_t *data,
                        size_t n, const stamp *at, bool truncated)
{
  /* More data after a hole that will not fill: skip the hole (and deliver
   * what was held after it) before taking this segment.  A segment that
   * fills the hole is never judged: it is what was waited for. */
  while (d->state == DIR_ACTIVE && (int32_t)(seq - d->next_seq) > 0 &&
         hole_is_lost(d, at)) {
    if (d->held && (int32_t)(d->held->seq - seq) <= 0)
      skip_first_hole(st, d, at);
    else
      gap(st, d, seq, at);
  }
  if (d->state != DIR_ACTIVE)
    return;
  int32_t ahead = (int32_t)(seq - d->next_seq);
  if (ahead < 0) {
    size_t old = (size_t)(-(int64_t)ahead);
    if (old >= n)
      return; /* retransmission of bytes already delivered */
    data += old;
    n -= old;
    ahead = 0;
  }
  if (ahead > 0) {
    hold(st, d, seq, data, n, at, truncated);
    return;
  }
  deliver_in_order(st, d, data, n, at, truncated);
  drain_held(st, d, at);
}

/* ---------------------------------------------------- directions */

/* Delivers what can still be delivered (held data past the holes, which
 * are reported) and drops an incomplete trailing message.  end: sequence
 * number the stream is known to reach (FIN), or NULL. */
static void flush_dir(sf_stream *st, sf_dir *d, const stamp *at, const uint32_t *end)
{
  if (d->state != DIR_ACTIVE)
    return;
  while (d->state == DIR_ACTIVE && d->held)
    skip_first_hole(st, d, at);
  if (d->state != DIR_ACTIVE)
    return;
  if (end && (int32_t)(*end - d->next_seq) > 0)
    gap(st, d, *end, at);
  if (d->len && has_text(d->buf, d->len) && d->sip_seen)
    sf_diag_emit(st->diag, frame_of(d, at), SIPFLOW_DIAG_TCP_GAP,
                 "frame %" PRIu64 ": incomplete SIP message (%zu bytes) dropped at the "
                 "end of TCP stream %s", frame_of(d, at), d->len, label_of(d).s);
  junk_end(st, d);
}

static void dir_clear(sf_dir *d)
{
  buf_free(d);
  held_free(d);
}

/* Starts the direction over at seq (new connection, or SIP again). */
static void dir_restart(sf_dir *d, uint32_t seq)
{
  dir_clear(d);
  flow_key key = d->key;
  GList link = d->link;
  int64_t t = d->last_time_us;
  uint64_t f = d->last_frame;
  memset(d, 0, sizeof *d);
  d->key = key;
  d->link = link;
  d->last_time_us = t;
  d->last_frame = f;
  d->state = DIR_ACTIVE;
  d->next_seq = seq;
}

static void dir_remove(sf_stream *st, sf_dir *d)
{
  g_queue_unlink(&st->lru, &d->link);
  g_hash_table_remove(st->dirs, &d->key);
  dir_clear(d);
  g_free(d);
}

static void evict_oldest(sf_stream *st, const stamp *at)
{
  sf_dir *d = st->lru.head->data;
  if (d->state == DIR_ACTIVE && (d->sip_seen || d->len || d->held))
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_TCP_LIMIT,
                 "frame %" PRIu64 ": more than %zu TCP streams; dropped the least "
                 "recently used, %s", at->frame, st->max_streams, label_of(d).s);
  dir_remove(st, d);
}

static sf_dir *dir_new(sf_stream *st, const flow_key *key, uint32_t seq, const stamp *at)
{
  while (g_hash_table_size(st->dirs) >= st->max_streams && st->lru.head)
    evict_oldest(st, at);
  sf_dir *d = g_new0(sf_dir, 1);
  d->key = *key;
  d->link.data = d;
  d->state = DIR_ACTIVE;
  d->next_seq = seq;
  g_hash_table_insert(st->dirs, &d->key, d);
  g_queue_push_tail_link(&st->lru, &d->link);
  return d;
}

static void touch(sf_stream *st, sf_dir *d, const stamp *at)
{
  d->last_time_us = at->time_us;
  d->last_frame = at->frame;
  if (st->lru.tail != &d->link) {
    g_queue_unlink(&st->lru, &d->link);
    g_queue_push_tail_link(&st->lru, &d->link);
  }
}

/* Does a segment of a stream not followed so far look like SIP: a start
 * line (possibly cut by the segment end) at its beginning, or a whole one
 * at the beginning of one of its lines? */
static bool worth_following(const uint8_t *data, size_t n)
{
  const char *p = (const char *)data;
  size_t b = skip_blanks(p, n);
  if (b == n)
    return false;
  if (sf_framer_is_sip_start(p + b, n - b) != 0)
    return true;
  long off = sf_framer_find_start(p + b, n - b);
  return off >= 0 && sf_framer_is_sip_start(p + b + off, n - b - (size_t)off) == 1;
}

/* Cheap test for a given-up direction: does this segment start with a
 * whole SIP start line? */
static bool starts_sip(const uint8_t *data, size_t n)
{
  const char *p = (const char *)data;
  size_t b = skip_blanks(p, n);
  return b < n && sf_framer_is_sip_start(p + b, n - b) == 1;
}

static void close_dir(sf_stream *st, sf_dir *d, uint32_t end_seq, const stamp *at)
{
  flush_dir(st, d, at, d->state == DIR_ACTIVE ? &end_seq : NULL);
  dir_clear(d);
  d->state = DIR_CLOSED;
  d->end_seq = end_seq;
}

/* RST: the connection is over in both directions (RFC 793 §3.4). */
static void on_rst(sf_stream *st, sf_dir *d, const sf_l4 *l4, const stamp *at)
{
  flow_key back = {.src = l4->dst, .dst = l4->src};
  sf_dir *r = g_hash_table_lookup(st->dirs, &back);
  if (r == d)
    r = NULL; /* source and destination are the same endpoint */
  if (d) {
    flush_dir(st, d, at, NULL);
    dir_remove(st, d);
  }
  if (r) {
    flush_dir(st, r, at, NULL);
    dir_remove(st, r);
  }
}

/* SYN: the stream starts at ISN + 1 (RFC 793 §3.3). */
static sf_dir *on_syn(sf_stream *st, sf_dir *d, const flow_key *key, uint32_t seq,
                      const stamp *at)
{
  if (d && d->have_syn && d->syn_seq == seq)
    return d; /* retransmitted SYN */
  if (d) {
    flush_dir(st, d, at, NULL); /* the 4-tuple is reused: a new connection */
    dir_restart(d, seq + 1);
  } else {
    d = dir_new(st, key, seq + 1, at);
  }
  d->have_syn = true;
  d->syn_seq = seq;
  return d;
}

/* Finds or creates the direction of a segment; NULL when not worth it. */
static sf_dir *dir_for_segment(sf_stream *st, const sf_l4 *l4, const stamp *at)
{
  flow_key key = {.src = l4->src, .dst = l4->dst};
  sf_dir *d = g_hash_table_lookup(st->dirs, &key);
  uint32_t seq = l4->tcp_seq;

  if (l4->tcp_flags & SF_TCP_RST) {
    on_rst(st, d, l4, at);
    return NULL;
  }
  if (l4->tcp_flags & SF_TCP_SYN)
    return on_syn(st, d, &key, seq, at);
  if (!d)
    return l4->len && worth_following(l4->payload, l4->len)
               ? dir_new(st, &key, seq, at) : NULL;
  if (d->state == DIR_CLOSED && l4->len && (int32_t)(seq - d->end_seq) > 0 &&
      worth_following(l4->payload, l4->len))
    dir_restart(d, seq); /* reused without a SYN in the capture */
  else if (d->state == DIR_NOT_SIP && l4->len && starts_sip(l4->payload, l4->len))
    dir_restart(d, seq);
  return d;
}

/* ------------------------------------------------------------ public */

sf_stream *sf_stream_new(const sipflow_limits *limits, sf_stream_emit_fn emit,
                         sf_diag_sink *diag, void *user)
{
  sf_stream *st = g_new0(sf_stream, 1);
  sipflow_limits none = {0};

  if (!limits)
    limits = &none;
  st->max_message = limits->max_message_size ? limits->max_message_size
                                             : SF_DEFAULT_MAX_MESSAGE;
  st->max_buffer = limits->max_tcp_buffer ? limits->max_tcp_buffer
                                          : SF_DEFAULT_MAX_TCP_BUFFER;
  st->max_streams = limits->max_tcp_streams ? limits->max_tcp_streams
                                            : SF_DEFAULT_MAX_TCP_STREAMS;
  st->idle_timeout_us = limits->tcp_idle_timeout_us > 0 ? limits->tcp_idle_timeout_us
                                                        : SF_DEFAULT_TCP_IDLE_US;
  st->emit = emit;
  st->user = user;
  st->diag = diag;
  st->dirs = g_hash_table_new(key_hash, key_equal);
  g_queue_init(&st->lru);
  return st;
}

void sf_stream_free(sf_stream *st)
{
  if (!st)
    return;
  while (st->lru.head)
    dir_remove(st, st->lru.head->data);
  g_hash_table_destroy(st->dirs);
  g_free(st);
}

/* Most datagrams are RTP: they are rejected on the first byte, which must
 * start a method (a token, RFC 3261 §25.1), "SIP/2.0" or the white space of
 * a keep-alive.  RTP version 2 starts with 0x80-0xbf: not in the table. */
const bool sf_stream_datagram_first_byte[256] = {
    ['0' ... '9'] = true, ['a' ... 'z'] = true, ['A' ... 'Z'] = true,
    ['-'] = true, ['.'] = true, ['!'] = true, ['%'] = true, ['*'] = true,
    ['_'] = true, ['+'] = true, ['`'] = true, ['\''] = true, ['~'] = true,
    ['\r'] = true, ['\n'] = true, [' '] = true, ['\t'] = true,
};

void sf_stream_datagram(sf_stream *st, const sf_l4 *l4)
{
  const char *p = (const char *)l4->payload;
  size_t n = l4->len;

  if (n == 0 || !sf_stream_datagram_first_byte[(unsigned char)p[0]])
    return;
  /* RFC 5626 §3.5.1: CRLF keep-alives are not messages. */
  size_t b = skip_blanks(p, n);
  if (b == n || sf_framer_is_sip_start(p + b, n - b) != 1)
    return;
  sf_sip_chunk c = {.data = p + b, .len = n - b, .frame = l4->frame,
                    .time_us = l4->time_us, .src = l4->src, .dst = l4->dst,
                    .transport = SIPFLOW_TRANSPORT_UDP, .truncated = l4->truncated};
  st->emit(st->user, &c);
}

void sf_stream_tcp(sf_stream *st, const sf_l4 *l4)
{
  const uint8_t flags = l4->tcp_flags;
  stamp at = {.frame = l4->frame, .time_us = l4->time_us};

  if (l4->len == 0 && !(flags & (SF_TCP_SYN | SF_TCP_FIN | SF_TCP_RST)))
    return; /* a bare ACK */
  if (l4->len)
    st->segments++;
  sf_dir *d = dir_for_segment(st, l4, &at);
  if (!d)
    return;
  touch(st, d, &at);
  /* The SYN takes one sequence number; data on it (TCP Fast Open) follows. */
  uint32_t seq = l4->tcp_seq + ((flags & SF_TCP_SYN) ? 1 : 0);
  if (d->state == DIR_ACTIVE && l4->len)
    tcp_payload(st, d, seq, l4->payload, l4->len, &at, l4->truncated);
  if (flags & SF_TCP_FIN) {
    uint32_t end = seq + (uint32_t)l4->len;
    if (d->state != DIR_CLOSED)
      close_dir(st, d, end, &at);
  }
}

void sf_stream_expire(sf_stream *st, int64_t now_us)
{
  while (st->lru.head) {
    sf_dir *d = st->lru.head->data;
    if (!idle_longer(now_us, d->last_time_us, st->idle_timeout_us))
      break;
    flush_dir(st, d, NULL, NULL);
    dir_remove(st, d);
  }
}

void sf_stream_finish(sf_stream *st)
{
  while (st->lru.head) {
    sf_dir *d = st->lru.head->data;
    flush_dir(st, d, NULL, NULL);
    dir_remove(st, d);
  }
}

uint64_t sf_stream_segments(const sf_stream *st)
{
  return st ? st->segments : 0;
}
