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
#include <stdio.h> /* FILE, for sipflow_read_fp */

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
  SIPFLOW_DIAG_JUNK_SKIPPED,     /* non-SIP bytes skipped in a SIP stream */
  SIPFLOW_DIAG_CALL_LIMIT        /* open calls (or one call's transactions or
                                    dialogs) over the limit: a call was
                                    finalised early (sipflow_limits) */
} sipflow_diag_code;

typedef struct sipflow_diag {
  uint64_t frame;      /* packet the problem was seen in (0 = none) */
  sipflow_diag_code code;
  const char *text;    /* one line, English, NUL-terminated */
} sipflow_diag;

/* Short name of a diagnostic code ("sip-malformed" ...), static. */
SIPFLOW_API const char *sipflow_diag_name(sipflow_diag_code code);

struct sipflow_ctx;
/* How many diagnostics of that code ctx has reported so far (also those
 * not delivered because on_diag is NULL); 0 for an unknown code. */
SIPFLOW_API uint64_t sipflow_diag_count(const struct sipflow_ctx *ctx,
                                        sipflow_diag_code code);

/* ------------------------------------------ transactions, dialogs, calls */

/* Grouping and outcome (correlate and analyze stages, DESIGN.md).  Every
 * message handed to on_message already carries its transaction, dialog and
 * call ids and its retransmission flag.  A call is delivered once, complete,
 * through on_call_end when it is finalised:
 *   - at sipflow_finish() for every call still open, in call id order;
 *   - earlier, in capture time, for an INVITE call whose outcome is final
 *     (BYE answered, or a final >= 400 other than 401/407 to its last INVITE,
 *     every transaction answered) once `linger_us` has passed without a
 *     message for it (default 32 s = 64*T1, RFC 3261 §17.1.1.2, so late
 *     retransmissions still find their call);
 *   - earlier, for a call without INVITE (REGISTER, OPTIONS ...) whose
 *     transactions all have a final response, once `linger_us` plus a wait
 *     for its Call-ID to come back has passed without a message for it: the
 *     registration lifetime granted by a REGISTER 2xx (Contact expires or
 *     Expires, at most a day: the refresh reuses the Call-ID), else 300 s;
 *   - earlier, for any call, once `idle_timeout_us` has passed without a
 *     message for it (off by default).
 * The early cases happen inside sipflow_feed_*(), before the on_message
 * of the message whose time made the delay pass.  A message whose Call-ID
 * belonged to an already finalised call starts a new call (with a new id).
 * See sipflow_set_call_options(). */

struct sipflow_ctx;

/* `state` of a call (DESIGN.md).  INVITE calls use SETUP..REJECTED, calls
 * started by any other method OK, FAILED, PENDING. */
typedef enum sipflow_call_state {
  SIPFLOW_CALL_SETUP = 0, /* no final response, no provisional but 100 */
  SIPFLOW_CALL_RINGING,   /* a 101-199 provisional, no final response */
  SIPFLOW_CALL_IN_CALL,   /* answered (2xx), no BYE */
  SIPFLOW_CALL_COMPLETED, /* answered, then a BYE */
  SIPFLOW_CALL_CANCELLED, /* CANCEL sent before any final response, or 487 */
  SIPFLOW_CALL_BUSY,      /* 486 Busy Here, 600 Busy Everywhere */
  SIPFLOW_CALL_DIVERTED,  /* 3xx, not followed by a new INVITE */
  SIPFLOW_CALL_REJECTED,  /* any other final >= 400 */
  SIPFLOW_CALL_OK,        /* non-INVITE: final 2xx */
  SIPFLOW_CALL_FAILED,    /* non-INVITE: final >= 300 */
  SIPFLOW_CALL_PENDING    /* non-INVITE: no final response */
} sipflow_call_state;
#define SIPFLOW_CALL_STATE_COUNT 11

/* "setup", "ringing", "in-call", "completed", "cancelled", "busy",
 * "diverted", "rejected", "ok", "failed", "pending" (static); "unknown" for a
 * value out of range. */
SIPFLOW_API const char *sipflow_call_state_name(sipflow_call_state state);
/* The state named name (as above), or -1. */
SIPFLOW_API int sipflow_call_state_from_name(const char *name);

/* Anomalies of a call: bit flags in sipflow_call_info.anomalies. */
typedef enum sipflow_anomaly {
  SIPFLOW_ANOMALY_NO_ACK = 1u << 0,          /* a 2xx to an INVITE never ACKed */
  SIPFLOW_ANOMALY_NO_FINAL = 1u << 1,        /* an INVITE without final response */
  SIPFLOW_ANOMALY_RETRANSMISSIONS = 1u << 2, /* at least one retransmission */
  SIPFLOW_ANOMALY_BYE_481 = 1u << 3,         /* an in-dialog request answered 481 */
  SIPFLOW_ANOMALY_AUTH_LOOP = 1u << 4,       /* > 2 challenges (401/407) in a row */
  SIPFLOW_ANOMALY_ONE_WAY_HANGUP = 1u << 5,  /* a BYE never answered */
  SIPFLOW_ANOMALY_LATE_CANCEL = 1u << 6      /* a CANCEL sent after the 2xx */
} sipflow_anomaly;
#define SIPFLOW_ANOMALY_COUNT 7

/* "no-ack", "no-final", "retransmissions", "bye-481", "auth-loop",
 * "one-way-hangup", "late-cancel" for ONE flag (static), NULL otherwise.
 * List a call's anomalies with: for (i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
 * if (flags & (1u << i)) name(1u << i). */
SIPFLOW_API const char *sipflow_anomaly_name(unsigned flag);

/* Transaction state at the end of what the capture shows (RFC 3261 §17,
 * RFC 6026 for "accepted"). */
typedef enum sipflow_transaction_state {
  SIPFLOW_TXN_TRYING = 0, /* request seen, no response (INVITE: "Calling") */
  SIPFLOW_TXN_PROCEEDING, /* provisional response(s) only */
  SIPFLOW_TXN_COMPLETED,  /* final response (INVITE: non-2xx, not ACKed) */
  SIPFLOW_TXN_CONFIRMED,  /* INVITE: non-2xx final, then its ACK */
  SIPFLOW_TXN_ACCEPTED,   /* INVITE: 2xx (RFC 6026) */
  SIPFLOW_TXN_TERMINATED  /* ACK for a 2xx: a transaction with no response */
} sipflow_transaction_state;
/* "trying", "proceeding", "completed", "confirmed", "accepted", "terminated". */
SIPFLOW_API const char *sipflow_transaction_state_name(sipflow_transaction_state s);

typedef enum sipflow_dialog_state {
  SIPFLOW_DIALOG_EARLY = 0,  /* created by a 101-199 with a To tag */
  SIPFLOW_DIALOG_CONFIRMED,  /* a 2xx */
  SIPFLOW_DIALOG_TERMINATED  /* BYE answered, non-2xx final, 481/408 */
} sipflow_dialog_state;
/* "early", "confirmed", "terminated". */
SIPFLOW_API const char *sipflow_dialog_state_name(sipflow_dialog_state s);

/* The name people read in a SIP, SIPS or tel URI (RFC 3261 §19.1.1,
 * RFC 3966): its user part without password or telephone-subscriber
 * parameters ("alice" of sip:alice:pw@example.com;transport=tcp, "+15551234"
 * of tel:+15551234;phone-context=x or sip:+15551234;npdi@gw).  uri may be a
 * bare URI or one in angle brackets; len bytes are read, no NUL needed.
 * Returns 1 with *user = the user part (a span into uri); 0 when the URI
 * has none, with *user = its host (sip:example.com -> "example.com",
 * "[2001:db8::1]" kept whole); -1 when neither is found (*user empty). */
SIPFLOW_API int sipflow_uri_user(const char *uri, size_t len, sipflow_span *user);

/* Text of an ITU-T Q.850 cause value ("User busy" for 17), static; NULL
 * for a value not in the library's table. */
SIPFLOW_API const char *sipflow_q850_cause_text(int cause);

/* Strings below are NUL-terminated and owned by the library; NULL means
 * absent.  Times are epoch microseconds; frames 1-based, 0 = none. */

typedef struct sipflow_transaction_info {
  uint32_t id;              /* 1-based, order of first appearance in the context */
  uint32_t call;            /* the call it belongs to */
  uint32_t dialog;          /* first dialog its messages belong to, 0 = none */
  const char *method;       /* of the request (CSeq method when only responses seen) */
  const char *branch;       /* top Via branch of the request, NULL when absent */
  int rfc2543;              /* 1: matched by the RFC 2543 rules (no z9hG4bK) */
  uint32_t cseq;
  sipflow_endpoint src, dst; /* client -> server */
  int request_seen;         /* 0: only responses were captured */
  uint64_t first_frame, last_frame;
  int64_t start_us, end_us; /* first and last message */
  int final_status;         /* 0 = none */
  const char *final_reason; /* its reason phrase */
  sipflow_transaction_state state;
  uint32_t requests;        /* request messages, retransmissions and the ACK of a
                               non-2xx final included */
  uint32_t responses;       /* response messages, retransmissions included */
  uint32_t retransmissions;
  uint32_t cancels;         /* CANCEL: id of the INVITE transaction it cancels */
} sipflow_transaction_info;

typedef struct sipflow_dialog_info {
  uint32_t id;              /* 1-based, order of creation in the context */
  uint32_t call;
  const char *call_id;
  const char *from_tag;     /* tag of the UAC of the creating request */
  const char *to_tag;       /* tag of the UAS */
  const char *method;       /* of the creating request: INVITE, SUBSCRIBE, REFER */
  uint32_t transaction;     /* whose response created it */
  sipflow_endpoint uac, uas;
  sipflow_dialog_state state;
  int before_capture;       /* 1: created by an in-dialog request (capture
                               started after the dialog was set up) */
  uint64_t created_frame, confirmed_frame, terminated_frame; /* 0 = not (yet) */
  int64_t start_us, end_us; /* creation, last message */
  uint32_t messages;
} sipflow_dialog_info;

/* One call = one Call-ID.  Every `calls --json` key of DESIGN.md. */
typedef struct sipflow_call_info {
  uint32_t call;            /* 1-based, order of first appearance */
  const char *call_id;
  const char *method;       /* of the first request */
  const char *from, *to;    /* From / To URIs of the first request */
  sipflow_endpoint src, dst; /* of the first request */
  int64_t start_us, end_us; /* first and last message */
  uint64_t first_frame, last_frame;
  sipflow_call_state state;
  int final_status;         /* final response to the last out-of-dialog INVITE
                               (other methods: request), 0 = none */
  const char *reason;       /* its reason phrase, NULL when no final */
  int q850_cause;           /* from a Reason header of that final, 0 = none */
  uint32_t messages, transactions, dialogs, retransmissions;
  uint32_t attempts;        /* initial INVITEs (requests) with distinct CSeq:
                               1 + challenge/redirect retries */
  int64_t setup_ms;         /* first INVITE -> first 180/183, -1 = n/a.  The
                               first INVITE is the one that started the chain
                               of automatic retries (401/407, 3xx) ending
                               with the last attempt; a retry sent > 2 s
                               after the previous final (user prompted for a
                               password) restarts the clock */
  int64_t answer_ms;        /* same start -> 2xx of the last attempt, -1 = n/a */
  double duration_s;        /* 2xx -> BYE, ms precision, -1 = n/a */
  unsigned anomalies;       /* SIPFLOW_ANOMALY_* flags */
  const char *failure;      /* one sentence, NULL unless the call failed:
                               busy, rejected, cancelled, failed, or a last
                               request left without any response for 32 s
                               (64*T1) of capture.  Not failed: diverted,
                               setup/ringing/pending at the end of the
                               capture, answered calls.  E.g. "rejected by
                               10.0.0.2:5060 with 486 Busy Here after 3.2 s
                               of ringing (Q.850 cause 17: User busy)" */
  uint32_t linked_call;     /* another leg of the same call through a B2BUA
                               (X-Call-ID, X-CID, Session-ID), 0 = none */
  size_t n_transactions;    /* == transactions */
  const sipflow_transaction_info *transaction_list; /* in id order */
  size_t n_dialogs;         /* == dialogs */
  const sipflow_dialog_info *dialog_list;           /* in id order */
} sipflow_call_info;

/* When calls are finalised (see above).  0 in a field means "default". */
typedef struct sipflow_call_options {
  int64_t linger_us;       /* default 32 s; < 0: never before sipflow_finish */
  int64_t idle_timeout_us; /* default 0 = never; > 0: finalise any call that
                              has had no message for that long */
  int keep_calls;          /* 1: finalised calls stay readable through
                              sipflow_get_call() until sipflow_free() (memory
                              then grows with the capture) */
  int summary_only;        /* 1: the call given to on_call_end has no
                              transaction and dialog lists (n_transactions,
                              n_dialogs 0, the lists NULL; the counts
                              `transactions` and `dialogs` are still set):
                              for a reader of the summary only, such as a
                              table of calls, whose analysis then does not
                              read the dialogs nor build the lists (a
                              sixth of it, and cache misses).  Ignored when
                              keep_calls is set; sipflow_get_call on an
                              open call gives the lists either way. */
} sipflow_call_options;

/* Sets the options; call before the first feed.  Returns SIPFLOW_OK or
 * SIPFLOW_ERR_INVALID (NULL argument). */
SIPFLOW_API int sipflow_set_call_options(struct sipflow_ctx *ctx,
                                         const sipflow_call_options *options);

/* The call with that id: a finalised call kept by keep_calls (valid until
 * sipflow_free), or a call still open, analysed as of now (valid until the
 * next feed, sipflow_finish or sipflow_get_call on ctx).  NULL when unknown
 * or already finalised and not kept. */
SIPFLOW_API const sipflow_call_info *sipflow_get_call(struct sipflow_ctx *ctx,
                                                      uint32_t call);

/* Request methods counted by sipflow_stats. */
typedef enum sipflow_method {
  SIPFLOW_METHOD_INVITE = 0, SIPFLOW_METHOD_ACK, SIPFLOW_METHOD_BYE,
  SIPFLOW_METHOD_CANCEL, SIPFLOW_METHOD_REGISTER, SIPFLOW_METHOD_OPTIONS,
  SIPFLOW_METHOD_PRACK, SIPFLOW_METHOD_SUBSCRIBE, SIPFLOW_METHOD_NOTIFY,
  SIPFLOW_METHOD_PUBLISH, SIPFLOW_METHOD_INFO, SIPFLOW_METHOD_REFER,
  SIPFLOW_METHOD_MESSAGE, SIPFLOW_METHOD_UPDATE, SIPFLOW_METHOD_OTHER
} sipflow_method;
#define SIPFLOW_METHOD_COUNT 15
/* "INVITE" ... "UPDATE", "other" (static). */
SIPFLOW_API const char *sipflow_method_name(sipflow_method m);

#define SIPFLOW_STATS_TOP_FAILURES 10

/* One row of the failure ranking: failed calls grouped by state, final
 * status and Q.850 cause. */
typedef struct sipflow_failure_count {
  sipflow_call_state state;
  int final_status;         /* 0: no final response */
  int q850_cause;           /* 0: none */
  const char *label;        /* "486 Busy Here", "cancelled by the caller",
                               "no response", "... (Q.850 cause 34)" */
  uint64_t calls;
} sipflow_failure_count;

/* Aggregates over the whole input.  Message counts cover every message
 * delivered so far; call numbers cover the calls finalised so far (all of
 * them after sipflow_finish).
 * KPIs (percent or ms; -1 when the denominator is 0):
 *  - ASR, ITU-T E.411 answer seizure ratio = answered / INVITE calls.
 *  - NER, ITU-T E.411 network effectiveness ratio = INVITE calls that ended
 *    in an answer, a user busy, a ring-no-answer or a user rejection /
 *    INVITE calls.  Counted as such: answered (in-call, completed), busy
 *    (486, 600), cancelled by the caller, and rejected with 480, 603, or 408
 *    after ringing.  Everything else (404, 403, 5xx, no response ...) is a
 *    network failure.
 *  - PDD: setup_ms of the INVITE calls that have one (mean, p50, p95 by the
 *    nearest-rank method).
 *  - ACD: mean duration_s of the completed calls. */
typedef struct sipflow_stats {
  uint64_t messages, requests, responses, retransmissions;
  uint64_t by_method[SIPFLOW_METHOD_COUNT]; /* requests, retransmissions included */
  uint64_t by_status_class[7];  /* [1]..[6]: 1xx..6xx responses; [0] unused */
  uint64_t calls, transactions, dialogs;   /* finalised calls and theirs */
  uint64_t calls_by_state[SIPFLOW_CALL_STATE_COUNT];
  uint64_t failed;              /* calls with a failure sentence */
  uint64_t anomalies[SIPFLOW_ANOMALY_COUNT]; /* calls with flag 1u << i */
  uint64_t invite_calls, answered, effective;
  double asr, ner;              /* percent */
  uint64_t pdd_count;
  double pdd_mean_ms;
  int64_t pdd_p50_ms, pdd_p95_ms;
  uint64_t acd_count;
  double acd_s;
  size_t n_top_failures;        /* most frequent first, then by status */
  sipflow_failure_count top_failures[SIPFLOW_STATS_TOP_FAILURES];
} sipflow_stats;

/* Fills *out.  Labels stay valid until sipflow_free(ctx).  Returns
 * SIPFLOW_OK or SIPFLOW_ERR_INVALID. */
SIPFLOW_API int sipflow_get_stats(struct sipflow_ctx *ctx, sipflow_stats *out);

/* The text of `sipflow stats` (render stage), laid out here so that every
 * front end (CLI, Wireshark plugin) writes the same bytes: messages by
 * method and status class, retransmissions, calls by outcome, failed calls
 * and anomalies ("none" when all are 0), then ASR, NER, PDD and ACD ("n/a
 * (why)" when a KPI has no denominator) and the top failures.  Failure
 * labels are escaped for a terminal as by sipflow_escape_text() (control
 * and bidirectional characters, invalid UTF-8 as "\xNN").  On SIPFLOW_OK
 * *out is a NUL-terminated buffer of *out_len bytes (out_len may be NULL),
 * owned by the caller: free it with sipflow_buffer_free().  Returns
 * SIPFLOW_ERR_INVALID (and *out NULL) when stats or out is NULL. */
SIPFLOW_API int sipflow_render_stats(const sipflow_stats *stats, char **out, size_t *out_len);

/* --------------------------------------------------------------- ladder */

/* A call ladder (sequence diagram): the render stage.  It is fed messages
 * (usually from on_message) with sipflow_ladder_add(), which copies what the
 * diagram needs; the ladder owns every string it hands out, so it stays
 * usable after the message callback and after sipflow_free(ctx).
 *
 * Lanes are endpoints in order of first appearance; arrows are messages in
 * the order they were added.  One ladder may hold several calls (B2BUA legs,
 * calls picked by the user); each gets a colour index. */

typedef struct sipflow_ladder sipflow_ladder;

typedef struct sipflow_ladder_options {
  int merge_by_ip; /* 1: one lane per IP address, whatever the port */
} sipflow_ladder_options;

typedef struct sipflow_ladder_lane {
  unsigned index;            /* 0-based column */
  const char *address;       /* "10.0.0.1:5060", "[2001:db8::1]:5060", or the
                                bare IP with merge_by_ip */
  const char *agent;         /* User-Agent / Server value this endpoint sent,
                                NULL when unknown.  Taken from requests it
                                originated (one Via) and from responses, and
                                only when no other lane sent that value
                                before (a proxy relays its peers' values) */
  sipflow_endpoint endpoint; /* the first endpoint seen for the lane */
} sipflow_ladder_lane;

typedef struct sipflow_ladder_call {
  unsigned index;      /* 0-based colour index, order of first appearance */
  uint32_t call;       /* sipflow_message.call; calls are told apart by it,
                          or by Call-ID when it is 0 */
  const char *call_id;
  size_t first_arrow;  /* index of its first arrow */
  size_t n_arrows;
} sipflow_ladder_call;

typedef struct sipflow_ladder_arrow {
  size_t index;          /* 0-based, order of sipflow_ladder_add */
  unsigned call_index;   /* into the ladder's calls (colour) */
  uint32_t call;         /* sipflow_message.call */
  uint64_t frame;
  int64_t time_us;       /* epoch microseconds */
  int64_t rel_us;        /* since the first arrow of the ladder */
  int64_t delta_us;      /* since the previous arrow (0 for the first) */
  unsigned from_lane, to_lane;
  sipflow_endpoint src, dst;
  sipflow_transport transport;
  int is_request;
  int status;            /* responses, else 0 */
  const char *method;    /* request method, or the CSeq method of a response */
  const char *request_uri; /* requests, else NULL */
  const char *label;     /* "INVITE bob" (method + Request-URI user part, or
                            host when there is none) or "180 Ringing" */
  uint32_t cseq;
  int retransmission;
  const char *sdp;       /* SDP summary, NULL when the body carries none:
                            "audio 10.0.0.1:4000 PCMU,PCMA" per media line,
                            " sendonly" etc. when not sendrecv, media joined
                            with " + " */
  const char *text;      /* the whole message (start line to end of body),
                            text_len bytes followed by a NUL (the message
                            itself may hold NUL bytes) */
  size_t text_len;
} sipflow_ladder_arrow;

/* Creates an empty ladder; options may be NULL (defaults).  Never NULL
 * (memory exhaustion aborts).  Free with sipflow_ladder_free(). */
SIPFLOW_API sipflow_ladder *sipflow_ladder_new(const sipflow_ladder_options *options);
/* Frees the ladder and every string and struct it handed out.  NULL is ok. */
SIPFLOW_API void sipflow_ladder_free(sipflow_ladder *ladder);

/* Appends one message as an arrow (creating lanes and calls as needed).
 * msg is copied; it may be freed right after.  Strings from the message
 * (labels, Call-ID, agents) are copied as bytes: a NUL byte inside becomes
 * the four characters "\x00"; renderers escape everything else for their
 * output.  Returns SIPFLOW_OK or SIPFLOW_ERR_INVALID (NULL argument). */
SIPFLOW_API int sipflow_ladder_add(sipflow_ladder *ladder, const sipflow_message *msg);

/* Read access to the model.  Pointers stay valid until the next
 * sipflow_ladder_add() or sipflow_ladder_free() (the arrays may move); the
 * strings they point to stay valid until sipflow_ladder_free().  An index
 * out of range gives NULL. */
SIPFLOW_API size_t sipflow_ladder_lane_count(const sipflow_ladder *ladder);
SIPFLOW_API const sipflow_ladder_lane *sipflow_ladder_get_lane(const sipflow_ladder *ladder,
                                                               size_t index);
SIPFLOW_API size_t sipflow_ladder_call_count(const sipflow_ladder *ladder);
SIPFLOW_API const sipflow_ladder_call *sipflow_ladder_get_call(const sipflow_ladder *ladder,
                                                               size_t index);
SIPFLOW_API size_t sipflow_ladder_arrow_count(const sipflow_ladder *ladder);
SIPFLOW_API const sipflow_ladder_arrow *sipflow_ladder_get_arrow(const sipflow_ladder *ladder,
                                                                 size_t index);

typedef enum sipflow_ladder_format {
  SIPFLOW_LADDER_TEXT = 0, /* Unicode box drawing, UTF-8 */
  SIPFLOW_LADDER_ASCII,    /* the same layout in 7-bit ASCII */
  SIPFLOW_LADDER_SVG,      /* standalone SVG 1.1 document */
  SIPFLOW_LADDER_HTML,     /* self-contained page (no network fetch) */
  SIPFLOW_LADDER_MERMAID,  /* Mermaid sequenceDiagram */
  SIPFLOW_LADDER_JSON      /* the model as one JSON object on one line (NDJSON) */
} sipflow_ladder_format;
#define SIPFLOW_LADDER_FORMAT_COUNT 6

/* "text", "ascii", "svg", "html", "mermaid", "json" (static), "unknown". */
SIPFLOW_API const char *sipflow_ladder_format_name(sipflow_ladder_format format);
/* The format named name (as above), or -1. */
SIPFLOW_API int sipflow_ladder_format_from_name(const char *name);

typedef struct sipflow_render_options {
  unsigned width;    /* text, ascii: columns to fit, 0 = 100.  Each lane
                        needs at least 14 columns; with too many lanes the
                        lines get longer than width rather than unreadable */
  int color;         /* text, ascii: 1 = ANSI colours (one per call) */
  const char *title; /* svg, html: document title, NULL = "SIP call flow";
                        escaped like everything else */
} sipflow_render_options;

/* Renders the ladder.  options may be NULL (defaults).  On SIPFLOW_OK
 * *out is a NUL-terminated buffer of *out_len bytes (out_len may be NULL)
 * that the caller frees with sipflow_buffer_free() (or free()).  Everything
 * that comes from a capture is escaped for the output: control characters,
 * invisible characters (zero-width, bidi overrides) and invalid UTF-8
 * become the visible text "\xNN" in text, ascii (also every non-ASCII
 * byte), svg, html and mermaid; then XML entities in svg and html, Mermaid
 * entity codes ("#59;") in mermaid.  json keeps the bytes as JSON string
 * escapes ("\u001b"; '<' '>' '&' as \u003c ...), invalid UTF-8 as the text
 * "\xNN".
 *  - text / ascii: a title line (start date, counts) and one line per
 *    call, then one column per lane, one row per arrow with frame, time
 *    since the first arrow and delta since the previous one; a label that
 *    does not fit between its lanes wraps onto the next rows; the SDP summary
 *    follows on its own rows (not repeated for a retransmission);
 *    retransmissions are dashed ("╌", ".") and end in "(retr)"; the
 *    transport is named once in the title when every arrow shares it, else
 *    on every arrow ("[tcp]").
 *  - svg: one colour per call, a <title> on each arrow with the message
 *    summary (shown on hover).
 *  - mermaid: "participant A as 10.0.0.1:5060<br/>agent" lines, then one
 *    arrow line per message (requests ->>, responses -->>, retransmissions
 *    -) and --)); with several calls, each run of one call's arrows in a
 *    "rect" of its colour.
 *  - html: element ids and classes meant to be queried by a browser test:
 *    "#ladder" holds one "div.ladder-view[data-call=K]" per call (K = call
 *    index; only one shown at a time, picked by "select#call-picker" when
 *    there are several calls), each with an "svg" whose arrows are
 *    "g.arrow[data-index=N]" (N = arrow index); clicking one fills
 *    "#message-pane" ("#message-summary", "pre#message-text") and sets its
 *    data-index attribute.
 * Returns SIPFLOW_OK or SIPFLOW_ERR_INVALID (NULL ladder or out, unknown
 * format). */
SIPFLOW_API int sipflow_ladder_render(const sipflow_ladder *ladder,
                                      sipflow_ladder_format format,
                                      const sipflow_render_options *options, char **out,
                                      size_t *out_len);

/* ------------------------------------------------- terminal text */

/* Where a front end's text goes: len bytes at text (not NUL-terminated)
 * for user (a FILE *, a buffer), in as many calls as the writer makes. */
typedef void (*sipflow_write_fn)(const char *text, size_t len, void *user);

/* Capture text made safe for a terminal, the one escaping every table,
 * ladder heading and the stats of the library use, for front ends that
 * print capture text of their own (the CLI's messages and diagnostics):
 * valid printable UTF-8 is kept; control characters (C0, DEL, C1, CSI
 * among them), the invisible and bidirectional format characters
 * (U+200B-U+200F, U+2028-U+202E, U+2060-U+206F, U+FEFF, U+061C, U+180E:
 * they would reorder or hide what the terminal shows, "Trojan Source",
 * CVE-2021-42574) and each byte of invalid UTF-8 become the text "\xNN"
 * (a byte each, "\xe2\x80\xae" for U+202E); '\' becomes "\\".
 * The len bytes at s (may hold NUL bytes) are read; the result goes
 * through write(text, len, user) in pieces, nothing is allocated and
 * nothing is written for empty text.  Returns the display width of the
 * result (a column per code point); 0, writing nothing, when s or write
 * is NULL. */
SIPFLOW_API size_t sipflow_escape_text(const char *s, size_t len, sipflow_write_fn write,
                                       void *user);

/* ------------------------------------------------------ text tables */

/* An aligned text table: the engine under the calls table, for any front
 * end's tables (the CLI's messages, transactions, dialogs).  The columns
 * are as wide as their widest cell among the first 500 rows (held until
 * then), then fitted to a width: squeezable columns give way, the last
 * first; a cell wider than its column is shortened with "…".  After that
 * the widths are frozen and each row is written as it comes, so memory
 * stays bounded.  Two spaces between columns (one before a tight one);
 * trailing spaces are cut; lines end with "\n".  Width is counted as one
 * column per code point. */

typedef enum sipflow_table_align {
  SIPFLOW_ALIGN_LEFT,
  SIPFLOW_ALIGN_RIGHT,
} sipflow_table_align;

/* How a cell too wide for its column is shortened. */
typedef enum sipflow_table_cut {
  SIPFLOW_CUT_MIDDLE, /* "abc…@host": both ends kept (Call-IDs, tags) */
  SIPFLOW_CUT_END,    /* "486 Busy H…": the start kept (sentences) */
} sipflow_table_cut;

typedef struct sipflow_table_column {
  const char *title;         /* header cell (NULL: empty) */
  sipflow_table_align align;
  unsigned max_width;        /* 0 = no cap; wider cells are shortened */
  int squeeze;               /* shrinks (down to 16 columns) so that rows fit
                                the width; the last squeezable column gives
                                way first, and, when last, may use the room
                                left on a line */
  unsigned soft_min;         /* squeeze: shrink down to this first, before any
                                other column goes below its natural width */
  int tight;                 /* one space before this column instead of two */
  sipflow_table_cut cut;
  int overflow;              /* last column only: printed whole, not counted
                                when fitting the others (a sentence the
                                terminal wraps) */
} sipflow_table_column;

typedef struct sipflow_table sipflow_table;

/* A table of n_cols columns (cols and their titles are copied) fitted to
 * width columns (0 = 120), its lines written through write(text, len,
 * user), which must not be NULL.  NULL when write or cols is NULL or
 * n_cols is 0. */
SIPFLOW_API sipflow_table *sipflow_table_new(const sipflow_table_column *cols, size_t n_cols,
                                             unsigned width, sipflow_write_fn write,
                                             void *user);
/* A row of n_cols cells (NULL cell: empty), copied.  The cells are shown
 * as they are: text from a capture must be escaped for a terminal by the
 * caller first (sipflow_escape_text).  Writes the header and the rows held when this row makes
 * 500, this row alone after that. */
SIPFLOW_API void sipflow_table_add(sipflow_table *t, const char *const *cells);
/* Writes what is still held (the header too, even with no row) and frees
 * t.  NULL ok. */
SIPFLOW_API void sipflow_table_finish(sipflow_table *t);

/* ------------------------------------------------ call table (text) */

/* The text table of `sipflow calls` / `sipflow failed`, so that every
 * front end (CLI, Wireshark plugin) prints the same bytes: a line "start
 * times are UTC, DATE...", a header, one row per call (escaped for a
 * terminal; Call-IDs shortened in the middle), then with the summary
 * "N calls, M failed" and "legs of the same call (B2BUA): 1 ↔ 2" when any. */
typedef struct sipflow_table_options {
  unsigned width;  /* columns the rows are fitted to; 0 = 120 */
  int failed_only; /* the `failed` layout: the failure sentence last, whole */
} sipflow_table_options;
typedef struct sipflow_calls_table sipflow_calls_table;
typedef struct sipflow_table_row sipflow_table_row;

/* A table written through write(text, len, user) as rows come (the first
 * 500 are held to size the columns).  NULL when write is NULL. */
SIPFLOW_API sipflow_calls_table *sipflow_calls_table_new(const sipflow_table_options *opt,
                                                         sipflow_write_fn write, void *user);
/* The cells of one call, copied (call may go away); add it later, in the
 * order the rows are to be shown, or free it, in either case before
 * sipflow_calls_table_finish(t): the row's memory is t's (a pool, so that
 * a million rows cost no malloc each). */
SIPFLOW_API sipflow_table_row *sipflow_calls_table_row(sipflow_calls_table *t,
                                                       const sipflow_call_info *call);
SIPFLOW_API void sipflow_table_row_free(sipflow_table_row *row);
/* Takes row. */
SIPFLOW_API void sipflow_calls_table_add(sipflow_calls_table *t, sipflow_table_row *row);
/* The row of call added now: what sipflow_calls_table_add(t,
 * sipflow_calls_table_row(t, call)) does, without the copy a row held
 * for later needs.  NULL t or call: nothing. */
SIPFLOW_API void sipflow_calls_table_add_call(sipflow_calls_table *t,
                                              const sipflow_call_info *call);
/* Writes the rows still held, the summary lines when summary is non-zero,
 * and frees t. */
SIPFLOW_API void sipflow_calls_table_finish(sipflow_calls_table *t, int summary);
/* The whole table (summary included) of n calls in that order (NULL
 * entries skipped) into *out, NUL-terminated, *out_len bytes (out_len may
 * be NULL); free with sipflow_buffer_free().  SIPFLOW_ERR_INVALID when out
 * is NULL. */
SIPFLOW_API int sipflow_render_calls_table(const sipflow_call_info *const *calls, size_t n,
                                           const sipflow_table_options *opt, char **out,
                                           size_t *out_len);

/* Frees a buffer returned by the library (sipflow_ladder_render,
 * sipflow_render_calls_table, sipflow_render_stats, sipflow_report_render).
 * NULL ok. */
SIPFLOW_API void sipflow_buffer_free(void *buffer);

/* ------------------------------------------------------ ladder document */

/* A ladder document (render stage): the diagram(s) of a capture as
 * `sipflow ladder` writes them, laid out here so that every front end (CLI,
 * Wireshark plugin) writes the same bytes.  Feed it every message (from
 * on_message) and every finalised call (from on_call_end); it copies what
 * it keeps, so both may go away right after.
 *  - text / ascii, no call chosen: every call on its own, each after a
 *    heading: a rule "━━ call 3: busy, 486 Busy Here ━━━…" ("== … ===" in
 *    ascii) across the width, then, for a failed call, "failed: <failure
 *    sentence>" wrapped below it, indented by 3; a blank line between
 *    calls.  A call is written (from sipflow_ladder_doc_add_call) as soon
 *    as it and every call numbered before it are finalised, so calls come
 *    out in call number order.  A call still open (a REGISTER call waits
 *    for its refresh) would hold back every later one, so at most 1000
 *    finalised calls wait: then the lowest is written, and the open one
 *    when it ends.  Memory follows the calls in flight, not the capture.
 *    Messages of a call never finalised come last, under "call N" (by
 *    number).  No call at all: the line "no SIP messages".
 *  - calls chosen (options.calls), or svg, html, mermaid, json: ONE
 *    diagram of the chosen calls (of every call), written by
 *    sipflow_ladder_doc_finish(); in text / ascii after the headings of the
 *    chosen calls, in the order they were finalised.
 * Diagrams are sipflow_ladder_render()'s.  In a heading, capture text is
 * escaped for a terminal as by sipflow_escape_text(); in ascii every byte
 * >= 0x80 becomes "\xNN" too. */
typedef struct sipflow_ladder_doc sipflow_ladder_doc;

typedef struct sipflow_ladder_doc_options {
  sipflow_ladder_format format;  /* 0 = text */
  sipflow_render_options render; /* as for sipflow_ladder_render (title
                                    copied); width also sets the rules */
  sipflow_ladder_options ladder; /* lanes */
  const char *const *calls;      /* the calls to draw, each a call number
                                    as sipflow_message.call ("17") or a
                                    Call-ID; copied.  NULL: every call */
  size_t n_calls;
  int no_empty_note;             /* 1: nothing instead of "no SIP
                                    messages" (e.g. a file stays empty) */
} sipflow_ladder_doc_options;

/* A document written through write(text, len, user) (text not
 * NUL-terminated; never called with len 0).  options NULL = defaults (text,
 * every call).  Returns NULL when write is NULL or the format unknown.
 * End it with sipflow_ladder_doc_finish() or sipflow_ladder_doc_free(). */
SIPFLOW_API sipflow_ladder_doc *sipflow_ladder_doc_new(const sipflow_ladder_doc_options *options,
                                                       sipflow_write_fn write, void *user);
/* Adds a message to its call's diagram when the call is drawn (html and
 * json keep its text, the other formats only the parsed fields they
 * draw).  Returns SIPFLOW_OK or SIPFLOW_ERR_INVALID (NULL argument). */
SIPFLOW_API int sipflow_ladder_doc_add_message(sipflow_ladder_doc *doc,
                                               const sipflow_message *msg);
/* A call was finalised: its heading is made; may write (see above).
 * Returns SIPFLOW_OK or SIPFLOW_ERR_INVALID (NULL argument). */
SIPFLOW_API int sipflow_ladder_doc_add_call(sipflow_ladder_doc *doc,
                                            const sipflow_call_info *call);
/* Whether options.calls[index] has matched a message so far: NULL when it
 * has (or index is out of range, or doc is NULL), else the sentence to show
 * the user, "no call '<the call, escaped as in a heading>' in the capture
 * (give a call number as 'sipflow calls' shows it, or a Call-ID)", a
 * NUL-terminated buffer owned by the caller: free it with
 * sipflow_buffer_free(). */
SIPFLOW_API char *sipflow_ladder_doc_call_missing(const sipflow_ladder_doc *doc, size_t index);
/* Writes the rest (the calls held back, then those never finalised; or the
 * one diagram) and frees doc.  complete: 1 when the whole input was read;
 * 0 when an error cut it short (the caller reports it): what was read is
 * still written, but an empty document writes nothing at all (neither "no
 * SIP messages" nor an empty diagram).  NULL doc is ok. */
SIPFLOW_API void sipflow_ladder_doc_finish(sipflow_ladder_doc *doc, int complete);
/* Frees doc without writing anything more (e.g. a chosen call is not in
 * the capture).  NULL is ok. */
SIPFLOW_API void sipflow_ladder_doc_free(sipflow_ladder_doc *doc);

/* --------------------------------------------------------------- report */

/* A report (render stage): ONE self-contained HTML page about a whole
 * capture, as `sipflow report` writes it: summary KPIs, a call table
 * (sortable; filterable by state, From/To/Call-ID text and start time;
 * paginated), failed calls highlighted with their failure sentence, each
 * call's ladder and messages one click away, a chart of calls per outcome
 * and one of the PDD distribution.  The page embeds its data as JSON and
 * draws tables, charts and ladders with its inline script, lazily (one
 * page of rows, one ladder at a time), so that 10 000 calls stay usable; it
 * fetches nothing (a Content-Security-Policy forbids it).
 *
 * Feed it every message (sipflow_report_add_message, from on_message) and
 * every finalised call (sipflow_report_add_call, from on_call_end); both
 * are copied, so the report outlives the context.  Memory grows with the
 * messages fed (their full text is in the page). */
typedef struct sipflow_report sipflow_report;

/* Creates an empty report.  Never NULL.  Free with sipflow_report_free(). */
SIPFLOW_API sipflow_report *sipflow_report_new(void);
/* NULL is ok. */
SIPFLOW_API void sipflow_report_free(sipflow_report *report);
/* Returns SIPFLOW_OK or SIPFLOW_ERR_INVALID (NULL argument). */
SIPFLOW_API int sipflow_report_add_message(sipflow_report *report, const sipflow_message *msg);
/* Adds (or replaces, same call number) the row of a call.  Calls that had
 * messages but were never added get a row with state "unknown".  Returns
 * SIPFLOW_OK or SIPFLOW_ERR_INVALID (NULL argument). */
SIPFLOW_API int sipflow_report_add_call(sipflow_report *report, const sipflow_call_info *call);

typedef struct sipflow_report_options {
  const char *title;  /* NULL = "SIP capture report" */
  const char *source; /* what was read, e.g. the file names, shown under
                         the title; NULL = nothing */
} sipflow_report_options;

/* Renders the page.  stats (from sipflow_get_stats after sipflow_finish)
 * fills the KPIs; NULL leaves them out.  options may be NULL.  On
 * SIPFLOW_OK *out is a NUL-terminated buffer of *out_len bytes (out_len
 * may be NULL) to free with sipflow_buffer_free().  Everything from the
 * capture is escaped as sipflow_ladder_render() does for html and json; the
 * page is also well-formed XML.  Element ids and classes for browser tests:
 * "#kpis", "#chart-outcome", "#chart-pdd", "#calls-table" whose tbody rows
 * are "tr[data-call=N]" (class "failed" for a failed call), headers
 * "th[data-sort=KEY]", "select#filter-state" (values: "" all, "any-failure",
 * state names), "input#filter-text", "input#filter-after",
 * "input#filter-before" (datetime-local, UTC), "#row-count", "#pager";
 * a row click opens "#call-detail" with "#call-failure", "#detail-ladder"
 * (an svg of "g.arrow[data-index=K]", K = 0-based message of the call),
 * "#call-messages" and "#message-pane" ("pre#message-text").
 * Returns SIPFLOW_OK or SIPFLOW_ERR_INVALID (NULL report or out). */
SIPFLOW_API int sipflow_report_render(const sipflow_report *report, const sipflow_stats *stats,
                                      const sipflow_report_options *options, char **out,
                                      size_t *out_len);

/* -------------------------------------------------------------- context */

typedef struct sipflow_ctx sipflow_ctx;

/* Every callback may be NULL.  `user` is the pointer given to sipflow_new. */
typedef struct sipflow_callbacks {
  /* A SIP message was rebuilt and parsed. */
  void (*on_message)(const sipflow_message *msg, void *user);
  /* Something in the input was malformed or dropped; analysis goes on. */
  void (*on_diag)(const sipflow_diag *diag, void *user);
  /* A call was finalised (see "transactions, dialogs, calls").  call and
   * everything it points to are valid during the callback only (unless
   * keep_calls is set); then the call's memory is released. */
  void (*on_call_end)(const sipflow_call_info *call, void *user);
} sipflow_callbacks;

/* Limits; 0 in a field means "default".  Documented in README.md. */
typedef struct sipflow_limits {
  size_t max_message_size;      /* default 65535 * 4 */
  size_t max_tcp_buffer;        /* per direction, default 1 MiB */
  size_t max_tcp_streams;       /* default 65536 */
  size_t max_fragment_bytes;    /* all pending IP fragments, default 64 MiB */
  int64_t fragment_timeout_us;  /* capture time, default 30 s */
  int64_t tcp_idle_timeout_us;  /* capture time, default 300 s */
  size_t max_open_calls;        /* calls not yet finalised, default 262144; at
                                   the limit the least recently active call
                                   is finalised early (SIPFLOW_DIAG_CALL_LIMIT) */
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

/* Length of the SIP message at the start of data when it came over a stream
 * transport (TCP, TLS): the header block plus Content-Length, which is
 * mandatory there (RFC 3261 §18.3).  For a caller whose buffer may run past
 * the end of the message, such as the Wireshark plugin (a dissector item can
 * extend to the end of its segment), before sipflow_feed_sip().  Returns the
 * length (> 0, <= len), SIPFLOW_ERR_INCOMPLETE when data holds less than the
 * whole message, SIPFLOW_ERR_MALFORMED when Content-Length is missing or not
 * a number (the packet path drops such a message too), SIPFLOW_ERR_INVALID
 * when data is NULL. */
SIPFLOW_API long sipflow_stream_message_length(const char *data, size_t len);

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

/* Reads one capture (pcap or pcapng) from an open stream, e.g. a buffer in
 * memory through fmemopen() (what the fuzz targets do), like
 * sipflow_read_files() with one file: same filter, frame numbering, return
 * codes, and sipflow_finish() at the end.  `name` (NULL = "stream") is the
 * file name used in error messages.  The library takes fp over: it is
 * closed before the call returns, whatever the result (fp NULL gives
 * SIPFLOW_ERR_INVALID). */
SIPFLOW_API int sipflow_read_fp(sipflow_ctx *ctx, FILE *fp, const char *name,
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
