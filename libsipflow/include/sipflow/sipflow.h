/*
 * sipflow — SIP call-flow analysis from packet captures.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The one public header of libsipflow.
 *
 * Model (see DESIGN.md): a sipflow_ctx is fed packets (sipflow_feed_packet),
 * whole SIP messages (sipflow_feed_sip) or capture files
 * (sipflow_read_files, a thin loop over the packet feed).  Results come out
 * through the callbacks given to sipflow_new(); every pointer handed to a
 * callback is valid only during that callback.
 *
 * Conventions:
 *  - functions returning int return SIPFLOW_OK (0) or a negative
 *    SIPFLOW_ERR_* code; the detail text is then in sipflow_errmsg(ctx).
 *  - the library never prints and never exits.  Memory exhaustion aborts
 *    (glib's g_malloc policy).
 *  - strings in spans are NOT NUL-terminated.
 */
#ifndef SIPFLOW_SIPFLOW_H
#define SIPFLOW_SIPFLOW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(SIPFLOW_BUILDING)
#define SIPFLOW_API __attribute__((visibility("default")))
#else
#define SIPFLOW_API
#endif

/* ---------------------------------------------------------------- errors */

enum sipflow_error {
  SIPFLOW_OK = 0,
  SIPFLOW_ERR_INVALID = -1,   /* bad argument */
  SIPFLOW_ERR_IO = -2,        /* file missing / unreadable */
  SIPFLOW_ERR_FORMAT = -3,    /* not a pcap/pcapng file, bad filter */
  SIPFLOW_ERR_TRUNCATED = -4, /* capture file cut in the middle of a packet */
  SIPFLOW_ERR_LINKTYPE = -5,  /* link type not supported */
  SIPFLOW_ERR_MALFORMED = -6, /* a message or packet could not be decoded */
  SIPFLOW_ERR_INCOMPLETE = -7 /* more bytes needed (parser) */
};

/* Returns a static English description of an SIPFLOW_ERR_* code. */
SIPFLOW_API const char *sipflow_strerror(int code);

/* ----------------------------------------------------------- basic types */

/* A byte range inside a buffer owned by someone else (zero-copy). */
typedef struct sipflow_span {
  const char *ptr; /* NULL when absent */
  size_t len;
} sipflow_span;

/* An IPv4 or IPv6 transport endpoint. */
typedef struct sipflow_endpoint {
  uint8_t family;   /* 4 or 6; 0 = unknown */
  uint8_t addr[16]; /* IPv4 in the first 4 bytes */
  uint16_t port;    /* host byte order */
} sipflow_endpoint;

/* Formats "1.2.3.4:5060" or "[2001:db8::1]:5060" into buf (NUL-terminated,
 * truncated to buflen).  Returns buf.  SIPFLOW_ENDPOINT_STRLEN always suffices. */
#define SIPFLOW_ENDPOINT_STRLEN 56
SIPFLOW_API char *sipflow_endpoint_format(const sipflow_endpoint *ep, char *buf,
                                          size_t buflen);

typedef enum sipflow_transport {
  SIPFLOW_TRANSPORT_UDP = 0,
  SIPFLOW_TRANSPORT_TCP,
  SIPFLOW_TRANSPORT_SCTP,
  SIPFLOW_TRANSPORT_TLS,
  SIPFLOW_TRANSPORT_WS,
  SIPFLOW_TRANSPORT_WSS
} sipflow_transport;

/* "udp", "tcp", ... (static string). */
SIPFLOW_API const char *sipflow_transport_name(sipflow_transport t);

/* ------------------------------------------------------------------ SDP */

#define SIPFLOW_SDP_MAX_MEDIA 8
#define SIPFLOW_SDP_MAX_CODECS 16

typedef enum sipflow_sdp_direction {
  SIPFLOW_SDP_SENDRECV = 0, /* default when no attribute (RFC 4566 §6) */
  SIPFLOW_SDP_SENDONLY,
  SIPFLOW_SDP_RECVONLY,
  SIPFLOW_SDP_INACTIVE
} sipflow_sdp_direction;

typedef struct sipflow_sdp_codec {
  int payload_type;   /* from the m= format list */
  sipflow_span name;  /* from a=rtpmap ("PCMU"), or empty when not mapped */
  uint32_t clock_rate; /* from a=rtpmap, 0 when not mapped */
} sipflow_sdp_codec;

typedef struct sipflow_sdp_media {
  sipflow_span type;       /* "audio", "video", "image" ... */
  uint16_t port;
  sipflow_span proto;      /* "RTP/AVP", "udptl" ... */
  sipflow_span connection; /* media-level c= address, else the session one */
  sipflow_sdp_direction direction;
  unsigned n_codecs;
  sipflow_sdp_codec codecs[SIPFLOW_SDP_MAX_CODECS];
} sipflow_sdp_media;

typedef struct sipflow_sdp {
  sipflow_span connection; /* session-level c= address */
  sipflow_span origin;     /* whole o= value */
  sipflow_sdp_direction direction; /* session-level attribute */
  unsigned n_media;
  sipflow_sdp_media media[SIPFLOW_SDP_MAX_MEDIA];
} sipflow_sdp;

/* Parses an SDP body (RFC 4566).  Spans point into body.  Returns SIPFLOW_OK
 * or SIPFLOW_ERR_MALFORMED (not SDP: no v= line).  Extra media/codecs beyond
 * the SIPFLOW_SDP_MAX_* limits are ignored. */
SIPFLOW_API int sipflow_sdp_parse(const char *body, size_t len, sipflow_sdp *out);

/* -------------------------------------------------------------- message */

/* One SIP message as parsed.  Spans point into raw[]; the whole struct and
 * everything it points to are valid only during the callback that delivers
 * it (copy what you keep). */
typedef struct sipflow_message {
  /* where and when */
  uint64_t frame;      /* 1-based packet number in which the message completed */
  int64_t time_us;     /* epoch microseconds of that packet */
  sipflow_endpoint src, dst;
  sipflow_transport transport;

  /* the bytes */
  const char *raw;     /* start line .. end of body */
  size_t raw_len;

  /* start line */
  int is_request;         /* 1 request, 0 response */
  sipflow_span method;    /* requests */
  sipflow_span request_uri;
  int status;             /* responses, else 0 */
  sipflow_span reason;    /* responses: reason phrase */

  /* key headers (first occurrence unless said otherwise) */
  sipflow_span call_id;
  uint32_t cseq;
  sipflow_span cseq_method;
  sipflow_span from;      /* whole From value */
  sipflow_span from_uri;  /* addr-spec inside From */
  sipflow_span from_tag;
  sipflow_span to;
  sipflow_span to_uri;
  sipflow_span to_tag;
  sipflow_span via;       /* top Via value (first via-parm) */
  sipflow_span via_transport; /* "UDP", "TCP" ... of the top Via */
  sipflow_span via_sent_by;   /* host[:port] of the top Via */
  sipflow_span branch;        /* top Via branch, ptr NULL when absent */
  sipflow_span via_received;
  int via_rport;          /* -1 absent, 0 present without value, else value */
  unsigned via_count;     /* number of via-parms over all Via headers */
  long content_length;    /* -1 when absent or not numeric */
  sipflow_span content_type;
  sipflow_span reason_header; /* Reason header value (RFC 3326) */
  sipflow_span user_agent;
  sipflow_span server;
  sipflow_span contact;
  sipflow_span body;

  /* correlation (1-based ids, 0 = none / not yet known) */
  uint32_t transaction;
  uint32_t dialog;
  uint32_t call;
  int retransmission;

  const void *internal_; /* library use */
} sipflow_message;

/* Looks up the index-th (0-based) occurrence of header `name` (case
 * insensitive; the compact form matches too, e.g. "Via" matches "v").
 * Comma-separated values are not split.  Returns 1 and fills *value (span
 * into msg->raw, folding left as is) when found, else 0. */
SIPFLOW_API int sipflow_message_header(const sipflow_message *msg, const char *name,
                                       unsigned index, sipflow_span *value);

/* ------------------------------------------------------------ diagnostics */

typedef enum sipflow_diag_code {
  SIPFLOW_DIAG_TRUNCATED_PACKET = 1, /* snaplen cut: captured < on the wire */
  SIPFLOW_DIAG_BAD_LINK,         /* link layer could not be decoded */
  SIPFLOW_DIAG_BAD_IP,           /* bad IPv4/IPv6 header */
  SIPFLOW_DIAG_FRAGMENT_EXPIRED, /* incomplete IP fragment set dropped */
  SIPFLOW_DIAG_FRAGMENT_LIMIT,   /* too many pending fragments */
  SIPFLOW_DIAG_TCP_GAP,          /* bytes missing in a TCP stream */
  SIPFLOW_DIAG_TCP_LIMIT,        /* stream buffer or stream count over limit */
  SIPFLOW_DIAG_SIP_MALFORMED,    /* looked like SIP, could not be parsed */
  SIPFLOW_DIAG_SIP_MISSING_HEADER, /* no Call-ID or no CSeq */
  SIPFLOW_DIAG_SIP_BAD_CONTENT_LENGTH, /* over a stream transport */
  SIPFLOW_DIAG_SIP_TOO_LARGE,
  SIPFLOW_DIAG_JUNK_SKIPPED      /* non-SIP bytes skipped in a SIP stream */
} sipflow_diag_code;

typedef struct sipflow_diag {
  uint64_t frame;      /* packet the problem was seen in (0 = none) */
  sipflow_diag_code code;
  const char *text;    /* one line, English, NUL-terminated */
} sipflow_diag;

/* Short name of a diagnostic code ("sip-malformed" ...), static. */
SIPFLOW_API const char *sipflow_diag_name(sipflow_diag_code code);

/* -------------------------------------------------------------- context */

typedef struct sipflow_ctx sipflow_ctx;

/* Every callback may be NULL.  `user` is the pointer given to sipflow_new. */
typedef struct sipflow_callbacks {
  /* A SIP message was rebuilt and parsed. */
  void (*on_message)(const sipflow_message *msg, void *user);
  /* Something in the input was malformed or dropped; analysis goes on. */
  void (*on_diag)(const sipflow_diag *diag, void *user);
} sipflow_callbacks;

/* Limits; 0 in a field means "default".  Documented in README.md. */
typedef struct sipflow_limits {
  size_t max_message_size;      /* default 65535 * 4 */
  size_t max_tcp_buffer;        /* per direction, default 1 MiB */
  size_t max_tcp_streams;       /* default 65536 */
  size_t max_fragment_bytes;    /* all pending IP fragments, default 64 MiB */
  int64_t fragment_timeout_us;  /* capture time, default 30 s */
  int64_t tcp_idle_timeout_us;  /* capture time, default 300 s */
} sipflow_limits;

/* Creates a context.  callbacks is copied; limits may be NULL.  Returns NULL
 * only on invalid arguments.  Free with sipflow_free(). */
SIPFLOW_API sipflow_ctx *sipflow_new(const sipflow_callbacks *callbacks, void *user,
                                     const sipflow_limits *limits);

/* Flushes nothing, frees everything.  NULL is allowed. */
SIPFLOW_API void sipflow_free(sipflow_ctx *ctx);

/* Detail text of the last error returned on ctx ("" when none).  Valid until
 * the next call on ctx. */
SIPFLOW_API const char *sipflow_errmsg(const sipflow_ctx *ctx);

/* Feeds one captured packet.  linktype is a pcap LINKTYPE_/DLT_ value; frame
 * is the caller's 1-based packet number; caplen bytes at data were captured
 * of wirelen on the wire.  data is not kept after the call.  Returns
 * SIPFLOW_OK, or SIPFLOW_ERR_LINKTYPE for an unsupported link type (nothing
 * else is an error: bad packets are reported through on_diag). */
SIPFLOW_API int sipflow_feed_packet(sipflow_ctx *ctx, int linktype, uint64_t frame,
                                    int64_t time_us, const uint8_t *data,
                                    size_t caplen, size_t wirelen);

/* Feeds one whole SIP message already reassembled by the caller (the
 * Wireshark plugin does this).  Returns SIPFLOW_OK, or SIPFLOW_ERR_MALFORMED
 * when the bytes are not a SIP message (also reported through on_diag). */
SIPFLOW_API int sipflow_feed_sip(sipflow_ctx *ctx, const char *data, size_t len,
                                 uint64_t frame, int64_t time_us,
                                 const sipflow_endpoint *src,
                                 const sipflow_endpoint *dst,
                                 sipflow_transport transport);

/* Ends the input: flushes TCP streams and pending state, delivering what is
 * left.  Call once after the last feed. */
SIPFLOW_API void sipflow_finish(sipflow_ctx *ctx);

/* Reads n capture files (pcap or pcapng; "-" is stdin), merged in timestamp
 * order, through an optional BPF filter (NULL = none), numbering frames from
 * 1 over the merged input, and calls sipflow_finish() at the end.
 * Returns SIPFLOW_OK, or SIPFLOW_ERR_IO / _FORMAT / _TRUNCATED /
 * _LINKTYPE with sipflow_errmsg() naming the file and the problem.  On
 * SIPFLOW_ERR_TRUNCATED every message before the cut has been delivered. */
SIPFLOW_API int sipflow_read_files(sipflow_ctx *ctx, const char *const *paths, size_t n,
                                   const char *bpf_filter);

/* Optional progress report during sipflow_read_files: called every few
 * thousand packets. */
typedef void (*sipflow_progress_fn)(uint64_t bytes_done, uint64_t bytes_total,
                                    uint64_t packets, uint64_t messages, void *user);
SIPFLOW_API void sipflow_set_progress(sipflow_ctx *ctx, sipflow_progress_fn fn);

/* Counters, readable any time. */
typedef struct sipflow_counters {
  uint64_t packets;
  uint64_t bytes;
  uint64_t messages;
  uint64_t diagnostics;
  uint64_t fragments_reassembled;
  uint64_t tcp_segments;
} sipflow_counters;
SIPFLOW_API void sipflow_get_counters(const sipflow_ctx *ctx, sipflow_counters *out);

#ifdef __cplusplus
}
#endif
#endif /* SIPFLOW_SIPFLOW_H */
