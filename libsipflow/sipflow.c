/*
 * The context: owns every stage and wires each one's output to the next.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sf_ctx.h"

const char *sipflow_strerror(int code)
{
  switch (code) {
  case SIPFLOW_OK: return "success";
  case SIPFLOW_ERR_INVALID: return "invalid argument";
  case SIPFLOW_ERR_IO: return "cannot read file";
  case SIPFLOW_ERR_FORMAT: return "not a capture file";
  case SIPFLOW_ERR_TRUNCATED: return "capture file truncated";
  case SIPFLOW_ERR_LINKTYPE: return "unsupported link type";
  case SIPFLOW_ERR_MALFORMED: return "malformed input";
  case SIPFLOW_ERR_INCOMPLETE: return "incomplete input";
  }
  return "unknown error";
}

const char *sipflow_transport_name(sipflow_transport t)
{
  static const char *const names[] = {"udp", "tcp", "sctp", "tls", "ws", "wss"};
  return (unsigned)t < G_N_ELEMENTS(names) ? names[t] : "unknown";
}

/* v (an address byte or a port: below 100000) in decimal at p, written
 * from its last digit back, its length known first; returns the digits
 * written. */
static size_t put_decimal(char *p, unsigned v)
{
  size_t n = v >= 1000 ? (v >= 10000 ? 5 : 4) : v >= 100 ? 3 : v >= 10 ? 2 : 1;
  for (size_t i = n; i-- > 0; v /= 10)
    p[i] = (char)('0' + v % 10);
  return n;
}

char *sipflow_endpoint_format(const sipflow_endpoint *ep, char *buf, size_t buflen)
{
  /* IPv4 by hand: inet_ntop + snprintf cost more than the rest of a line
   * of `messages --json`, printed for every message. */
  if (ep->family == 4) {
    char t[24];
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
      if (i)
        t[n++] = '.';
      n += put_decimal(t + n, ep->addr[i]);
    }
    t[n++] = ':';
    n += put_decimal(t + n, ep->port);
    if (buflen) { /* truncated and terminated like snprintf */
      size_t k = MIN(n, buflen - 1);
      memcpy(buf, t, k);
      buf[k] = '\0';
    }
    return buf;
  }

  char ip[INET6_ADDRSTRLEN] = "?";
  if (ep->family == 6)
    inet_ntop(AF_INET6, ep->addr, ip, sizeof ip);
  snprintf(buf, buflen, ep->family == 6 ? "[%s]:%u" : "%s:%u", ip, ep->port);
  return buf;
}

void sf_ctx_set_error(sipflow_ctx *ctx, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
  va_end(ap);
}

const char *sipflow_errmsg(const sipflow_ctx *ctx)
{
  return ctx ? ctx->errmsg : "";
}

/* ---------------------------------------------------------- parse stage */

int sipflow_message_header(const sipflow_message *msg, const char *name,
                           unsigned index, sipflow_span *value)
{
  const sf_message_internal *in = msg ? msg->internal_ : NULL;
  if (!in || !name || !value)
    return 0;
  return sf_parse_find_header(in->headers, in->n_headers, name, index, value);
}

/* Parses a framed chunk and delivers it, or reports why it is not a SIP
 * message.  Shared by the packet path and sipflow_feed_sip(). */
static int deliver_chunk(sipflow_ctx *ctx, const sf_sip_chunk *chunk)
{
  sipflow_message msg;
  sf_message_internal in;
  const char *why = NULL;
  size_t n_headers = SF_PARSE_MAX_HEADERS;
  bool stream = chunk->transport != SIPFLOW_TRANSPORT_UDP;

  if (sf_parse_message(chunk->data, chunk->len, stream, &chunk->start, &msg, ctx->headers,
                       &n_headers, &in.marks, &why) != SIPFLOW_OK) {
    sf_diag_emit(&ctx->diag, chunk->frame, SIPFLOW_DIAG_SIP_MALFORMED,
                 "frame %" PRIu64 ": malformed SIP message: %s", chunk->frame,
                 why ? why : "unparsable");
    return SIPFLOW_ERR_MALFORMED;
  }
  /* RFC 3261 §8.1.1: Call-ID and CSeq are mandatory; without them nothing can
   * be grouped, so the message is reported rather than counted. */
  if (!msg.call_id.ptr || !msg.cseq_method.ptr) {
    sf_diag_emit(&ctx->diag, chunk->frame, SIPFLOW_DIAG_SIP_MISSING_HEADER,
                 "frame %" PRIu64 ": SIP %s without %s header, skipped", chunk->frame,
                 msg.is_request ? "request" : "response",
                 !msg.call_id.ptr ? "Call-ID" : "CSeq");
    return SIPFLOW_ERR_MALFORMED;
  }
  msg.frame = chunk->frame;
  msg.time_us = chunk->time_us;
  msg.src = *chunk->src;
  msg.dst = *chunk->dst;
  msg.transport = chunk->transport;
  in.headers = ctx->headers;
  in.n_headers = n_headers;
  msg.internal_ = &in;
  ctx->counters.messages++;
  sf_ctx_correlate(ctx, &msg);
  if (ctx->cb.on_message)
    ctx->cb.on_message(&msg, ctx->user);
  return SIPFLOW_OK;
}

static void on_stream_chunk(void *user, const sf_sip_chunk *chunk)
{
  deliver_chunk(user, chunk);
}

static void on_l4(void *user, const sf_l4 *l4)
{
  sipflow_ctx *ctx = user;

  switch (l4->ipproto) {
  case SF_IPPROTO_UDP:
    sf_stream_datagram(ctx->stream, l4);
    break;
  case SF_IPPROTO_TCP:
    sf_stream_tcp(ctx->stream, l4);
    break;
  default:
    break; /* SCTP: not yet (README) */
  }
}

static void on_diag(const sipflow_diag *diag, void *user)
{
  sipflow_ctx *ctx = user;
  ctx->counters.diagnostics++;
  if (ctx->cb.on_diag)
    ctx->cb.on_diag(diag, ctx->user);
}

/* ---------------------------------------------------------- public feed */

sipflow_ctx *sipflow_new(const sipflow_callbacks *callbacks, void *user,
                         const sipflow_limits *limits)
{
  sipflow_ctx *ctx = g_new0(sipflow_ctx, 1);

  if (callbacks)
    ctx->cb = *callbacks;
  ctx->user = user;
  if (limits)
    ctx->limits = *limits;
  ctx->diag.fn = on_diag;
  ctx->diag.user = ctx;
  ctx->decode = sf_decode_new(&ctx->limits, on_l4, &ctx->diag, ctx);
  sf_decode_set_udp_filter(ctx->decode, sf_stream_datagram_first_byte);
  ctx->stream = sf_stream_new(&ctx->limits, on_stream_chunk, &ctx->diag, ctx);
  ctx->headers = g_new(sf_header, SF_PARSE_MAX_HEADERS);
  sf_ctx_correlate_init(ctx);
  return ctx;
}

void sipflow_free(sipflow_ctx *ctx)
{
  if (!ctx)
    return;
  sf_ctx_correlate_free(ctx);
  sf_stream_free(ctx->stream);
  sf_decode_free(ctx->decode);
  g_free(ctx->headers);
  g_free(ctx);
}

void sf_ctx_after_packet(sipflow_ctx *ctx, int rc, int linktype, int64_t time_us)
{
  if (rc == SIPFLOW_ERR_LINKTYPE)
    sf_ctx_set_error(ctx, "link type %d is not supported", linktype);
  if (ctx->counters.packets % SF_EXPIRE_EVERY == 0) {
    sf_decode_expire(ctx->decode, time_us);
    sf_stream_expire(ctx->stream, time_us);
  }
}

int sipflow_feed_packet(sipflow_ctx *ctx, int linktype, uint64_t frame, int64_t time_us,
                        const uint8_t *data, size_t caplen, size_t wirelen)
{
  if (!ctx || (!data && caplen))
    return SIPFLOW_ERR_INVALID;
  ctx->last_time_us = time_us;
  return sf_ctx_feed_packet(ctx, linktype, frame, time_us, data, caplen, wirelen);
}

int sipflow_feed_sip(sipflow_ctx *ctx, const char *data, size_t len, uint64_t frame,
                     int64_t time_us, const sipflow_endpoint *src,
                     const sipflow_endpoint *dst, sipflow_transport transport)
{
  if (!ctx || !data || !src || !dst)
    return SIPFLOW_ERR_INVALID;
  sf_sip_chunk chunk = {.data = data, .len = len, .frame = frame, .time_us = time_us,
                        .src = src, .dst = dst, .transport = transport};
  ctx->last_time_us = time_us;
  return deliver_chunk(ctx, &chunk);
}

long sipflow_stream_message_length(const char *data, size_t len)
{
  if (!data)
    return SIPFLOW_ERR_INVALID;
  return sf_framer_message_length(data, len, NULL);
}

void sipflow_finish(sipflow_ctx *ctx)
{
  if (!ctx || ctx->finished)
    return;
  ctx->finished = true;
  sf_stream_finish(ctx->stream);
  sf_decode_expire(ctx->decode, INT64_MAX);
  sf_ctx_correlate_finish(ctx);
}

void sipflow_set_progress(sipflow_ctx *ctx, sipflow_progress_fn fn)
{
  if (ctx)
    ctx->progress = fn;
}

uint64_t sipflow_diag_count(const sipflow_ctx *ctx, sipflow_diag_code code)
{
  if (!ctx || (unsigned)code >= G_N_ELEMENTS(ctx->diag.by_code))
    return 0;
  return ctx->diag.by_code[code];
}

void sipflow_get_counters(const sipflow_ctx *ctx, sipflow_counters *out)
{
  *out = ctx->counters;
  out->fragments_reassembled = sf_decode_fragments_reassembled(ctx->decode);
  out->tcp_segments = sf_stream_segments(ctx->stream);
}
