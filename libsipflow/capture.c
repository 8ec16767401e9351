/*
 * Capture: pcap / pcapng files through libpcap, merged by time, into the
 * packet feed.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * All files are opened (and their link type and the filter checked) before
 * any packet is fed, so a missing file is reported without a partial result.
 * Then, like mergecap, each step feeds the packet with the smallest
 * timestamp among the files' next packets (ties go to the earlier file).
 * Frames are numbered over the merged stream, counting packets the filter
 * rejects, so that on a single file the numbers are Wireshark's.
 *
 * A file that turns out to be cut in the middle of a packet stops there and
 * the others go on; the first such error is returned at the end, after
 * every packet before it has been fed.
 *
 * Speed: a classic pcap file (the common case, and the format of big SBC
 * captures), and a pcapng file as long as it holds packets of one
 * interface, are read through a memory-mapped window instead of
 * pcap_next_ex(), which copies every byte twice (kernel to stdio buffer to
 * libpcap's buffer) and, for pcapng, parses every block in general: reading
 * is then most of the cost of a capture full of RTP.  Only records libpcap
 * would hand over unchanged take that path (capture_open.c says which
 * files); at the first one that is odd (cut short, longer than the
 * snapshot length, a new interface) the file is handed back to libpcap at
 * that record, so errors and edge cases are libpcap's, word for word.  The
 * window is small and slides, so the mapped file does not count in the
 * resident memory.  One such file with no filter, the usual case, is read
 * by a loop of its own (feed_mapped()): no read-ahead slot (there is
 * nothing to merge), the bytes ahead prefetched, and RTP dropped before its
 * time stamp is read.  With several files or a filter, pcap files still
 * take the window and pcapng files go through libpcap.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"

#define SF_PROGRESS_EVERY 4096
#define SF_MAP_WINDOW ((size_t)8 << 20)
/* The window's page-table entries are made in one go when it is mapped:
 * the file is read once, front to back, so every page is touched anyway,
 * and one fault per fault-around block (16 pages) was ~20 k of the 27 k
 * page faults of a 1.3 GB capture. */
#ifdef MAP_POPULATE
#define SF_MAP_POPULATE MAP_POPULATE
#else
#define SF_MAP_POPULATE 0
#endif
/* How far ahead of the record being read the fast loop asks for the
 * file's bytes (see prefetch_ahead()): a page, measured best of 2-16 KiB. */
#define SF_PREFETCH_AHEAD 4096u
#define SF_CACHE_LINE 64u

/* ------------------------------------------------------ mapped files */

static void map_release(mapped *m)
{
  if (m->win)
    munmap((void *)m->win, m->win_len);
  m->win = NULL;
}

static void map_free(reader *r)
{
  if (!r->map)
    return;
  map_release(r->map);
  g_free(r->map);
  r->map = NULL;
}

/* Slides the window so that [off, off + len) of the file is readable. */
static bool map_slide(mapped *m, uint64_t off, size_t len)
{
  map_release(m);
  uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
  uint64_t start = off - off % page;
  size_t want = MAX(SF_MAP_WINDOW, (size_t)(off + len - start));
  size_t n = (size_t)MIN((uint64_t)want, m->size - start);
  void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE | SF_MAP_POPULATE, m->fd, (off_t)start);
  if (p == MAP_FAILED)
    return false;
  madvise(p, n, MADV_SEQUENTIAL);
  /* The populate above reads a window not in the page cache while we
   * wait; the next one is asked for now, so that the disk works while
   * this window is parsed (a hint: failure is harmless). */
  if (start + n < m->size)
    posix_fadvise(m->fd, (off_t)(start + n), (off_t)SF_MAP_WINDOW, POSIX_FADV_WILLNEED);
  m->win = p;
  m->win_off = start;
  m->win_len = n;
  return true;
}

/* Makes [off, off + len) of the file readable in the window. */
static inline bool map_cover(mapped *m, uint64_t off, size_t len)
{
  if (m->win && off >= m->win_off && off + len <= m->win_off + m->win_len)
    return true;
  return map_slide(m, off, len);
}

/* Takes the record at h (in the window, caplen bytes of packet after its
 * header) as the next packet. */
static inline int map_take(mapped *m, const uint8_t *h, uint32_t caplen, const u_char **data)
{
  int32_t sec, frac;
  uint32_t len;

  memcpy(&sec, h, 4);
  memcpy(&frac, h + 4, 4);
  memcpy(&len, h + 12, 4);
  m->hdr.ts.tv_sec = sec;
  m->hdr.ts.tv_usec = m->nano ? frac / 1000 : frac; /* as record_time_us() */
  m->hdr.caplen = caplen;
  m->hdr.len = len;
  *data = h + SF_PCAP_RECORD_HEADER;
  m->pos += SF_PCAP_RECORD_HEADER + caplen;
  return 1;
}

/* The time stamp of the record at h, in microseconds, as libpcap gives it
 * (nanoseconds truncated). */
static inline int64_t record_time_us(const uint8_t *h, bool nano)
{
  int32_t sec, frac;

  memcpy(&sec, h, 4);
  memcpy(&frac, h + 4, 4);
  return (int64_t)sec * G_USEC_PER_SEC + (nano ? frac / 1000 : frac);
}

/* map_next() for a record not all in the window (or odd): slides the
 * window, or says the record is for libpcap (-1) or the file ended (0). */
static int map_next_slow(mapped *m, const u_char **data)
{
  uint64_t left = m->size - m->pos;
  uint32_t caplen;

  if (m->ng) /* only feed_mapped_ng() reads pcapng blocks */
    return -1;
  if (left == 0)
    return 0;
  if (left < SF_PCAP_RECORD_HEADER || !map_cover(m, m->pos, SF_PCAP_RECORD_HEADER))
    return -1;
  memcpy(&caplen, m->win + (m->pos - m->win_off) + 8, 4);
  if (caplen > m->max_caplen || caplen > left - SF_PCAP_RECORD_HEADER ||
      !map_cover(m, m->pos, SF_PCAP_RECORD_HEADER + caplen))
    return -1;
  return map_take(m, m->win + (m->pos - m->win_off), caplen, data);
}

/* Reads the next record of a pcap file like pcap_next_ex: 1 a packet, 0 end of file,
 * -1 not for the fast path (libpcap takes over at m->pos).  A record all
 * inside the window, the common case, costs one bounds test: this runs for
 * every packet, and most packets are RTP that decode drops at once.  (The
 * window always starts at or before pos: it is slid to cover pos.) */
static SF_ALWAYS_INLINE int map_next(mapped *m, const u_char **data)
{
  if (G_LIKELY(m->win != NULL && !m->ng)) {
    size_t off = (size_t)(m->pos - m->win_off);
    const uint8_t *h = m->win + off;
    uint32_t caplen;
    if (G_LIKELY(off <= m->win_len && m->win_len - off >= SF_PCAP_RECORD_HEADER)) {
      size_t room = m->win_len - off - SF_PCAP_RECORD_HEADER;
      memcpy(&caplen, h + 8, 4);
      if (G_LIKELY(caplen <= m->max_caplen && caplen <= room))
        return map_take(m, h, caplen, data);
    }
  }
  return map_next_slow(m, data);
}

/* Hands the rest of r's file back to libpcap, from the next record on. */
static bool map_hand_back(reader *r)
{
  FILE *f = pcap_file(r->pcap);
  bool ok = f && fseeko(f, (off_t)r->map->pos, SEEK_SET) == 0;
  map_free(r);
  return ok;
}

static void close_reader(reader *r)
{
  map_free(r);
  if (r->has_filter)
    pcap_freecode(&r->filter);
  if (r->pcap)
    pcap_close(r->pcap); /* closes the FILE, stdin included */
}

/* ------------------------------------------------------------ reading */

/* Records a read error; the first one is what sipflow_read_files returns. */
static void read_error(capture *cap, reader *r)
{
  const char *text = pcap_geterr(r->pcap);
  uint64_t packet = r->packets + 1;
  int rc;

  if (cap->deferred_rc != SIPFLOW_OK)
    return;
  if (strstr(text, "truncated")) {
    /* "truncated dump file; tried to read 60 captured bytes, only got 13" */
    const char *detail = strstr(text, "; ");
    rc = SIPFLOW_ERR_TRUNCATED;
    sf_ctx_set_error(cap->ctx, "%s: truncated in the middle of packet %" PRIu64 " (%s)",
                     r->name, packet, detail ? detail + 2 : text);
  } else {
    rc = SIPFLOW_ERR_FORMAT;
    sf_ctx_set_error(cap->ctx, "%s: cannot read packet %" PRIu64 ": %s", r->name, packet,
                     text);
  }
  cap->deferred_rc = rc;
}

/* tv in microseconds, computed in 64-bit unsigned arithmetic: a pcapng
 * interface whose stamps count seconds (if_tsresol 0) gives libpcap
 * seconds past 2^63 / 10^6, where a signed product would overflow.  The
 * time is then nonsense from a broken file, wrapped as the fast path's
 * 64-bit stamps wrap (epb_time_us()), not undefined behaviour. */
static inline int64_t timeval_us(const struct timeval *tv)
{
  return (int64_t)((uint64_t)tv->tv_sec * G_USEC_PER_SEC + (uint64_t)tv->tv_usec);
}

/* r has a next packet at r->hdr, r->data. */
static inline void have_next(reader *r)
{
  r->has_next = true;
  r->time_us = timeval_us(&r->hdr->ts);
  r->packets++;
}

/* read_ahead() past the mapped window's common case: map_rc is what
 * map_next() said (0 end of file, -1 libpcap's turn), -1 without a map. */
static void read_ahead_slow(capture *cap, reader *r, int map_rc)
{
  int rc = map_rc;

  r->has_next = false;
  if (r->map && rc < 0 && !map_hand_back(r)) {
    if (cap->deferred_rc == SIPFLOW_OK) {
      sf_ctx_set_error(cap->ctx, "%s: cannot read packet %" PRIu64 ": %s", r->name,
                       r->packets + 1, g_strerror(errno));
      cap->deferred_rc = SIPFLOW_ERR_IO;
    }
    return;
  }
  if (rc < 0)
    rc = pcap_next_ex(r->pcap, &r->hdr, &r->data);
  if (rc == 1) {
    have_next(r);
    /* used only when the file position is unknown, so never when mapped */
    r->bytes_estimate += SF_PCAP_RECORD_HEADER + r->hdr->caplen;
  } else if (rc == PCAP_ERROR) {
    read_error(cap, r);
  }
  /* PCAP_ERROR_BREAK: end of file */
}

/* Reads r's next packet into its read-ahead slot. */
static SF_ALWAYS_INLINE void read_ahead(capture *cap, reader *r)
{
  int rc = r->map ? map_next(r->map, &r->data) : -1;

  if (G_LIKELY(rc == 1)) {
    have_next(r); /* r->hdr is &r->map->hdr since map_open() */
    return;
  }
  read_ahead_slow(cap, r, rc);
}

/* The reader whose next packet comes first (ties: the earlier file). */
static reader *earliest(capture *cap)
{
  reader *best = NULL;

  for (size_t i = 0; i < cap->n; i++) {
    reader *r = &cap->readers[i];
    if (r->has_next && (!best || r->time_us < best->time_us))
      best = r;
  }
  return best;
}

static void report_progress(capture *cap, uint64_t packets)
{
  sipflow_ctx *ctx = cap->ctx;
  uint64_t done = 0;

  for (size_t i = 0; i < cap->n; i++) {
    const reader *r = &cap->readers[i];
    FILE *f = r->map ? NULL : pcap_file(r->pcap);
    off_t pos = r->map ? (off_t)r->map->pos : f ? ftello(f) : -1;
    done += pos >= 0 ? (uint64_t)pos : r->bytes_estimate;
  }
  ctx->progress(done, cap->size_unknown ? 0 : cap->bytes_total, packets, ctx->counters.messages, ctx->user);
}

/* Feeds r's read-ahead packet as frame number `frame`. */
static inline void feed_next(capture *cap, reader *r, uint64_t frame)
{
  sipflow_ctx *ctx = cap->ctx;

  ctx->last_time_us = r->time_us;
  if (!r->has_filter || pcap_offline_filter(&r->filter, r->hdr, r->data))
    sf_ctx_feed_packet(ctx, r->linktype, frame, r->time_us, r->data, r->hdr->caplen,
                       r->hdr->len);
  if (G_UNLIKELY(ctx->progress && frame % SF_PROGRESS_EVERY == 0))
    report_progress(cap, frame);
}

/* The time stamp of the pcapng Enhanced Packet Block at b, in
 * microseconds, as libpcap gives it (finer units truncated). */
static inline int64_t epb_time_us(const uint8_t *b, uint32_t units_per_us)
{
  uint32_t high, low;

  memcpy(&high, b + 12, 4);
  memcpy(&low, b + 16, 4);
  return (int64_t)((((uint64_t)high << 32) | low) / units_per_us);
}

/* Feeds the record at p (a pcap record, or when ng a pcapng Enhanced
 * Packet Block; its packet, caplen bytes, lies whole in the window) as
 * frame number `frame`.  wanted: sf_decode_udp_filter() of ctx->decode.
 * stamp: the file's nano flag, or the block's time
 * units per µs.  The time stamp is converted only when decode needs it:
 * most packets are RTP that decode drops on a few bytes
 * (sf_ctx_skip_packet()), so this is most of the cost of reading them. */
static SF_ALWAYS_INLINE void feed_record(sipflow_ctx *ctx, const bool *wanted, int linktype,
                                         bool ng, uint32_t stamp, uint64_t frame,
                                         const uint8_t *p, uint32_t caplen)
{
  uint32_t wirelen;
  const uint8_t *data = p + (ng ? SF_PCAPNG_EPB_HEADER : SF_PCAP_RECORD_HEADER);

  memcpy(&wirelen, p + (ng ? 24 : 12), 4);
  size_t ulen = sf_decode_plain_udp(linktype, data, caplen, wirelen);
  if (!sf_ctx_skip_packet(ctx, wanted, ulen, data, caplen))
    sf_ctx_feed_packet_as(ctx, ulen, linktype, frame,
                          ng ? epb_time_us(p, stamp) : record_time_us(p, stamp != 0), data,
                          caplen, wirelen);
}

/* Prefetches the file's bytes up to SF_PREFETCH_AHEAD past p, every cache
 * line of them, from *next (an integer: it runs past the window at its
 * end, and a prefetch never faults) on.  The hardware's prefetchers stop
 * at page boundaries, and the file's pages are in memory but not in any
 * cache, so without this each record header is a cache miss (the loop's
 * main cost on RTP, more than its instructions: -40 % user time on an RTP
 * capture, -15 % on the 1 M message one). */
static SF_ALWAYS_INLINE void prefetch_ahead(uintptr_t *next, const uint8_t *p)
{
  uintptr_t pf = *next;

  /* four lines a turn: an RTP record (~250 bytes) is one turn, so the
   * loop's own test and step cost about one instruction a line */
  for (; pf < (uintptr_t)p + SF_PREFETCH_AHEAD; pf += 4 * SF_CACHE_LINE) {
    __builtin_prefetch((const void *)pf);
    __builtin_prefetch((const void *)(pf + SF_CACHE_LINE));
    __builtin_prefetch((const void *)(pf + 2 * SF_CACHE_LINE));
    __builtin_prefetch((const void *)(pf + 3 * SF_CACHE_LINE));
  }
  *next = pf;
}

/* After frame `frame`, whose record ends at p: the progress report every
 * SF_PROGRESS_EVERY frames, when `progress` (the capture) is not NULL. */
static SF_ALWAYS_INLINE void window_progress(capture *progress, mapped *m,
                                                   uint64_t frame, const uint8_t *p)
{
  if (progress && G_UNLIKELY(frame % SF_PROGRESS_EVERY == 0)) {
    m->pos = m->win_off + (uint64_t)(p - m->win);
    report_progress(progress, frame);
  }
}

/* Feeds the records that lie whole in m's window, from m->pos on, with
 * frame numbers after `frame`; returns the last frame number fed, m->pos
 * at the first record left (past the window's end, or odd).  The record
 * is read into locals, not into the reader's read-ahead slot.  progress:
 * NULL, or the capture to report progress for (see window_progress()). */
static SF_ALWAYS_INLINE uint64_t feed_window(sipflow_ctx *ctx, mapped *m, int linktype,
                                                   uint64_t frame, capture *progress)
{
  const uint8_t *win = m->win, *p = win + (m->pos - m->win_off), *end = win + m->win_len;
  const uint32_t max_caplen = m->max_caplen;
  const bool nano = m->nano;
  const bool *wanted = sf_decode_udp_filter(ctx->decode);
  const uint8_t *last = NULL;
  uint32_t caplen;

  /* Up to `safe`, any record no longer than max_caplen lies whole in the
   * window: one test less per record for nearly all of them.  There the
   * bytes ahead are prefetched. */
  if ((size_t)(end - p) > SF_PCAP_RECORD_HEADER + max_caplen) {
    const uint8_t *safe = end - SF_PCAP_RECORD_HEADER - max_caplen;
    uintptr_t pf = (uintptr_t)p; /* the next line to prefetch */
    while (p <= safe) {
      memcpy(&caplen, p + 8, 4);
      if (caplen > max_caplen)
        goto done; /* for libpcap to judge */
      prefetch_ahead(&pf, p);
      feed_record(ctx, wanted, linktype, false, nano, ++frame, p, caplen);
      last = p;
      p += SF_PCAP_RECORD_HEADER + caplen;
      window_progress(progress, m, frame, p);
    }
  }
  /* the window's last records */
  while (end - p >= SF_PCAP_RECORD_HEADER) {
    memcpy(&caplen, p + 8, 4);
    if (caplen > max_caplen || caplen > (size_t)(end - p) - SF_PCAP_RECORD_HEADER)
      break; /* cut by the window's end, or for libpcap to judge */
    feed_record(ctx, wanted, linktype, false, nano, ++frame, p, caplen);
    last = p;
    p += SF_PCAP_RECORD_HEADER + caplen;
    window_progress(progress, m, frame, p);
  }
done:
  if (last)
    ctx->last_time_us = record_time_us(last, nano);
  m->pos = m->win_off + (uint64_t)(p - win);
  return frame;
}

/* Whether libpcap skips a pcapng block of that type (statistics, name
 * resolution, secrets, custom and unknown blocks): all but the packet
 * blocks, interfaces and sections. */
static inline bool ng_skipped(uint32_t type)
{
  return type != SF_PCAPNG_EPB && type != SF_PCAPNG_SPB && type != SF_PCAPNG_PB &&
         type != SF_PCAPNG_IDB && type != SF_PCAPNG_SHB;
}

/* feed_window() for pcapng: feeds the Enhanced Packet Blocks that lie
 * whole in m's window from m->pos on, skipping what libpcap skips, and
 * returns the last frame number fed, m->pos at the first block left.  That
 * block lies across the window's end, or *odd is set: a block libpcap must
 * read (a length it rejects, another interface or section, a Simple Packet
 * Block, a packet longer than the snapshot length). */
static SF_ALWAYS_INLINE uint64_t feed_window_ng(sipflow_ctx *ctx, mapped *m, int linktype,
                                                uint64_t frame, capture *progress, bool *odd)
{
  const uint8_t *win = m->win, *p = win + (m->pos - m->win_off), *end = win + m->win_len;
  const uint32_t max_caplen = m->max_caplen, units = m->ng_units_per_us;
  const bool *wanted = sf_decode_udp_filter(ctx->decode);
  const uint8_t *last = NULL;
  uintptr_t pf = (uintptr_t)p;
  uint32_t type, len, trailer, iface, caplen;

  while (end - p >= 8) {
    memcpy(&type, p, 4);
    memcpy(&len, p + 4, 4);
    if (len > (size_t)(end - p))
      break; /* across the window's end, or past the file's */
    prefetch_ahead(&pf, p);
    /* what libpcap's read_block() checks of every block */
    if (len < 12 || len % 4 != 0 || len > SF_PCAPNG_MAX_BLOCK ||
        (memcpy(&trailer, p + len - 4, 4), trailer != len)) {
      *odd = true;
      break;
    }
    if (type == SF_PCAPNG_EPB) {
      memcpy(&iface, p + 8, 4);
      memcpy(&caplen, p + 20, 4);
      if (iface != 0 || len < SF_PCAPNG_EPB_HEADER + 4 ||
          caplen > len - SF_PCAPNG_EPB_HEADER - 4 || caplen > max_caplen) {
        *odd = true;
        break;
      }
      feed_record(ctx, wanted, linktype, true, units, ++frame, p, caplen);
      last = p;
      p += len;
      window_progress(progress, m, frame, p);
    } else if (ng_skipped(type)) {
      p += len;
    } else {
      *odd = true;
      break;
    }
  }
  if (last)
    ctx->last_time_us = epb_time_us(last, units);
  m->pos = m->win_off + (uint64_t)(p - win);
  return frame;
}

/* Slides m's window over the whole pcapng block at m->pos; false at the end
 * of the file or when the block is for libpcap to judge (cut short, a
 * length it rejects or the fast path does not take). */
static bool ng_cover_block(mapped *m)
{
  uint64_t left = m->size - m->pos;
  uint32_t len;

  if (left < 12 || !map_cover(m, m->pos, 8))
    return false;
  memcpy(&len, m->win + (m->pos - m->win_off) + 4, 4);
  return len >= 12 && len <= left && len <= SF_PCAPNG_MAX_BLOCK && map_cover(m, m->pos, len);
}

/* feed_mapped() for a pcapng file: returns the number of frames fed,
 * stopping at the end of the file or at the first block libpcap must read,
 * which it then does from r->map->pos. */
static uint64_t feed_mapped_ng(capture *cap, reader *r)
{
  sipflow_ctx *ctx = cap->ctx;
  mapped *m = r->map;
  uint64_t frame = 0;
  bool odd = false;

  while (!odd && ng_cover_block(m)) {
    if (ctx->progress)
      frame = feed_window_ng(ctx, m, r->linktype, frame, cap, &odd);
    else if (r->linktype == SF_LINKTYPE_ETHERNET)
      frame = feed_window_ng(ctx, m, SF_LINKTYPE_ETHERNET, frame, NULL, &odd);
    else
      frame = feed_window_ng(ctx, m, r->linktype, frame, NULL, &odd);
  }
  r->packets = frame;
  return frame;
}

/* The common case, one classic pcap file read through the window with no
 * filter, without the read-ahead slot the merge needs.  Returns the number
 * of frames fed, stopping at the end of the file or at the first record
 * the general loop must take (for libpcap), which then goes on from
 * r->map->pos. */
static uint64_t feed_mapped(capture *cap, reader *r)
{
  sipflow_ctx *ctx = cap->ctx;
  mapped *m = r->map;
  uint64_t frame = 0;

  if (m->ng)
    return feed_mapped_ng(cap, r);
  for (;;) {
    if (m->win && m->pos >= m->win_off && m->pos - m->win_off <= m->win_len) {
      /* the constants let the compiler fold decode's link type dispatch
       * and the progress test out of the loops of the usual case */
      if (ctx->progress)
        frame = feed_window(ctx, m, r->linktype, frame, cap);
      else if (r->linktype == SF_LINKTYPE_ETHERNET)
        frame = feed_window(ctx, m, SF_LINKTYPE_ETHERNET, frame, NULL);
      else
        frame = feed_window(ctx, m, r->linktype, frame, NULL);
    }
    /* a record across the window's end (or none, or an odd one) */
    if (map_next_slow(m, &r->data) != 1)
      break;
    ctx->last_time_us = record_time_us(r->data - SF_PCAP_RECORD_HEADER, m->nano);
    sf_ctx_feed_packet(ctx, r->linktype, ++frame, ctx->last_time_us, r->data, m->hdr.caplen,
                       m->hdr.len);
    if (ctx->progress && frame % SF_PROGRESS_EVERY == 0)
      report_progress(cap, frame); /* m->pos is past the record */
  }
  r->packets = frame;
  return frame;
}

static void merge_and_feed(capture *cap)
{
  uint64_t frame = 0;
  reader *r;

  if (cap->n == 1 && cap->readers->map && !cap->readers->has_filter)
    frame = feed_mapped(cap, cap->readers);
  for (size_t i = 0; i < cap->n; i++)
    read_ahead(cap, &cap->readers[i]);
  if (cap->n == 1) { /* nothing to merge: no search for the earliest */
    for (r = cap->readers; r->has_next; read_ahead(cap, r))
      feed_next(cap, r, ++frame);
    return;
  }
  while ((r = earliest(cap))) {
    feed_next(cap, r, ++frame);
    read_ahead(cap, r);
  }
}

/* ---------------------------------------------------------------- API */

/* Feeds the opened files when rc says they all opened, then closes them
 * and ends the input.  Returns the first error. */
static int feed_and_close(capture *cap, int rc)
{
  if (rc == SIPFLOW_OK) {
    merge_and_feed(cap);
    rc = cap->deferred_rc;
  }
  for (size_t i = 0; i < cap->n; i++)
    close_reader(&cap->readers[i]);
  g_free(cap->readers);
  sipflow_finish(cap->ctx);
  return rc;
}

int sipflow_read_files(sipflow_ctx *ctx, const char *const *paths, size_t n,
                       const char *bpf_filter)
{
  if (!ctx)
    return SIPFLOW_ERR_INVALID;
  if (!paths || n == 0) {
    sf_ctx_set_error(ctx, "no capture file given");
    sipflow_finish(ctx);
    return SIPFLOW_ERR_INVALID;
  }

  capture cap = {.ctx = ctx, .readers = g_new0(reader, n), .n = n};
  int rc = SIPFLOW_OK;

  for (size_t i = 0; i < n && rc == SIPFLOW_OK; i++) {
    if (!paths[i]) {
      sf_ctx_set_error(ctx, "capture file name %zu is NULL", i + 1);
      rc = SIPFLOW_ERR_INVALID;
    } else {
      rc = sf_capture_open_reader(&cap, &cap.readers[i], paths[i], bpf_filter);
    }
  }
  return feed_and_close(&cap, rc);
}

int sipflow_read_fp(sipflow_ctx *ctx, FILE *fp, const char *name, const char *bpf_filter)
{
  if (!ctx)
    return SIPFLOW_ERR_INVALID;
  if (!fp) {
    sf_ctx_set_error(ctx, "no capture stream given");
    sipflow_finish(ctx);
    return SIPFLOW_ERR_INVALID;
  }

  capture cap = {.ctx = ctx, .readers = g_new0(reader, 1), .n = 1};
  int rc = sf_capture_open_stream(&cap, &cap.readers[0], fp, name ? name : "stream", false,
                                  bpf_filter);
  return feed_and_close(&cap, rc);
}
