/*
 * ladder — the render stage's model: lanes (endpoints), calls and arrows
 * (messages), independent of any output format; views over it; the
 * escaping every renderer relies on; sipflow_ladder_render() dispatch.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Ownership: sipflow_ladder_add() copies every byte it keeps into the
 * ladder's GStringChunk, so the model never points into a message.
 */
#include <stdio.h>
#include <time.h>

#include "render.h"

/* ------------------------------------------------------------ lifecycle */

sipflow_ladder *sipflow_ladder_new(const sipflow_ladder_options *options)
{
  sipflow_ladder *l = g_new0(sipflow_ladder, 1);

  if (options)
    l->opt = *options;
  l->strings = g_string_chunk_new(4096);
  l->lanes = g_array_new(FALSE, TRUE, sizeof(sipflow_ladder_lane));
  l->calls = g_array_new(FALSE, TRUE, sizeof(sipflow_ladder_call));
  l->arrows = g_array_new(FALSE, TRUE, sizeof(sipflow_ladder_arrow));
  /* Keys live in `strings`: the tables never free them. */
  l->lane_by_addr = g_hash_table_new(g_str_hash, g_str_equal);
  l->call_by_key = g_hash_table_new(g_str_hash, g_str_equal);
  l->agent_origin = g_hash_table_new(g_str_hash, g_str_equal);
  return l;
}

void sipflow_ladder_free(sipflow_ladder *l)
{
  if (!l)
    return;
  g_hash_table_destroy(l->agent_origin);
  g_hash_table_destroy(l->call_by_key);
  g_hash_table_destroy(l->lane_by_addr);
  g_array_free(l->arrows, TRUE);
  g_array_free(l->calls, TRUE);
  g_array_free(l->lanes, TRUE);
  g_string_chunk_free(l->strings);
  g_free(l);
}

void sipflow_buffer_free(void *buffer)
{
  g_free(buffer);
}

/* -------------------------------------------------------------- copying */

/* Copies len bytes into the ladder, NUL bytes spelled "\x00" so that the
 * result is a C string that still shows them. */
static const char *keep_bytes(sipflow_ladder *l, const char *p, size_t len)
{
  if (!memchr(p, '\0', len))
    return g_string_chunk_insert_len(l->strings, p, (gssize)len);
  GString *g = g_string_sized_new(len + 8);
  for (size_t i = 0; i < len; i++) {
    if (p[i])
      g_string_append_c(g, p[i]);
    else
      g_string_append(g, "\\x00");
  }
  const char *kept = g_string_chunk_insert_len(l->strings, g->str, (gssize)g->len);
  g_string_free(g, TRUE);
  return kept;
}

static const char *keep_span(sipflow_ladder *l, sipflow_span s)
{
  return s.ptr ? keep_bytes(l, s.ptr, s.len) : NULL;
}

static sipflow_span trim_span(sipflow_span s)
{
  while (s.len && g_ascii_isspace(s.ptr[0])) {
    s.ptr++;
    s.len--;
  }
  while (s.len && g_ascii_isspace(s.ptr[s.len - 1]))
    s.len--;
  return s;
}

/* --------------------------------------------------------------- lanes */

/* "10.0.0.1:5060" or, merged by IP, "10.0.0.1" / "2001:db8::1". */
static void lane_address(const sipflow_ladder *l, const sipflow_endpoint *ep, char *buf,
                         size_t size)
{
  sipflow_endpoint_format(ep, buf, size);
  if (!l->opt.merge_by_ip)
    return;
  char *colon = strrchr(buf, ':');
  if (colon)
    *colon = '\0';
  if (buf[0] == '[') {
    size_t n = strlen(buf);
    if (n >= 2 && buf[n - 1] == ']')
      buf[n - 1] = '\0';
    memmove(buf, buf + 1, strlen(buf + 1) + 1);
  }
}

static unsigned lane_for(sipflow_ladder *l, const sipflow_endpoint *ep)
{
  char addr[SIPFLOW_ENDPOINT_STRLEN];

  lane_address(l, ep, addr, sizeof addr);
  gpointer found = g_hash_table_lookup(l->lane_by_addr, addr);
  if (found)
    return GPOINTER_TO_UINT(found) - 1;
  sipflow_ladder_lane lane = {.index = l->lanes->len, .endpoint = *ep};
  lane.address = g_string_chunk_insert(l->strings, addr);
  g_array_append_val(l->lanes, lane);
  g_hash_table_insert(l->lane_by_addr, (gpointer)lane.address,
                      GUINT_TO_POINTER(lane.index + 1));
  return lane.index;
}

/* The product a lane runs.  A proxy relays its peers' User-Agent and Server
 * headers unchanged (RFC 3261 §16.6 copies the request), so a value is
 * credited only to the lane that sent it first, and a request only counts
 * when it carries a single Via (the sender originated it, §8.1.1.7). */
static void note_agent(sipflow_ladder *l, const sipflow_message *m, unsigned lane)
{
  sipflow_span ua = m->user_agent.ptr ? m->user_agent : m->server;

  if (!ua.ptr || (m->is_request && m->via_count > 1))
    return;
  ua = trim_span(ua);
  if (!ua.len)
    return;
  /* Look up with a temporary copy: most messages repeat a known value. */
  char *tmp = g_strndup(ua.ptr, ua.len);
  bool known = strlen(tmp) == ua.len && g_hash_table_contains(l->agent_origin, tmp);
  g_free(tmp);
  if (known)
    return; /* its first sender got it */
  const char *value = keep_bytes(l, ua.ptr, ua.len);
  if (g_hash_table_contains(l->agent_origin, value))
    return;
  g_hash_table_insert(l->agent_origin, (gpointer)value, GUINT_TO_POINTER(lane + 1));
  sipflow_ladder_lane *ln = &g_array_index(l->lanes, sipflow_ladder_lane, lane);
  if (!ln->agent)
    ln->agent = value;
}

/* --------------------------------------------------------------- calls */

static unsigned call_for(sipflow_ladder *l, const sipflow_message *m, size_t arrow)
{
  char *key = m->call ? g_strdup_printf("#%u", m->call)
                      : g_strdup_printf("=%.*s", (int)m->call_id.len,
                                        m->call_id.ptr ? m->call_id.ptr : "");
  gpointer found = g_hash_table_lookup(l->call_by_key, key);
  unsigned index;

  if (found) {
    index = GPOINTER_TO_UINT(found) - 1;
  } else {
    sipflow_ladder_call c = {.index = l->calls->len, .call = m->call, .first_arrow = arrow};
    c.call_id = m->call_id.ptr ? keep_span(l, m->call_id) : "";
    g_array_append_val(l->calls, c);
    index = c.index;
    g_hash_table_insert(l->call_by_key, g_string_chunk_insert(l->strings, key),
                        GUINT_TO_POINTER(index + 1));
  }
  g_free(key);
  g_array_index(l->calls, sipflow_ladder_call, index).n_arrows++;
  return index;
}

/* --------------------------------------------------------------- labels */

/* The user part of a Request-URI ("bob" of sip:bob@b.example;user=phone,
 * "+15551234" of tel:+15551234;phone-context=x), or its host when it has no
 * user part (REGISTER sip:b.example). */
static sipflow_span uri_short(sipflow_span uri)
{
  const char *p = uri.ptr, *end = uri.ptr + uri.len;
  const char *colon = memchr(p, ':', uri.len);
  const char *at;

  if (colon)
    p = colon + 1;
  at = memchr(p, '@', (size_t)(end - p));
  const char *stop = at ? at : end;
  const char *q = p;
  while (q < stop && *q != ';' && *q != '?' && *q != '>' && !(at && *q == ':'))
    q++;
  return (sipflow_span){p, (size_t)(q - p)};
}

static const char *make_label(sipflow_ladder *l, const sipflow_message *m)
{
  GString *g = g_string_new(NULL);

  if (m->is_request) {
    g_string_append_len(g, m->method.ptr ? m->method.ptr : "?",
                        m->method.ptr ? (gssize)m->method.len : 1);
    sipflow_span user = m->request_uri.ptr ? uri_short(m->request_uri)
                                           : (sipflow_span){NULL, 0};
    if (user.len) {
      g_string_append_c(g, ' ');
      g_string_append_len(g, user.ptr, (gssize)user.len);
    }
  } else {
    g_string_append_printf(g, "%d", m->status);
    if (m->reason.ptr && m->reason.len) {
      g_string_append_c(g, ' ');
      g_string_append_len(g, m->reason.ptr, (gssize)m->reason.len);
    }
  }
  const char *kept = keep_bytes(l, g->str, g->len);
  g_string_free(g, TRUE);
  return kept;
}

/* RFC 3261 §20.15: type/subtype, then parameters after ';'. */
static bool is_sdp_type(sipflow_span ct)
{
  static const char sdp[] = "application/sdp";
  const size_t n = sizeof sdp - 1;

  ct = trim_span(ct);
  if (ct.len < n || g_ascii_strncasecmp(ct.ptr, sdp, n) != 0)
    return false;
  return ct.len == n || ct.ptr[n] == ';' || ct.ptr[n] == ' ' || ct.ptr[n] == '\t';
}

static const char *direction_name(sipflow_sdp_direction d)
{
  switch (d) {
  case SIPFLOW_SDP_SENDONLY: return "sendonly";
  case SIPFLOW_SDP_RECVONLY: return "recvonly";
  case SIPFLOW_SDP_INACTIVE: return "inactive";
  default: return NULL;
  }
}

static bool codec_named_before(const sipflow_sdp_media *md, unsigned c)
{
  const sipflow_span *n = &md->codecs[c].name;
  for (unsigned k = 0; k < c; k++)
    if (md->codecs[k].name.len == n->len && memcmp(md->codecs[k].name.ptr, n->ptr, n->len) == 0)
      return true;
  return false;
}

static void append_media(GString *g, const sipflow_sdp_media *md)
{
  g_string_append_len(g, md->type.ptr ? md->type.ptr : "media",
                      md->type.ptr ? (gssize)md->type.len : 5);
  if (md->port == 0) {
    g_string_append(g, " rejected"); /* RFC 3264 §6: port 0 declines the stream */
    return;
  }
  g_string_append_c(g, ' ');
  bool v6 = md->connection.ptr && memchr(md->connection.ptr, ':', md->connection.len);
  if (v6)
    g_string_append_c(g, '[');
  if (md->connection.ptr)
    g_string_append_len(g, md->connection.ptr, (gssize)md->connection.len);
  g_string_append_printf(g, "%s:%u", v6 ? "]" : "", md->port);
  for (unsigned c = 0; c < md->n_codecs; c++) {
    const sipflow_sdp_codec *k = &md->codecs[c];
    if (k->name.ptr && k->name.len && codec_named_before(md, c))
      continue; /* AMR-WB twice (two modes): the summary names it once */
    g_string_append_c(g, c ? ',' : ' ');
    if (k->name.ptr && k->name.len)
      g_string_append_len(g, k->name.ptr, (gssize)k->name.len);
    else
      g_string_append_printf(g, "%d", k->payload_type);
  }
  const char *dir = direction_name(md->direction);
  if (dir)
    g_string_append_printf(g, " %s", dir);
}

static const char *sdp_summary(sipflow_ladder *l, const sipflow_message *m)
{
  sipflow_sdp sdp;

  if (!m->body.ptr || !m->body.len || !m->content_type.ptr || !is_sdp_type(m->content_type))
    return NULL;
  if (sipflow_sdp_parse(m->body.ptr, m->body.len, &sdp) != SIPFLOW_OK)
    return NULL;
  GString *g = g_string_new(NULL);
  for (unsigned i = 0; i < sdp.n_media; i++) {
    if (i)
      g_string_append(g, " + ");
    append_media(g, &sdp.media[i]);
  }
  if (!sdp.n_media)
    g_string_append(g, "no media");
  const char *kept = keep_bytes(l, g->str, g->len);
  g_string_free(g, TRUE);
  return kept;
}

/* ----------------------------------------------------------------- add */

int sipflow_ladder_add(sipflow_ladder *l, const sipflow_message *m)
{
  if (!l || !m)
    return SIPFLOW_ERR_INVALID;
  sipflow_ladder_arrow a = {.index = l->arrows->len, .call = m->call, .frame = m->frame,
                            .time_us = m->time_us, .src = m->src, .dst = m->dst,
                            .transport = m->transport, .is_request = m->is_request ? 1 : 0,
                            .status = m->is_request ? 0 : m->status, .cseq = m->cseq,
                            .retransmission = m->retransmission ? 1 : 0};
  a.from_lane = lane_for(l, &m->src);
  a.to_lane = lane_for(l, &m->dst);
  a.call_index = call_for(l, m, a.index);
  note_agent(l, m, a.from_lane);
  a.method = keep_span(l, m->is_request ? m->method : m->cseq_method);
  if (m->is_request)
    a.request_uri = keep_span(l, m->request_uri);
  a.label = make_label(l, m);
  a.sdp = sdp_summary(l, m);
  a.text_len = m->raw ? m->raw_len : 0;
  a.text = g_string_chunk_insert_len(l->strings, m->raw ? m->raw : "", (gssize)a.text_len);
  if (a.index > 0) {
    const sipflow_ladder_arrow *first = &g_array_index(l->arrows, sipflow_ladder_arrow, 0);
    const sipflow_ladder_arrow *prev =
        &g_array_index(l->arrows, sipflow_ladder_arrow, a.index - 1);
    a.rel_us = a.time_us - first->time_us;
    a.delta_us = a.time_us - prev->time_us;
  }
  g_array_append_val(l->arrows, a);
  return SIPFLOW_OK;
}

/* -------------------------------------------------------------- queries */

size_t sipflow_ladder_lane_count(const sipflow_ladder *l)
{
  return l ? l->lanes->len : 0;
}

const sipflow_ladder_lane *sipflow_ladder_get_lane(const sipflow_ladder *l, size_t i)
{
  return l && i < l->lanes->len ? &g_array_index(l->lanes, sipflow_ladder_lane, i) : NULL;
}

size_t sipflow_ladder_call_count(const sipflow_ladder *l)
{
  return l ? l->calls->len : 0;
}

const sipflow_ladder_call *sipflow_ladder_get_call(const sipflow_ladder *l, size_t i)
{
  return l && i < l->calls->len ? &g_array_index(l->calls, sipflow_ladder_call, i) : NULL;
}

size_t sipflow_ladder_arrow_count(const sipflow_ladder *l)
{
  return l ? l->arrows->len : 0;
}

const sipflow_ladder_arrow *sipflow_ladder_get_arrow(const sipflow_ladder *l, size_t i)
{
  return l && i < l->arrows->len ? &g_array_index(l->arrows, sipflow_ladder_arrow, i) : NULL;
}

/* ---------------------------------------------------------------- views */

static void view_add_lane(sf_view *v, unsigned lane)
{
  if (v->column[lane] >= 0)
    return;
  v->column[lane] = (int)v->n_lanes;
  v->lanes[v->n_lanes++] = lane;
}

void sf_view_init_arrows(sf_view *v, const sipflow_ladder *l, const size_t *arrows, size_t n)
{
  size_t n_lanes = l->lanes->len;
  bool *seen_call = g_new0(bool, l->calls->len + 1);

  memset(v, 0, sizeof *v);
  v->ladder = l;
  v->lanes = g_new(unsigned, n_lanes + 1);
  v->column = g_new(int, n_lanes + 1);
  for (size_t i = 0; i < n_lanes; i++)
    v->column[i] = -1;
  v->arrows = g_new(size_t, n + 1);
  v->calls = g_new(unsigned, l->calls->len + 1);
  for (size_t k = 0; k < n; k++) {
    const sipflow_ladder_arrow *a = &g_array_index(l->arrows, sipflow_ladder_arrow, arrows[k]);
    if (!v->n_arrows)
      v->t0_us = a->time_us;
    else if (a->transport != sf_view_arrow(v, 0)->transport)
      v->mixed_transport = true;
    v->arrows[v->n_arrows++] = arrows[k];
    view_add_lane(v, a->from_lane);
    view_add_lane(v, a->to_lane);
    if (!seen_call[a->call_index]) {
      seen_call[a->call_index] = true;
      v->calls[v->n_calls++] = a->call_index;
    }
  }
  g_free(seen_call);
}

size_t *sf_arrows_by_call(const sipflow_ladder *l, size_t **start)
{
  size_t n_calls = l->calls->len;
  size_t *order = g_new(size_t, l->arrows->len + 1);
  size_t *fill = g_new(size_t, n_calls + 1);

  *start = g_new(size_t, n_calls + 1);
  (*start)[0] = 0;
  for (size_t c = 0; c < n_calls; c++)
    (*start)[c + 1] = (*start)[c] + g_array_index(l->calls, sipflow_ladder_call, c).n_arrows;
  memcpy(fill, *start, (n_calls + 1) * sizeof *fill);
  for (size_t i = 0; i < l->arrows->len; i++)
    order[fill[g_array_index(l->arrows, sipflow_ladder_arrow, i).call_index]++] = i;
  g_free(fill);
  return order;
}

void sf_view_init(sf_view *v, const sipflow_ladder *l, int call_index)
{
  size_t n = l->arrows->len, k = 0;
  size_t *sel = g_new(size_t, n + 1);

  for (size_t i = 0; i < n; i++)
    if (call_index < 0 ||
        g_array_index(l->arrows, sipflow_ladder_arrow, i).call_index == (unsigned)call_index)
      sel[k++] = i;
  sf_view_init_arrows(v, l, sel, k);
  g_free(sel);
}

void sf_view_clear(sf_view *v)
{
  g_free(v->lanes);
  g_free(v->column);
  g_free(v->arrows);
  g_free(v->calls);
  memset(v, 0, sizeof *v);
}

const sipflow_ladder_arrow *sf_view_arrow(const sf_view *v, size_t i)
{
  return &g_array_index(v->ladder->arrows, sipflow_ladder_arrow, v->arrows[i]);
}

bool sf_view_mixed_transport(const sf_view *v)
{
  return v->mixed_transport;
}

int64_t sf_view_rel_us(const sf_view *v, size_t i)
{
  return sf_view_arrow(v, i)->time_us - v->t0_us;
}

int64_t sf_view_delta_us(const sf_view *v, size_t i)
{
  return i ? sf_view_arrow(v, i)->time_us - sf_view_arrow(v, i - 1)->time_us : 0;
}

/* ------------------------------------------------------------- escaping */

static void hex_byte(GString *out, unsigned char c, sf_esc mode)
{
  /* In JSON the backslash itself must be escaped to stay visible text. */
  g_string_append_printf(out, mode == SF_ESC_JSON ? "\\\\x%02x" : "\\x%02x", c);
}

/* Characters a reader would not see, or that would move the cursor. */
static bool is_visible(gunichar u)
{
  GUnicodeType t = g_unichar_type(u);
  return g_unichar_isprint(u) && !g_unichar_iszerowidth(u) &&
         t != G_UNICODE_LINE_SEPARATOR && t != G_UNICODE_PARAGRAPH_SEPARATOR;
}

static void escape_ascii_char(GString *out, unsigned char c, sf_esc mode, unsigned flags)
{
  bool ws = c == '\n' || c == '\r' || c == '\t';

  switch (mode) {
  case SF_ESC_XML:
    switch (c) {
    case '&': g_string_append(out, "&amp;"); return;
    case '<': g_string_append(out, "&lt;"); return;
    case '>': g_string_append(out, "&gt;"); return;
    case '"': g_string_append(out, "&quot;"); return;
    case '\'': g_string_append(out, "&#39;"); return;
    }
    break;
  case SF_ESC_JSON:
    switch (c) {
    case '"': g_string_append(out, "\\\""); return;
    case '\\': g_string_append(out, "\\\\"); return;
    case '\n': g_string_append(out, "\\n"); return;
    case '\r': g_string_append(out, "\\r"); return;
    case '\t': g_string_append(out, "\\t"); return;
    case '<': case '>': case '&': g_string_append_printf(out, "\\u%04x", c); return;
    }
    if (c < 0x20 || c == 0x7f) {
      g_string_append_printf(out, "\\u%04x", c);
      return;
    }
    break;
  case SF_ESC_MERMAID:
    /* Mermaid splits statements on ';', starts comments and directives with
     * '#' and '%', and renders text as HTML: entity codes keep them text. */
    if (strchr("#;\"<>&%", c) && c) {
      g_string_append_printf(out, "#%u;", c);
      return;
    }
    break;
  default:
    break;
  }
  if ((c < 0x20 || c == 0x7f) && !(ws && (flags & SF_ESC_KEEP_NL)))
    hex_byte(out, c, mode);
  else if (c == '\\' && (flags & SF_ESC_BACKSLASH))
    g_string_append(out, "\\\\");
  else
    g_string_append_c(out, (char)c);
}

/* Whether a valid non-ASCII character u is shown as \xNN bytes. */
static bool hidden(gunichar u, sf_esc mode)
{
  return mode == SF_ESC_ASCII || !is_visible(u);
}

void sf_escape(GString *out, const char *s, size_t len, sf_esc mode, unsigned flags)
{
  size_t i = 0;

  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      escape_ascii_char(out, c, mode, flags);
      i++;
      continue;
    }
    gunichar u = g_utf8_get_char_validated(s + i, (gssize)(len - i));
    if (u == (gunichar)-1 || u == (gunichar)-2) {
      hex_byte(out, c, mode);
      i++;
      continue;
    }
    size_t n = (size_t)g_utf8_skip[c];
    if (mode == SF_ESC_JSON) {
      if (u == 0x2028 || u == 0x2029) /* line ends to JavaScript */
        g_string_append_printf(out, "\\u%04x", u);
      else
        g_string_append_len(out, s + i, (gssize)n);
    } else if (hidden(u, mode)) {
      for (size_t k = 0; k < n; k++)
        hex_byte(out, (unsigned char)s[i + k], mode);
    } else {
      g_string_append_len(out, s + i, (gssize)n);
    }
    i += n;
  }
}

/* -------------------------------------------------------- shared pieces */

void sf_render_seconds(GString *out, int64_t us, bool plus)
{
  bool neg = us < 0;
  uint64_t mag = neg ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
  uint64_t ms = (mag + 500) / 1000;

  g_string_append_printf(out, "%s%" G_GUINT64_FORMAT ".%03u", neg ? "-" : plus ? "+" : "",
                         ms / 1000, (unsigned)(ms % 1000));
}

void sf_render_date(GString *out, int64_t epoch_us)
{
  int64_t secs = epoch_us / 1000000, rem = epoch_us % 1000000;
  if (rem < 0) {
    secs--;
    rem += 1000000;
  }
  time_t t = (time_t)secs;
  struct tm tm;
  char buf[64];

  if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm))
    g_strlcpy(buf, "(bad time)", sizeof buf);
  g_string_append_printf(out, "%s.%03d UTC", buf, (int)(rem / 1000));
}

void sf_render_summary(GString *out, const sf_view *v, size_t i)
{
  const sipflow_ladder_arrow *a = sf_view_arrow(v, i);
  char src[SIPFLOW_ENDPOINT_STRLEN], dst[SIPFLOW_ENDPOINT_STRLEN];

  g_string_append_printf(out, "frame %" G_GUINT64_FORMAT "  ", a->frame);
  sf_render_seconds(out, sf_view_rel_us(v, i), true);
  g_string_append_printf(out, " s  %s -> %s %s\n", sipflow_endpoint_format(&a->src, src, sizeof src),
                         sipflow_endpoint_format(&a->dst, dst, sizeof dst),
                         sipflow_transport_name(a->transport));
  if (a->is_request)
    g_string_append_printf(out, "%s %s", a->method ? a->method : "?",
                           a->request_uri ? a->request_uri : "");
  else
    g_string_append(out, a->label);
  g_string_append_printf(out, " (CSeq %u %s)", a->cseq, a->method ? a->method : "?");
  if (a->retransmission)
    g_string_append(out, " retransmission");
  if (a->sdp)
    g_string_append_printf(out, "\nSDP: %s", a->sdp);
}

const char *sf_render_call_color(unsigned call_index)
{
  /* Distinct on white and readable as text (Tableau 10 minus the greys). */
  static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                       "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
  return colors[call_index % G_N_ELEMENTS(colors)];
}

void sf_render_call_title(GString *out, const sipflow_ladder *l, unsigned call_index)
{
  const sipflow_ladder_call *c = sipflow_ladder_get_call(l, call_index);
  const sipflow_ladder_arrow *first = NULL;

  if (!c)
    return;
  for (size_t i = c->first_arrow; i < l->arrows->len && !first; i++) {
    const sipflow_ladder_arrow *a = sipflow_ladder_get_arrow(l, i);
    if (a->call_index == call_index && a->is_request)
      first = a;
  }
  if (!first)
    first = sipflow_ladder_get_arrow(l, c->first_arrow);
  if (c->call)
    g_string_append_printf(out, "call %u: ", c->call);
  else
    g_string_append_printf(out, "call #%u: ", call_index + 1);
  g_string_append_printf(out, "%s (Call-ID %s)", first ? first->label : "", c->call_id);
}

/* ------------------------------------------------------------- dispatch */

static const char *const format_names[SIPFLOW_LADDER_FORMAT_COUNT] = {
    "text", "ascii", "svg", "html", "mermaid", "json"};

const char *sipflow_ladder_format_name(sipflow_ladder_format format)
{
  return (unsigned)format < SIPFLOW_LADDER_FORMAT_COUNT ? format_names[format] : "unknown";
}

int sipflow_ladder_format_from_name(const char *name)
{
  for (int i = 0; name && i < SIPFLOW_LADDER_FORMAT_COUNT; i++)
    if (strcmp(name, format_names[i]) == 0)
      return i;
  return -1;
}

int sipflow_ladder_render(const sipflow_ladder *l, sipflow_ladder_format format,
                          const sipflow_render_options *options, char **out, size_t *out_len)
{
  static const sipflow_render_options defaults = {0};

  if (out)
    *out = NULL;
  if (out_len)
    *out_len = 0;
  if (!l || !out || (unsigned)format >= SIPFLOW_LADDER_FORMAT_COUNT)
    return SIPFLOW_ERR_INVALID;
  if (!options)
    options = &defaults;
  GString *g = g_string_new(NULL);
  switch (format) {
  case SIPFLOW_LADDER_TEXT: sf_render_text(g, l, options, false); break;
  case SIPFLOW_LADDER_ASCII: sf_render_text(g, l, options, true); break;
  case SIPFLOW_LADDER_SVG: sf_render_svg(g, l, options); break;
  case SIPFLOW_LADDER_HTML: sf_render_html(g, l, options); break;
  case SIPFLOW_LADDER_MERMAID: sf_render_mermaid(g, l); break;
  case SIPFLOW_LADDER_JSON: sf_render_json(g, l); break;
  }
  if (out_len)
    *out_len = g->len;
  *out = g_string_free(g, FALSE);
  return SIPFLOW_OK;
}
