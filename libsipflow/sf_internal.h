/*
 * Private declarations shared by the stages of libsipflow.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Data flows one way:  capture -> decode -> stream -> parse -> correlate ->
 * analyze -> render.  Each stage hands its output to the next through a
 * function pointer set by the context (sipflow.c), so a stage never names the
 * stages after it.
 */
#ifndef SF_INTERNAL_H
#define SF_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

/* Inlined even where the compiler would rather call: the per-packet and
 * per-cell hot paths (G_ALWAYS_INLINE needs glib 2.74; the build asks for
 * 2.56). */
#if defined(__GNUC__) || defined(__clang__)
#define SF_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define SF_ALWAYS_INLINE inline
#endif

#include "sipflow/sipflow.h"

/* ----------------------------------------------------------- arena.c */

/* A huge page of x86-64 and arm64. */
#define SF_HUGE_PAGE ((size_t)2 << 20)

/* size bytes (a multiple of SF_HUGE_PAGE) aligned on SF_HUGE_PAGE and
 * marked for huge pages (MADV_HUGEPAGE), for memory that many small
 * objects live in for long: one fault and one TLB entry per 2 MiB instead
 * of 512.  Freed with free().  NULL where that is not available (the
 * caller then uses malloc). */
void *sf_huge_block_new(size_t size);

/* ------------------------------------------------------------ diag.c */

/* Where a stage reports problems.  Owned by the context. */
typedef struct sf_diag_sink {
  void (*fn)(const sipflow_diag *diag, void *user);
  void *user;
  uint64_t count;
  uint64_t by_code[SIPFLOW_DIAG_CALL_LIMIT + 1];
} sf_diag_sink;

/* Formats one line and hands it to the sink (counted even without fn). */
void sf_diag_emit(sf_diag_sink *sink, uint64_t frame, sipflow_diag_code code,
                  const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* ------------------------------------------------- decode.c, ipfrag.c */

#define SF_IPPROTO_TCP 6
#define SF_IPPROTO_UDP 17
#define SF_IPPROTO_SCTP 132

#define SF_TCP_FIN 0x01
#define SF_TCP_SYN 0x02
#define SF_TCP_RST 0x04

/* A transport payload out of one packet (or one reassembled IP datagram).
 * payload points into the packet or into a reassembly buffer; valid only
 * during the emit callback. */
typedef struct sf_l4 {
  uint64_t frame;     /* packet that completed the datagram */
  int64_t time_us;
  sipflow_endpoint src, dst;
  uint8_t ipproto;    /* SF_IPPROTO_* */
  const uint8_t *payload;
  size_t len;         /* bytes available at payload */
  bool truncated;     /* snaplen cut part of the payload */
  uint32_t tcp_seq;   /* TCP only */
  uint32_t tcp_ack;   /* TCP only, when tcp_has_ack: next byte the sender
                         expects from its peer (RFC 9293 §3.1) */
  uint8_t tcp_flags;  /* TCP only: SF_TCP_* */
  bool tcp_has_ack;   /* TCP only: the ACK flag is set */
} sf_l4;

typedef struct sf_decode sf_decode;
typedef void (*sf_decode_emit_fn)(void *user, const sf_l4 *l4);

/* The part of struct sf_decode (its first member) that the inline fast
 * path of sf_decode_packet() below reads. */
typedef struct sf_decode_head {
  const bool *udp_first_byte; /* see sf_decode_set_udp_filter(); never NULL
                                 (all true when there is no filter) */
} sf_decode_head;

sf_decode *sf_decode_new(const sipflow_limits *limits, sf_decode_emit_fn emit,
                         sf_diag_sink *diag, void *user);
void sf_decode_free(sf_decode *dec);
/* Drops UDP payloads that are empty or whose first byte b has
 * first_byte[b] false, without emitting them: the consumer has said it
 * could do nothing with them (a table of 256 entries that must outlive dec;
 * NULL, the default, emits every payload). */
void sf_decode_set_udp_filter(sf_decode *dec, const bool *first_byte);
/* true when linktype is one decode understands. */
bool sf_decode_linktype_supported(int linktype);
/* The two halves of sf_decode_packet() that are out of line: the
 * datagram of a packet sf_decode_plain_udp() took (ulen: UDP length), and
 * the general path (any link type, tunnels, fragments, snaplen cuts). */
void sf_decode_emit_plain_udp(sf_decode *dec, uint64_t frame, int64_t time_us,
                              const uint8_t *data, size_t ulen);
int sf_decode_any(sf_decode *dec, int linktype, uint64_t frame, int64_t time_us,
                  const uint8_t *data, size_t caplen, size_t wirelen);

#define SF_LINKTYPE_ETHERNET 1 /* DLT_EN10MB */

/* The 4 bytes at p as a number whose byte k (counting from the lowest) is
 * p[k], on any host: one masked compare then tests several header bytes. */
static inline uint32_t sf_decode_bytes4(const uint8_t *p)
{
  uint32_t v;
  memcpy(&v, p, 4);
  return GUINT32_FROM_LE(v);
}

/* The packet of most captures: Ethernet + IPv4 (no options, not a
 * fragment) + UDP with a payload, all captured (caplen >= wirelen) and
 * well-formed.  Returns its UDP length (header included, > 8), or 0 for
 * any other packet, which the general path decodes (and reports when
 * odd). */
static inline size_t sf_decode_plain_udp(int linktype, const uint8_t *d, size_t caplen,
                                         size_t wirelen)
{
  if (linktype != SF_LINKTYPE_ETHERNET || caplen < wirelen || caplen < 14 + 20 + 8)
    return 0;
  /* bytes 12-14: ethertype 0x0800, then IP version 4 with a 20-byte
   * header (0x45) */
  if ((sf_decode_bytes4(d + 12) & 0x00ffffff) != 0x00450008)
    return 0;
  /* bytes 20-23: no fragment offset nor More Fragments flag (RFC 791
   * §3.1; the Don't Fragment flag may be set), any TTL, protocol UDP */
  if ((sf_decode_bytes4(d + 20) & 0xff00ff3f) != (uint32_t)SF_IPPROTO_UDP << 24)
    return 0;
  size_t total = (size_t)d[16] << 8 | d[17];
  size_t ulen = (size_t)d[38] << 8 | d[39];
  /* RFC 768: 8 (the header) < UDP length <= IP payload; the IP datagram
   * within the frame */
  if (ulen <= 8 || ulen + 20 > total || total + 14 > caplen)
    return 0;
  return ulen;
}

/* Does the consumer want the payload of this plain UDP packet (one
 * sf_decode_plain_udp() took)?  Asked before anything is built, on the
 * first byte of the payload: that is where RTP is dropped. */
static inline bool sf_decode_plain_udp_wanted_by(const bool *udp_first_byte, const uint8_t *d)
{
  return udp_first_byte[d[14 + 20 + 8]];
}

/* The first-byte table (see sf_decode_set_udp_filter()).  It is set once,
 * when the context is made, so a loop over many packets reads it once
 * and asks sf_decode_plain_udp_wanted_by(): the compiler cannot know that
 * a packet fed in between leaves it alone, and would load it (two loads)
 * for every RTP packet. */
static inline const bool *sf_decode_udp_filter(const sf_decode *dec)
{
  return ((const sf_decode_head *)dec)->udp_first_byte;
}

static inline bool sf_decode_plain_udp_wanted(const sf_decode *dec, const uint8_t *d)
{
  return sf_decode_plain_udp_wanted_by(sf_decode_udp_filter(dec), d);
}

/* sf_decode_packet() once sf_decode_plain_udp() has said ulen, for a caller
 * that looked at ulen first. */
static inline int sf_decode_packet_as(sf_decode *dec, size_t ulen, int linktype,
                                      uint64_t frame, int64_t time_us, const uint8_t *data,
                                      size_t caplen, size_t wirelen)
{
  if (ulen) {
    if (sf_decode_plain_udp_wanted(dec, data))
      sf_decode_emit_plain_udp(dec, frame, time_us, data, ulen);
    return SIPFLOW_OK;
  }
  return sf_decode_any(dec, linktype, frame, time_us, data, caplen, wirelen);
}

/* Decodes one packet; emits zero or more sf_l4.  Returns SIPFLOW_OK or
 * SIPFLOW_ERR_LINKTYPE.  Malformed packets are reported to diag.
 * Inline: it runs for every packet, and most packets of a capture (RTP)
 * are dropped here in a few dozen instructions; a call would cost a third
 * more. */
static inline int sf_decode_packet(sf_decode *dec, int linktype, uint64_t frame,
                                   int64_t time_us, const uint8_t *data, size_t caplen,
                                   size_t wirelen)
{
  return sf_decode_packet_as(dec, sf_decode_plain_udp(linktype, data, caplen, wirelen),
                             linktype, frame, time_us, data, caplen, wirelen);
}
/* Drops fragment sets older than the timeout (capture time). */
void sf_decode_expire(sf_decode *dec, int64_t now_us);
uint64_t sf_decode_fragments_reassembled(const sf_decode *dec);

/* ------------------------- stream.c (tcpreasm.c, tcpframe.c), framer.c */

/* One candidate SIP message, framed: a whole UDP datagram, or the bytes of one
 * message cut out of a TCP stream.  data is valid during the callback only. */
/* What the framer learnt of a start line it accepted, handed on so that the
 * parser does not read the line again.  Offsets into the chunk's data;
 * next == 0: nothing known, the parser reads the line itself.  Filled only
 * for lines the parser reads the same way: a Request-Line with CRLF right
 * after the SIP-Version, a Status-Line whose Reason-Phrase (after its SP)
 * ends at CRLF. */
typedef struct sf_start_line {
  uint32_t method_end; /* request: the SP after the Method; 0: a status line */
  uint32_t uri_end;    /* request: the SP after the Request-URI */
  uint32_t text_end;   /* status: the CR ending the Reason-Phrase */
  uint32_t next;       /* the first byte after the line's CRLF */
} sf_start_line;

typedef struct sf_sip_chunk {
  const char *data;
  size_t len;
  sf_start_line start; /* zero unless the framer filled it */
  uint64_t frame;     /* packet in which the message completed */
  int64_t time_us;
  const sipflow_endpoint *src, *dst; /* valid during the emit call (the
                                       packet's or the stream's: not copied
                                       twice on the way to the message) */
  sipflow_transport transport;
  bool truncated;     /* some bytes are known missing (snaplen) */
} sf_sip_chunk;

/* framer.c — content rules shared by UDP and TCP.
 *
 * sf_framer_is_sip_start: does buf start with a SIP request line
 * ("METHOD SP Request-URI SP SIP/2.0") or status line ("SIP/2.0 SP 3DIGIT")?
 * Needs the whole first line; returns 1 yes, 0 no, -1 need more bytes (no
 * CRLF yet and len < limit).
 *
 * sf_framer_message_length: for a message starting at buf (after
 * sf_framer_is_sip_start said yes), finds the end of the header block and
 * the Content-Length.  Returns the total message length (> 0),
 * SIPFLOW_ERR_INCOMPLETE when more bytes are needed, or SIPFLOW_ERR_MALFORMED
 * (*why set) when Content-Length is missing or not a number (on a stream
 * that is fatal for the message, RFC 3261 §18.3). */
int sf_framer_is_sip_start(const char *buf, size_t len);
/* The same, and on 1 *start filled as its comment says (zeroed otherwise). */
int sf_framer_start_line(const char *buf, size_t len, sf_start_line *start);
long sf_framer_message_length(const char *buf, size_t len, const char **why);
/* The same measure without needing the body: SIPFLOW_OK with *header_len
 * (start line to the empty line included) and *total_len (header + body,
 * may exceed len); SIPFLOW_ERR_INCOMPLETE when the header block is not
 * complete; SIPFLOW_ERR_MALFORMED with *header_len and *why set when the
 * Content-Length is missing, not a number or absurd (> 2^31 - 1). */
int sf_framer_measure(const char *buf, size_t len, size_t *header_len, size_t *total_len,
                      const char **why);
/* Where a measure that needed more bytes goes on: the line it stopped at
 * and what it had learnt of Content-Length before it.  Offsets are from
 * the message start; the bytes before `line` must stay as they were. */
typedef struct sf_measure_state {
  size_t line;    /* start of the next line to look at; 0: nothing learnt
                     yet (the start line is next, the rest is ignored) */
  size_t cl_line; /* the first Content-Length line, not read yet; 0: none */
  long cl;        /* its value; -3 not seen, -2 out of range, -1 no number */
} sf_measure_state;
/* all zero, as a zeroed struct holding one is */
#define SF_MEASURE_START ((sf_measure_state){0})
/* sf_framer_measure going on from *state (SF_MEASURE_START, or as an
 * earlier call on the same message's first bytes left it): the same
 * answers as measuring all of buf at once, without reading the lines
 * already read again.  *state is updated on SIPFLOW_ERR_INCOMPLETE. */
int sf_framer_measure_from(const char *buf, size_t len, sf_measure_state *state,
                           size_t *header_len, size_t *total_len, const char **why);
/* Offset of the next plausible SIP start line in buf (beginning of a line),
 * or -1.  Used to resynchronise after junk or a gap. */
long sf_framer_find_start(const char *buf, size_t len);

typedef struct sf_stream sf_stream;
typedef void (*sf_stream_emit_fn)(void *user, const sf_sip_chunk *chunk);

sf_stream *sf_stream_new(const sipflow_limits *limits, sf_stream_emit_fn emit,
                         sf_diag_sink *diag, void *user);
void sf_stream_free(sf_stream *st);
/* The first bytes a datagram carrying SIP can start with (indexed by the
 * byte): sf_stream_datagram() drops any other, so decode may drop them
 * earlier (sf_decode_set_udp_filter()). */
extern const bool sf_stream_datagram_first_byte[256];
/* A UDP (or SCTP DATA) datagram: emitted as one chunk if it looks like SIP. */
void sf_stream_datagram(sf_stream *st, const sf_l4 *l4);
/* A TCP segment: reassembled per direction, framed, chunks emitted as they
 * complete. */
void sf_stream_tcp(sf_stream *st, const sf_l4 *l4);
/* Closes streams idle longer than the timeout (capture time). */
void sf_stream_expire(sf_stream *st, int64_t now_us);
/* End of input: delivers what can still be delivered, frees all streams. */
void sf_stream_finish(sf_stream *st);
uint64_t sf_stream_segments(const sf_stream *st);

/* ------------------------------------------------------------ parse.c */

typedef struct sf_header {
  sipflow_span name;
  sipflow_span value;
} sf_header;

#define SF_PARSE_MAX_HEADERS 512

/* Headers the parser notes while it classifies every header name anyway, so
 * that a later stage need not walk the header array for them: X-Call-ID,
 * X-CID (de-facto B2BUA headers) and Session-ID (RFC 7989), names matched
 * case-insensitively, none with a compact form.  Each: the value of the
 * first occurrence when have_* is set, and its span is then NULL if that
 * header lies past the array's capacity; a span is unset when its have_* is
 * false. */
typedef struct sf_header_marks {
  sipflow_span x_call_id, x_cid, session_id;
  bool have_x_call_id, have_x_cid, have_session_id;
} sf_header_marks;

/* Parses one framed SIP message of len bytes (zero-copy: every span points
 * into buf).  Fills *msg (all message fields but frame, time, endpoints,
 * transport and correlation ids) and up to *num_headers entries of headers;
 * on return *num_headers is the number stored.  Key headers beyond the array
 * capacity are still found.  Over a datagram (stream == false) a missing or
 * bad Content-Length means the body is the rest of buf; a Content-Length
 * shorter than the rest cuts the body (RFC 3261 §18.3).
 * Returns SIPFLOW_OK or SIPFLOW_ERR_MALFORMED with *why set to a static
 * string.  A message missing Call-ID or CSeq is still SIPFLOW_OK: the caller
 * checks msg->call_id.ptr and msg->cseq_method.ptr.  start: the framer's
 * reading of the start line of buf (sf_framer_start_line), or NULL; the
 * result is the same either way.  marks: filled on SIPFLOW_OK (see
 * sf_header_marks), or NULL. */
int sf_parse_message(const char *buf, size_t len, bool stream, const sf_start_line *start,
                     sipflow_message *msg, sf_header *headers, size_t *num_headers,
                     sf_header_marks *marks, const char **why);

/* Long name for a compact header form ('i' -> "Call-ID"), NULL if none. */
const char *sf_parse_compact_name(char c);
/* Finds the index-th header named name (or its compact form). */
bool sf_parse_find_header(const sf_header *headers, size_t n, const char *name,
                          unsigned index, sipflow_span *value);

/* -------------------------------------------------------------- uri.c */

/* sipflow_uri_user of a NUL-terminated URI (NULL: -1): the usual
 * "sip:user@host" is read in one pass, without measuring the URI first
 * (the calls table does this for the From and To of every call). */
int sf_uri_user_cstr(const char *uri, sipflow_span *out);

#endif /* SF_INTERNAL_H */
