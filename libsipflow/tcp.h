/*
 * The TCP side of the stream stage, private to it: a direction's state,
 * shared by the directions table (stream.c), reassembly by sequence number
 * (tcpreasm.c) and SIP framing of the in-order bytes (tcpframe.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Data flows stream.c -> tcpreasm.c -> tcpframe.c -> the stage's emit
 * callback; each file changes only its own fields of sf_dir (stream.c
 * sets them all when a direction starts).
 */
#ifndef SF_TCP_H
#define SF_TCP_H

#include "sf_internal.h"

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
  /* the directions table (stream.c) */
  flow_key key;
  guint hash;            /* of key */
  struct sf_dir *hnext;  /* next direction in the same bucket */
  struct sf_dir *older, *newer; /* neighbours in the LRU list */
  dir_state state;       /* framing may turn ACTIVE into NOT_SIP */
  uint32_t end_seq;      /* after the FIN (CLOSED) */
  uint32_t syn_seq;
  bool have_syn;
  int64_t last_time_us;
  uint64_t last_frame;
  struct sf_dir *peer;   /* the reverse direction, when followed too */
  /* reassembly (tcpreasm.c) */
  uint32_t next_seq;     /* next byte expected (ACTIVE) */
  bool expect_gap;       /* a truncated segment: what follows has a hole */
  bool have_peer_ack;
  uint32_t peer_ack;     /* the receiver's latest acknowledgment number */
  held_seg *held;
  held_seg *held_tail;   /* last of held (appending needs no walk) */
  size_t held_bytes;
  unsigned n_held;
  /* framing (tcpframe.c) */
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
  sf_measure_state measure; /* ... and how far its measure went */
  sf_start_line start;   /* ... and its start line's layout (zero: not read) */
  bool sip_seen;         /* a SIP start line was seen in this direction */
  bool skip_line;        /* in the middle of a junk line */
  bool quiet;            /* resynchronising after a reported problem */
  size_t junk_bytes;     /* current run of skipped non-SIP bytes */
  bool junk_text;        /* the run has bytes other than white space */
  uint64_t junk_frame;   /* where the run began */
} sf_dir;

struct sf_stream {
  size_t max_message, max_buffer, max_streams;
  int64_t idle_timeout_us;
  sf_stream_emit_fn emit;
  void *user;
  sf_diag_sink *diag;
  /* The directions by key: buckets chained through sf_dir.hnext, a power
   * of two of them, at most one direction a bucket on average. */
  sf_dir **buckets;
  unsigned bucket_bits;
  size_t n_dirs;
  sf_dir *oldest, *newest; /* the LRU list, through sf_dir.older/newer */
  uint64_t segments;
};

/* ------------------------------------------------------------ helpers */

static inline bool sf_tcp_is_blank(char c)
{
  return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

static inline size_t sf_tcp_skip_blanks(const char *p, size_t n)
{
  size_t i = 0;
  while (i < n && sf_tcp_is_blank(p[i]))
    i++;
  return i;
}

static inline bool sf_tcp_has_text(const char *p, size_t n)
{
  return sf_tcp_skip_blanks(p, n) < n;
}

/* The frame to report something under: the packet's, or the last one of
 * the direction when there is no packet (expiry, end of input). */
static inline uint64_t sf_tcp_frame_of(const sf_dir *d, const stamp *at)
{
  return at ? at->frame : d->last_frame;
}

/* now - last > timeout, without overflow whatever the timestamps. */
static inline bool sf_tcp_idle_longer(int64_t now, int64_t last, int64_t timeout)
{
  return now > last && (uint64_t)now - (uint64_t)last > (uint64_t)timeout;
}

/* "10.0.0.1:5060 -> 10.0.0.2:5060" for diagnostics. */
typedef struct sf_dir_label {
  char s[2 * SIPFLOW_ENDPOINT_STRLEN + 8];
} sf_dir_label;

sf_dir_label sf_stream_dir_label(const sf_dir *d);

/* ------------------------------------------------------ tcpreasm.c */

/* A segment's payload, seq its first byte's sequence number: delivered to
 * framing in order (held while a hole is before it, dropped when already
 * delivered).  Holes that will not fill are reported and skipped. */
void sf_tcpreasm_payload(sf_stream *st, sf_dir *d, uint32_t seq, const uint8_t *data,
                         size_t n, const stamp *at, bool truncated);
/* Delivers what can still be delivered (held data past the holes, which
 * are reported) and drops an incomplete trailing message.  end: sequence
 * number the stream is known to reach (FIN), or NULL. */
void sf_tcpreasm_flush(sf_stream *st, sf_dir *d, const stamp *at, const uint32_t *end);
/* The receiver of the direction acknowledged every byte before ack (RFC
 * 9293 §3.4): bytes before it that the capture has not shown never will
 * be (they passed before the capture point saw them, or it dropped them).
 * Holes it covers are reported and skipped at once — not after a timeout
 * or a limit — and a later segment after a covered hole skips it as it
 * comes.  An ack further ahead than max_tcp_buffer is ignored. */
void sf_tcpreasm_acked(sf_stream *st, sf_dir *d, uint32_t ack, const stamp *at);
/* Frees the held segments. */
void sf_tcpreasm_clear(sf_dir *d);

/* ------------------------------------------------------ tcpframe.c */

/* In-order bytes of the direction: frames and emits the messages they
 * complete, keeps an unfinished one.  May give the direction up
 * (state DIR_NOT_SIP; the buffer is then freed). */
void sf_tcpframe_deliver(sf_stream *st, sf_dir *d, const uint8_t *data, size_t n,
                         const stamp *at);
/* Bytes are missing before what comes next: drops the unfinished message
 * and resynchronises on the next start line, quietly. */
void sf_tcpframe_gap(sf_stream *st, sf_dir *d);
/* No more bytes will come: reports an unfinished message, ends a junk run. */
void sf_tcpframe_flush(sf_stream *st, sf_dir *d, const stamp *at);
/* Frees the buffer. */
void sf_tcpframe_clear(sf_dir *d);

#endif /* SF_TCP_H */
