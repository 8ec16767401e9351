/*
 * sdp — zero-copy SDP parser (RFC 4566 / RFC 8866), the parts a call ladder
 * needs: origin, connection addresses, media lines, codecs and direction.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Stateless and allocation-free like the SIP parser: spans point into the
 * body, except the names of static RTP payload types without a=rtpmap, which
 * point to string literals (RFC 3551 table below).  No byte at or after
 * body + len is read.
 */
#include <string.h>

#include "sf_ctx.h"

/* RFC 3551 §6, tables 4 and 5: static payload types (names as registered by
 * IANA, which is what a=rtpmap would say). */
typedef struct static_pt {
  const char *name;
  uint32_t clock_rate;
} static_pt;

static const static_pt static_pts[35] = {
    [0] = {"PCMU", 8000},   [3] = {"GSM", 8000},     [4] = {"G723", 8000},
    [5] = {"DVI4", 8000},   [6] = {"DVI4", 16000},   [7] = {"LPC", 8000},
    [8] = {"PCMA", 8000},   [9] = {"G722", 8000},    [10] = {"L16", 44100},
    [11] = {"L16", 44100},  [12] = {"QCELP", 8000},  [13] = {"CN", 8000},
    [14] = {"MPA", 90000},  [15] = {"G728", 8000},   [16] = {"DVI4", 11025},
    [17] = {"DVI4", 22050}, [18] = {"G729", 8000},   [25] = {"CelB", 90000},
    [26] = {"JPEG", 90000}, [28] = {"nv", 90000},    [31] = {"H261", 90000},
    [32] = {"MPV", 90000},  [33] = {"MP2T", 90000},  [34] = {"H263", 90000},
};

typedef struct sdp_state {
  sipflow_sdp *out;
  sipflow_sdp_media *media; /* current media section; NULL at session level
                               or when the section is over the limit */
  bool in_media;            /* a m= line was seen */
  bool media_dir_set[SIPFLOW_SDP_MAX_MEDIA];
  bool session_dir_set;
} sdp_state;

static bool is_space(char c)
{
  return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static const char *skip_spaces(const char *p, const char *end)
{
  while (p < end && is_space(*p))
    p++;
  return p;
}

/* Returns the end of the word at p (up to a space or the end). */
static const char *word_end(const char *p, const char *end)
{
  while (p < end && !is_space(*p))
    p++;
  return p;
}

static bool span_eq(const char *p, size_t n, const char *lit)
{
  return strlen(lit) == n && memcmp(p, lit, n) == 0;
}

/* Reads decimal digits at *pp into *out (saturating at max); false when
 * there is no digit. */
static bool read_uint(const char **pp, const char *end, unsigned long max,
                      unsigned long *out)
{
  const char *p = *pp;
  unsigned long v = 0;
  if (p == end || !is_digit(*p))
    return false;
  for (; p < end && is_digit(*p); p++) {
    unsigned long d = (unsigned long)(*p - '0');
    v = v > (max - d) / 10 ? max : v * 10 + d;
  }
  *pp = p;
  *out = v;
  return true;
}

/* c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7); the address
 * loses its "/ttl[/number]" suffix. */
static sipflow_span parse_connection(const char *p, const char *end)
{
  for (int field = 0; field < 2; field++) {
    p = word_end(skip_spaces(p, end), end);
    if (p == end)
      return (sipflow_span){NULL, 0};
  }
  const char *addr = skip_spaces(p, end);
  p = addr;
  while (p < end && *p != '/' && !is_space(*p))
    p++;
  if (p == addr)
    return (sipflow_span){NULL, 0};
  return (sipflow_span){addr, (size_t)(p - addr)};
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14).
 * Numeric formats become codecs by payload type; a non-numeric format (T.38
 * "t38" over udptl) becomes a codec with payload_type -1 and that name. */
static void parse_media(const char *p, const char *end, sipflow_sdp_media *m)
{
  const char *type = skip_spaces(p, end);
  p = word_end(type, end);
  m->type = (sipflow_span){type, (size_t)(p - type)};

  p = skip_spaces(p, end);
  unsigned long port = 0;
  if (read_uint(&p, end, 65535, &port))
    m->port = (uint16_t)port;
  p = word_end(p, end); /* "/<number of ports>" */

  const char *proto = skip_spaces(p, end);
  p = word_end(proto, end);
  if (p > proto)
    m->proto = (sipflow_span){proto, (size_t)(p - proto)};

  for (;;) {
    const char *fmt = skip_spaces(p, end);
    p = word_end(fmt, end);
    if (p == fmt)
      break;
    if (m->n_codecs == SIPFLOW_SDP_MAX_CODECS)
      continue; /* over the limit: ignored */
    sipflow_sdp_codec *c = &m->codecs[m->n_codecs++];
    const char *q = fmt;
    unsigned long pt;
    if (read_uint(&q, p, 0x7fffffffUL, &pt) && q == p) {
      c->payload_type = (int)pt;
    } else {
      c->payload_type = -1;
      c->name = (sipflow_span){fmt, (size_t)(p - fmt)};
    }
  }
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<parameters>]
 * (RFC 8866 §6.6), applied to the matching codec of the current media. */
static void parse_rtpmap(const char *p, const char *end, sipflow_sdp_media *m)
{
  unsigned long pt;
  if (!read_uint(&p, end, 0x7fffffffUL, &pt) || p == end || !is_space(*p))
    return;
  const char *name = skip_spaces(p, end);
  p = name;
  while (p < end && *p != '/' && !is_space(*p))
    p++;
  const char *name_end = p;
  if (p == name)
    return;
  unsigned long rate = 0;
  if (p < end && *p == '/') {
    p++;
    read_uint(&p, end, UINT32_MAX, &rate);
  }
  for (unsigned i = 0; i < m->n_codecs; i++) {
    sipflow_sdp_codec *c = &m->codecs[i];
    if (c->payload_type == (int)pt) {
      c->name = (sipflow_span){name, (size_t)(name_end - name)};
      c->clock_rate = (uint32_t)rate;
      return;
    }
  }
}

/* RFC 8866 §6.7: the direction attributes, at session or media level. */
static bool parse_direction(const char *p, size_t n, sipflow_sdp_direction *dir)
{
  if (span_eq(p, n, "sendrecv"))
    *dir = SIPFLOW_SDP_SENDRECV;
  else if (span_eq(p, n, "sendonly"))
    *dir = SIPFLOW_SDP_SENDONLY;
  else if (span_eq(p, n, "recvonly"))
    *dir = SIPFLOW_SDP_RECVONLY;
  else if (span_eq(p, n, "inactive"))
    *dir = SIPFLOW_SDP_INACTIVE;
  else
    return false;
  return true;
}

static void parse_attribute(sdp_state *st, const char *p, const char *end)
{
  const char *colon = memchr(p, ':', (size_t)(end - p));
  const char *name_end = colon ? colon : end;
  size_t n = (size_t)(name_end - p);
  sipflow_sdp_direction dir;

  /* Direction attributes are property attributes: no ":value" (§6.7). */
  if (!colon && parse_direction(p, n, &dir)) {
    if (!st->in_media) {
      st->out->direction = dir;
      st->session_dir_set = true;
    } else if (st->media) {
      st->media->direction = dir;
      st->media_dir_set[st->media - st->out->media] = true;
    }
  } else if (colon && st->media && span_eq(p, n, "rtpmap")) {
    parse_rtpmap(colon + 1, end, st->media);
  }
}

static void parse_line(sdp_state *st, char type, const char *p, const char *end)
{
  sipflow_sdp *out = st->out;

  switch (type) {
  case 'o':
    if (!out->origin.ptr)
      out->origin = (sipflow_span){p, (size_t)(end - p)};
    break;
  case 'c':
    if (!st->in_media)
      out->connection = parse_connection(p, end);
    else if (st->media)
      st->media->connection = parse_connection(p, end);
    break;
  case 'm':
    st->in_media = true;
    st->media = NULL;
    if (out->n_media < SIPFLOW_SDP_MAX_MEDIA) {
      st->media = &out->media[out->n_media++];
      parse_media(p, end, st->media);
    }
    break;
  case 'a':
    parse_attribute(st, p, end);
    break;
  default:
    break;
  }
}

/* RTP/AVP, RTP/SAVP, RTP/AVPF, UDP/TLS/RTP/SAVPF ...: payload type numbers
 * only mean RFC 3551 codecs over RTP. */
static bool is_rtp_proto(sipflow_span proto)
{
  for (size_t i = 0; proto.ptr && i + 3 <= proto.len; i++)
    if (memcmp(proto.ptr + i, "RTP", 3) == 0)
      return true;
  return false;
}

/* Media sections inherit the session-level connection and direction when
 * they have none of their own (RFC 8866 §5.7, §6.7); static payload types
 * without a=rtpmap take their RFC 3551 names. */
static void finish_media(sdp_state *st)
{
  sipflow_sdp *out = st->out;

  for (unsigned i = 0; i < out->n_media; i++) {
    sipflow_sdp_media *m = &out->media[i];
    if (!m->connection.ptr)
      m->connection = out->connection;
    if (!st->media_dir_set[i])
      m->direction = out->direction;
    bool rtp = is_rtp_proto(m->proto);
    for (unsigned k = 0; rtp && k < m->n_codecs; k++) {
      sipflow_sdp_codec *c = &m->codecs[k];
      if (c->name.ptr || c->payload_type < 0 ||
          c->payload_type >= (int)G_N_ELEMENTS(static_pts) ||
          !static_pts[c->payload_type].name)
        continue;
      const static_pt *s = &static_pts[c->payload_type];
      c->name = (sipflow_span){s->name, strlen(s->name)};
      c->clock_rate = s->clock_rate;
    }
  }
}

int sipflow_sdp_parse(const char *body, size_t len, sipflow_sdp *out)
{
  if (!out)
    return SIPFLOW_ERR_INVALID;
  memset(out, 0, sizeof *out);
  if (!body)
    return SIPFLOW_ERR_MALFORMED;

  sdp_state st = {.out = out};
  const char *end = body + len;
  bool seen_version = false;

  for (const char *p = body; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *line = p;
    const char *e = nl ? nl : end;
    p = nl ? nl + 1 : end;
    if (e > line && e[-1] == '\r')
      e--;
    if (e == line)
      continue; /* empty line */
    /* RFC 8866 §5: every line is <type>=<value>; the first is v=. */
    bool typed = e - line >= 2 && line[1] == '=';
    if (!seen_version) {
      if (!typed || line[0] != 'v')
        return SIPFLOW_ERR_MALFORMED;
      seen_version = true;
      continue;
    }
    if (typed)
      parse_line(&st, line[0], line + 2, e);
  }
  if (!seen_version)
    return SIPFLOW_ERR_MALFORMED;
  finish_media(&st);
  return SIPFLOW_OK;
}
