/*
 * Stream stage, TCP: SIP framing of a direction's in-order bytes.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Leading CRLFs are ignored (RFC 3261 §7.5, RFC 5626 §3.5.1 keep-alives),
 * a message ends after its header block plus Content-Length bytes (the
 * framer measures it, RFC 3261 §18.3).  The common case — a segment in
 * order and nothing buffered — is framed straight out of the packet; only
 * an incomplete tail is copied.  What is known of the buffered message
 * (start line seen and its layout, length, how far its header block was
 * searched and measured) is kept, so each segment added to it costs a look
 * at its own bytes.
 *
 * Content that is not SIP (HTTP on 5060, TLS, junk) is skipped quietly until
 * a start line shows up; a direction that never shows one is given up after
 * a few KiB.
 */
#include <inttypes.h>
#include <string.h>

#include "parse_scan.h"
#include "tcp.h"

/* Non-SIP bytes after which a direction is given up: few for one that never
 * showed SIP (HTTP, TLS ...), more for one that did (junk inside SIP). */
#define SF_GIVE_UP_NEVER_SIP 4096u
#define SF_GIVE_UP_WAS_SIP (64u * 1024)
/* A reassembly buffer larger than this is freed once empty. */
#define SF_KEEP_CAPACITY (16u * 1024)

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
  d->measure = SF_MEASURE_START;
  d->start = (sf_start_line){0};
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

/* ------------------------------------------------------------ framing */

static void junk_add(sf_dir *d, const char *p, size_t n, const stamp *at)
{
  if (n == 0)
    return;
  if (d->junk_bytes == 0)
    d->junk_frame = sf_tcp_frame_of(d, at);
  d->junk_bytes += n;
  if (!d->junk_text)
    d->junk_text = sf_tcp_has_text(p, n);
}

/* Ends a run of skipped bytes: one diagnostic for the whole run, only when
 * the direction carries SIP (HTTP on port 5060 is not an anomaly) and the
 * skipping was not already explained by an earlier diagnostic. */
static void junk_end(sf_stream *st, sf_dir *d)
{
  if (d->junk_bytes && d->junk_text && d->sip_seen && !d->quiet)
    sf_diag_emit(st->diag, d->junk_frame, SIPFLOW_DIAG_JUNK_SKIPPED,
                 "frame %" PRIu64 ": %zu bytes of non-SIP data skipped in TCP stream %s",
                 d->junk_frame, d->junk_bytes, sf_stream_dir_label(d).s);
  d->junk_bytes = 0;
  d->junk_text = false;
}

/* Stops reassembling a direction that does not carry SIP.  The caller frees
 * the buffer (it may be the one being framed); reassembly frees what it
 * holds when it sees the state. */
static void give_up(sf_stream *st, sf_dir *d)
{
  junk_end(st, d);
  d->state = DIR_NOT_SIP;
  d->skip_line = d->quiet = false;
}

static void check_give_up(sf_stream *st, sf_dir *d)
{
  if (d->junk_bytes >= (d->sip_seen ? SF_GIVE_UP_WAS_SIP : SF_GIVE_UP_NEVER_SIP))
    give_up(st, d);
}

static void emit_chunk(sf_stream *st, const sf_dir *d, const char *p, size_t n,
                       const sf_start_line *start, const stamp *at)
{
  sf_sip_chunk c = {.data = p, .len = n, .start = *start, .frame = at->frame,
                    .time_us = at->time_us,
                    .src = &d->key.src, .dst = &d->key.dst,
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

/* Does an empty line follow the LF at buf[i]: "\n" or "\r\n" next, whole
 * within len?  (RFC 3261 §7: CRLF ends the header block; a bare LF is
 * tolerated, as the framer does.) */
static inline bool empty_line_after(const char *buf, size_t len, size_t i)
{
  return i + 1 < len &&
         (buf[i + 1] == '\n' || (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n'));
}

#ifdef SF_HAVE_V16
/* Bit i set when byte i of the 16 at p is an LF followed by CR or LF (or,
 * a superset, by another byte from 0x08 to 0x0f): the only LFs that may
 * end a header block, seldom more than one a message.  Reads p[0..17). */
static inline unsigned lf_then_cr_or_lf(const char *p)
{
  __m128i here = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i next = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
  __m128i lf = _mm_cmpeq_epi8(here, _mm_set1_epi8('\n'));
  /* 0x0a and 0x0d both become 0x0f with their low three bits set. */
  __m128i cr_or_lf = _mm_cmpeq_epi8(_mm_or_si128(next, _mm_set1_epi8(0x07)),
                                    _mm_set1_epi8(0x0f));
  return (unsigned)_mm_movemask_epi8(_mm_and_si128(lf, cr_or_lf));
}
#endif

/* The LF after which the header block of buf[0..len) ends (an empty line
 * follows it), or len when there is none yet.  Only the bytes from from - 3
 * on are looked at: those before are known to hold none.  Every header
 * byte of every TCP message passes here once, so 16 bytes are looked at
 * together; the framer's measure, which walks the lines one by one, runs
 * once per message, when this has found the end. */
static size_t find_header_end(const char *buf, size_t len, size_t from)
{
  size_t i = from > 3 ? from - 3 : 0;

#ifdef SF_HAVE_V16
  /* 32 bytes a round, then 16: the candidates are confirmed one by one. */
  for (size_t step = 32; step >= 16; step /= 2)
    for (; i + step + 1 <= len; i += step) {
      uint32_t m = lf_then_cr_or_lf(buf + i);
      if (step == 32)
        m |= (uint32_t)lf_then_cr_or_lf(buf + i + 16) << 16;
      for (; m; m &= m - 1) {
        size_t lf = i + (size_t)__builtin_ctz(m);
        if (empty_line_after(buf, len, lf))
          return lf;
      }
    }
  if (len >= 17 && i < len) {
    /* The last bytes: the 16 positions ending before the last byte (an LF
     * there cannot be judged yet), those already seen shifted out. */
    size_t base = len - 17;
    for (unsigned m = lf_then_cr_or_lf(buf + base) >> (i - base); m; m &= m - 1) {
      size_t lf = i + (size_t)__builtin_ctz(m);
      if (empty_line_after(buf, len, lf))
        return lf;
    }
    return len;
  }
#endif
  for (; i < len; i++) {
    const char *nl = memchr(buf + i, '\n', len - i);
    if (!nl)
      return len;
    i = (size_t)(nl - buf);
    if (empty_line_after(buf, len, i))
      return i;
  }
  return len;
}

/* Frames the message starting at p (a start line).  known_total: its
 * length when an earlier call measured it, else 0; *measure: how far an
 * earlier call measured it (SF_MEASURE_START when none did).  Returns the
 * bytes consumed, or 0 when more bytes are needed (then p is where the
 * buffer will start, and d->at_message and what is known of it are set:
 * a message in 2-3 segments is measured once, not once a segment). */
static size_t frame_message(sf_stream *st, sf_dir *d, const char *p, size_t n,
                            const stamp *at, size_t known_total, sf_measure_state *measure,
                            const sf_start_line *start)
{
  size_t header_len = 0, total = known_total;
  const char *why = "bad Content-Length";

  d->sip_seen = true;
  junk_end(st, d);
  int rc = known_total ? SIPFLOW_OK
                       : sf_framer_measure_from(p, n, measure, &header_len, &total, &why);
  if (rc == SIPFLOW_ERR_INCOMPLETE) {
    if (n <= st->max_message) {
      d->at_message = true;
      d->head_scanned = n;
      d->measure = *measure;
      d->start = *start;
      return 0;
    }
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_SIP_TOO_LARGE,
                 "frame %" PRIu64 ": no end of SIP headers within %zu bytes in TCP "
                 "stream %s; message skipped", at->frame, st->max_message,
                 sf_stream_dir_label(d).s);
    const char *nl = memchr(p, '\n', n); /* exists: the start line is whole */
    return resync_after(d, nl ? (size_t)(nl - p) + 1 : n);
  }
  if (rc == SIPFLOW_ERR_MALFORMED) {
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_SIP_BAD_CONTENT_LENGTH,
                 "frame %" PRIu64 ": TCP stream %s: %s; message skipped", at->frame,
                 sf_stream_dir_label(d).s, why);
    return resync_after(d, header_len);
  }
  if (total > st->max_message) {
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_SIP_TOO_LARGE,
                 "frame %" PRIu64 ": SIP message of %zu bytes over the %zu-byte limit "
                 "in TCP stream %s; message skipped", at->frame, total, st->max_message,
                 sf_stream_dir_label(d).s);
    return resync_after(d, header_len);
  }
  if (total > n) {
    d->at_message = true;
    d->pending_total = total;
    d->start = *start;
    return 0;
  }
  d->quiet = false;
  emit_chunk(st, d, p, total, start, at);
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
  sf_measure_state measure = d->measure;
  sf_start_line start = d->start;

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
    size_t blanks = sf_tcp_skip_blanks(p + pos, n - pos);
    if (d->junk_bytes)
      junk_add(d, p + pos, blanks, at);
    pos += blanks;
    if (pos == n)
      break;
    bool known = pos == 0 && at_message;
    /* the start line's layout goes with the message to the parser, which
     * then need not read the line again */
    int r = known ? 1 : sf_framer_start_line(p + pos, n - pos, &start);
    if (r < 0)
      break;
    if (!known)
      measure = SF_MEASURE_START;
    size_t used = r == 0 ? skip_junk(st, d, p + pos, n - pos, at)
                         : frame_message(st, d, p + pos, n - pos, at,
                                         known ? known_total : 0, &measure, &start);
    if (used == 0)
      break;
    pos += used;
  }
  return d->state == DIR_ACTIVE ? pos : n;
}

/* The buffered message still cannot be measured: its start line is whole,
 * its header block had no end so far (else the length would be known), it
 * is within the size limit, and the new bytes from `old` on bring no empty
 * line.  Saves measuring the whole buffer again for every segment, which
 * made a stream of tiny segments quadratic.  Once the start line is known
 * whole (at_message) it is not looked at again, and the header block is
 * searched from where the last search stopped. */
static bool headers_still_open(const sf_stream *st, sf_dir *d, size_t old)
{
  if (d->pending_total || d->len > st->max_message)
    return false;
  if (d->at_message) {
    old = d->head_scanned;
  } else if (sf_framer_is_sip_start(d->buf, d->len) == 1) {
    d->at_message = true; /* the start line was cut: now it is whole */
    d->start = (sf_start_line){0}; /* not read here: the parser reads it */
    old = 0;
  } else {
    return false;
  }
  size_t end = find_header_end(d->buf, d->len, old);
  d->head_scanned = end; /* when found, framing finds it again at once */
  return end == d->len;
}

/* Frames in-order bytes, straight from the packet when nothing is
 * buffered. */
void sf_tcpframe_deliver(sf_stream *st, sf_dir *d, const uint8_t *data, size_t n,
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

void sf_tcpframe_gap(sf_stream *st, sf_dir *d)
{
  junk_end(st, d);
  buf_consume(d, d->len);
  buf_forget(d);
  d->skip_line = false; /* a segment likely starts a message */
  d->quiet = true;      /* the tail of the lost message is no news */
}

void sf_tcpframe_flush(sf_stream *st, sf_dir *d, const stamp *at)
{
  if (d->len && sf_tcp_has_text(d->buf, d->len) && d->sip_seen)
    sf_diag_emit(st->diag, sf_tcp_frame_of(d, at), SIPFLOW_DIAG_TCP_GAP,
                 "frame %" PRIu64 ": incomplete SIP message (%zu bytes) dropped at the "
                 "end of TCP stream %s", sf_tcp_frame_of(d, at), d->len,
                 sf_stream_dir_label(d).s);
  junk_end(st, d);
}

void sf_tcpframe_clear(sf_dir *d)
{
  buf_free(d);
}
