/*
 * render_text — the ladder as terminal text: Unicode box drawing ("text")
 * or 7-bit ASCII ("ascii"), one column per lane, one row per arrow.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   frame    time  delta      10.0.0.1:5060            10.0.0.2:5060
 *                          Acme SoftPhone 3.2.1     Acme DeskPhone 7.0.4
 *                                   │                         │
 *       1  +0.000                   │───INVITE bob───────────▶│
 *                                   │ audio 10.0.0.1:4000 PCMU│
 *
 * Rows are built as arrays of cells (one per terminal column; a wide
 * character takes two) and written out with trailing blanks trimmed.  A
 * label never gets cut: what does not fit between its lanes wraps onto the
 * following rows.
 */
#include "render.h"

#define TEXT_MIN_COLUMN 14 /* "INVITE" + arrow ends still fit */

typedef struct glyphs {
  gunichar lane, body, dashed, head_right, head_left, cross, loop_top, loop_bottom;
} glyphs;

static const glyphs unicode_glyphs = {0x2502, 0x2500, 0x254c, 0x25b6,
                                      0x25c0, 0x253c, 0x2510, 0x2518};
static const glyphs ascii_glyphs = {'|', '-', '.', '>', '<', '+', '+', '+'};

/* A character of a cell; 0 marks the right half of a wide character. */
typedef struct cell {
  gunichar cp;
  int8_t color; /* call index % palette, -1 = none */
  bool bold;
} cell;

typedef struct row {
  cell *c;
  unsigned w;
} row;

/* Escaped text ready to lay out: code points and their widths. */
typedef struct gtext {
  gunichar *cp;
  uint8_t *w;
  unsigned n;
} gtext;

typedef struct seg {
  unsigned start, end; /* [start, end) in a gtext */
  unsigned width;
} seg;

typedef struct layout {
  GString *out;
  const sipflow_ladder *l;
  sf_view v;
  const glyphs *g;
  bool ascii, color;
  bool mixed;                                /* arrows name their transport */
  unsigned width;
  unsigned w_call, w_frame, w_time, w_delta; /* left columns (w_call 0 = none) */
  unsigned left;                             /* first cell of the lane area */
  unsigned col_w;
  unsigned *x;                               /* lane column -> cell */
  row r;
} layout;

/* ------------------------------------------------------------ text bits */

static void gtext_init(gtext *t, const char *s, size_t len, bool ascii)
{
  GString *esc = g_string_new(NULL);
  sf_escape(esc, s, len, ascii ? SF_ESC_ASCII : SF_ESC_TEXT, 0);
  glong n = g_utf8_strlen(esc->str, (gssize)esc->len);
  t->cp = g_new(gunichar, n + 1);
  t->w = g_new(uint8_t, n + 1);
  t->n = 0;
  for (const char *p = esc->str; *p; p = g_utf8_next_char(p)) {
    gunichar u = g_utf8_get_char(p);
    t->cp[t->n] = u;
    t->w[t->n++] = g_unichar_iswide(u) ? 2 : 1;
  }
  g_string_free(esc, TRUE);
}

static void gtext_init_str(gtext *t, const char *s, bool ascii)
{
  gtext_init(t, s ? s : "", s ? strlen(s) : 0, ascii);
}

static void gtext_clear(gtext *t)
{
  g_free(t->cp);
  g_free(t->w);
}

/* Greedy word wrap into lines of at most max_w cells; a word longer than a
 * line is cut hard (nothing is dropped). */
static GArray *wrap(const gtext *t, unsigned max_w)
{
  GArray *segs = g_array_new(FALSE, FALSE, sizeof(seg));
  unsigned i = 0;

  if (max_w < 2)
    max_w = 2;
  while (i < t->n) {
    if (segs->len)
      while (i < t->n && t->cp[i] == ' ')
        i++;
    if (i >= t->n)
      break;
    /* brk: where the line may end: before a space, or after a separator
     * inside a word (codec lists, addresses, "telephone-event"). */
    unsigned j = i, width = 0, brk_space = 0, brk_sep = 0;
    while (j < t->n && width + t->w[j] <= max_w) {
      if (t->cp[j] == ' ' && j > i)
        brk_space = j;
      width += t->w[j++];
      if (t->cp[j - 1] < 0x80 && strchr(",:;/-@", (int)t->cp[j - 1]) && j < t->n &&
          t->cp[j] != ' ')
        brk_sep = j;
    }
    seg s = {i, j, width};
    if (j < t->n && (brk_space > i || brk_sep > i))
      s.end = brk_space > i ? brk_space : brk_sep;
    else if (j == i)
      s.end = i + 1; /* one wide character in a 1-cell room */
    while (s.end > s.start + 1 && t->cp[s.end - 1] == ' ')
      s.end--;
    s.width = 0;
    for (unsigned k = s.start; k < s.end; k++)
      s.width += t->w[k];
    g_array_append_val(segs, s);
    i = s.end;
  }
  return segs;
}

/* ----------------------------------------------------------------- rows */

static void row_reset(layout *t)
{
  for (unsigned i = 0; i < t->r.w; i++)
    t->r.c[i] = (cell){' ', -1, false};
}

static void put(layout *t, unsigned x, gunichar cp, int color)
{
  if (x < t->r.w)
    t->r.c[x] = (cell){cp, (int8_t)color, false};
}

/* Writes the segment starting at cell x; returns the cell after it. */
static unsigned put_seg(layout *t, unsigned x, const gtext *s, const seg *sg, int color,
                        bool bold)
{
  for (unsigned k = sg->start; k < sg->end; k++) {
    if (x < t->r.w)
      t->r.c[x] = (cell){s->cp[k], (int8_t)color, bold};
    if (s->w[k] == 2 && x + 1 < t->r.w)
      t->r.c[x + 1] = (cell){0, (int8_t)color, bold};
    x += s->w[k];
  }
  return x;
}

/* Plain ASCII text (numbers, headers) right-aligned to end at cell `end`. */
static void put_right(layout *t, unsigned end, const char *s)
{
  size_t n = strlen(s);
  for (size_t k = 0; k < n; k++)
    if (end >= n)
      put(t, end - n + (unsigned)k, (unsigned char)s[k], -1);
}

static void row_lanes(layout *t)
{
  for (unsigned c = 0; c < t->v.n_lanes; c++)
    put(t, t->x[c], t->g->lane, -1);
}

static const int ansi_colors[] = {34, 31, 32, 35, 33, 36};

static void set_attr(layout *t, int color, bool bold)
{
  g_string_append(t->out, "\x1b[0");
  if (bold)
    g_string_append(t->out, ";1");
  if (color >= 0)
    g_string_append_printf(t->out, ";%d", ansi_colors[color % G_N_ELEMENTS(ansi_colors)]);
  g_string_append_c(t->out, 'm');
}

static void row_flush(layout *t)
{
  unsigned end = t->r.w;
  int color = -1;
  bool bold = false;

  while (end > 0 && t->r.c[end - 1].cp == ' ')
    end--;
  for (unsigned i = 0; i < end; i++) {
    const cell *c = &t->r.c[i];
    if (t->color && (c->color != color || c->bold != bold)) {
      color = c->color;
      bold = c->bold;
      set_attr(t, color, bold);
    }
    if (c->cp) {
      char buf[8];
      g_string_append_len(t->out, buf, g_unichar_to_utf8(c->cp, buf));
    }
  }
  if (t->color && (color >= 0 || bold))
    g_string_append(t->out, "\x1b[0m");
  g_string_append_c(t->out, '\n');
}

/* --------------------------------------------------------------- layout */

static void call_number(GString *g, const sipflow_ladder *l, unsigned call_index)
{
  const sipflow_ladder_call *c = sipflow_ladder_get_call(l, call_index);
  if (c && c->call)
    g_string_append_printf(g, "%u", c->call);
  else
    g_string_append_printf(g, "#%u", call_index + 1);
}

static unsigned max_u(unsigned a, unsigned b)
{
  return a > b ? a : b;
}

/* Widths of the frame / time / delta (and call) columns. */
static void measure_left(layout *t)
{
  GString *g = g_string_new(NULL);

  t->w_frame = 5; /* "frame" */
  t->w_time = 4;
  t->w_delta = 5;
  t->w_call = t->v.n_calls > 1 ? 4 : 0;
  for (size_t i = 0; i < t->v.n_arrows; i++) {
    const sipflow_ladder_arrow *a = sf_view_arrow(&t->v, i);
    g_string_printf(g, "%" G_GUINT64_FORMAT, a->frame);
    t->w_frame = max_u(t->w_frame, (unsigned)g->len);
    g_string_truncate(g, 0);
    sf_render_seconds(g, sf_view_rel_us(&t->v, i), true);
    t->w_time = max_u(t->w_time, (unsigned)g->len);
    g_string_truncate(g, 0);
    sf_render_seconds(g, sf_view_delta_us(&t->v, i), false);
    t->w_delta = max_u(t->w_delta, (unsigned)g->len);
    if (t->w_call) {
      g_string_truncate(g, 0);
      call_number(g, t->l, a->call_index);
      t->w_call = max_u(t->w_call, (unsigned)g->len);
    }
  }
  g_string_free(g, TRUE);
  t->left = t->w_frame + 2 + t->w_time + 2 + t->w_delta + 2 + (t->w_call ? t->w_call + 2 : 0);
}

static void layout_init(layout *t, GString *out, const sipflow_ladder *l,
                        const sipflow_render_options *o, bool ascii)
{
  memset(t, 0, sizeof *t);
  t->out = out;
  t->l = l;
  t->ascii = ascii;
  t->color = o->color != 0;
  t->g = ascii ? &ascii_glyphs : &unicode_glyphs;
  t->width = o->width ? o->width : SF_TEXT_DEFAULT_WIDTH;
  sf_view_init(&t->v, l, -1);
  t->mixed = sf_view_mixed_transport(&t->v);
  measure_left(t);
  unsigned n = t->v.n_lanes ? t->v.n_lanes : 1;
  unsigned avail = t->width > t->left ? t->width - t->left : 0;
  t->col_w = max_u(avail / n, TEXT_MIN_COLUMN);
  t->x = g_new(unsigned, n);
  for (unsigned c = 0; c < n; c++)
    t->x[c] = t->left + c * t->col_w + t->col_w / 2;
  /* One column more than the lanes need: room for a loop on the last lane. */
  t->r.w = t->left + (n + 1) * t->col_w;
  t->r.c = g_new(cell, t->r.w);
}

static void layout_clear(layout *t)
{
  g_free(t->r.c);
  g_free(t->x);
  sf_view_clear(&t->v);
}

/* ---------------------------------------------------------------- title */

static void write_title(layout *t)
{
  GString *g = g_string_new(NULL), *esc = g_string_new(NULL);

  sf_render_date(g, t->v.t0_us);
  g_string_append_printf(g, "  %zu message%s  %u endpoint%s", t->v.n_arrows,
                         t->v.n_arrows == 1 ? "" : "s", t->v.n_lanes,
                         t->v.n_lanes == 1 ? "" : "s");
  if (t->v.n_calls > 1)
    g_string_append_printf(g, "  %u calls", t->v.n_calls);
  if (!t->mixed)
    g_string_append_printf(g, "  %s",
                           sipflow_transport_name(sf_view_arrow(&t->v, 0)->transport));
  g_string_append_c(g, '\n');
  g_string_append(t->out, g->str);
  for (unsigned c = 0; c < sipflow_ladder_call_count(t->l); c++) {
    g_string_truncate(g, 0);
    g_string_truncate(esc, 0);
    sf_render_call_title(g, t->l, c);
    sf_escape(esc, g->str, g->len, t->ascii ? SF_ESC_ASCII : SF_ESC_TEXT, 0);
    if (t->color)
      set_attr(t, (int)c, false);
    g_string_append(t->out, esc->str);
    if (t->color)
      g_string_append(t->out, "\x1b[0m");
    g_string_append_c(t->out, '\n');
  }
  g_string_append_c(t->out, '\n');
  g_string_free(esc, TRUE);
  g_string_free(g, TRUE);
}

/* Lane headers: address then agent, each wrapped to the column, centred. */
static void write_header(layout *t)
{
  unsigned n = t->v.n_lanes, rows = 1;
  gtext *texts = g_new0(gtext, 2 * n);
  GArray **segs = g_new0(GArray *, 2 * n);

  for (unsigned c = 0; c < n; c++) {
    const sipflow_ladder_lane *lane = sipflow_ladder_get_lane(t->l, t->v.lanes[c]);
    gtext_init_str(&texts[2 * c], lane->address, t->ascii);
    gtext_init_str(&texts[2 * c + 1], lane->agent, t->ascii);
    segs[2 * c] = wrap(&texts[2 * c], t->col_w - 1);
    segs[2 * c + 1] = wrap(&texts[2 * c + 1], t->col_w - 1);
    rows = max_u(rows, segs[2 * c]->len + segs[2 * c + 1]->len);
  }
  for (unsigned r = 0; r < rows; r++) {
    row_reset(t);
    if (r == 0) {
      unsigned end = t->w_frame;
      put_right(t, end, "frame");
      put_right(t, end += 2 + t->w_time, "time");
      put_right(t, end += 2 + t->w_delta, "delta");
      if (t->w_call)
        put_right(t, end + 2 + t->w_call, "call");
    }
    for (unsigned c = 0; c < n; c++) {
      GArray *a = segs[2 * c], *b = segs[2 * c + 1];
      const gtext *tx = r < a->len ? &texts[2 * c] : &texts[2 * c + 1];
      unsigned k = r < a->len ? r : r - a->len;
      if (r >= a->len + b->len)
        continue;
      const seg *sg = &g_array_index(r < a->len ? a : b, seg, k);
      put_seg(t, t->x[c] - sg->width / 2, tx, sg, -1, true);
    }
    row_flush(t);
  }
  row_reset(t);
  row_lanes(t);
  row_flush(t);
  for (unsigned k = 0; k < 2 * n; k++) {
    g_array_free(segs[k], TRUE);
    gtext_clear(&texts[k]);
  }
  g_free(segs);
  g_free(texts);
}

/* --------------------------------------------------------------- arrows */

static void put_left_block(layout *t, size_t i)
{
  const sipflow_ladder_arrow *a = sf_view_arrow(&t->v, i);
  GString *g = g_string_new(NULL);
  unsigned end = t->w_frame;

  g_string_printf(g, "%" G_GUINT64_FORMAT, a->frame);
  put_right(t, end, g->str);
  g_string_truncate(g, 0);
  sf_render_seconds(g, sf_view_rel_us(&t->v, i), true);
  put_right(t, end += 2 + t->w_time, g->str);
  end += 2 + t->w_delta;
  if (i > 0) {
    g_string_truncate(g, 0);
    sf_render_seconds(g, sf_view_delta_us(&t->v, i), false);
    put_right(t, end, g->str);
  }
  if (t->w_call) {
    g_string_truncate(g, 0);
    call_number(g, t->l, a->call_index);
    put_right(t, end + 2 + t->w_call, g->str);
  }
  g_string_free(g, TRUE);
}

/* The label with its marks: "INVITE bob [tcp] (retr)" (the transport only
 * when the ladder mixes transports; the title names a single one). */
static void arrow_label(const layout *t, const sipflow_ladder_arrow *a, gtext *out)
{
  GString *g = g_string_new(a->label);
  if (t->mixed)
    g_string_append_printf(g, " [%s]", sipflow_transport_name(a->transport));
  if (a->retransmission)
    g_string_append(g, " (retr)");
  gtext_init(out, g->str, g->len, t->ascii);
  g_string_free(g, TRUE);
}

/* Lanes strictly between lo and hi get a crossing mark. */
static void put_crossings(layout *t, unsigned lo, unsigned hi, int color)
{
  for (unsigned c = 0; c < t->v.n_lanes; c++)
    if (t->x[c] > lo && t->x[c] < hi)
      put(t, t->x[c], t->g->cross, color);
}

/* Continuation rows: the rest of the label (centred on [from, from+len)),
 * then the SDP summary (left-aligned at sdp_x, wrapped to sdp_w). */
static void write_more(layout *t, const gtext *lab, GArray *segs, unsigned from, unsigned len,
                       const sipflow_ladder_arrow *a, unsigned sdp_x, unsigned sdp_w, int color)
{
  for (unsigned k = 1; k < segs->len; k++) {
    const seg *sg = &g_array_index(segs, seg, k);
    row_reset(t);
    row_lanes(t);
    put_seg(t, from + (len - sg->width) / 2, lab, sg, color, false);
    row_flush(t);
  }
  if (!a->sdp || a->retransmission) /* a retransmission repeats the same body */
    return;
  gtext sdp;
  gtext_init_str(&sdp, a->sdp, t->ascii);
  GArray *ss = wrap(&sdp, sdp_w);
  for (unsigned k = 0; k < ss->len; k++) {
    row_reset(t);
    row_lanes(t);
    put_seg(t, sdp_x, &sdp, &g_array_index(ss, seg, k), color, false);
    row_flush(t);
  }
  g_array_free(ss, TRUE);
  gtext_clear(&sdp);
}

/* A message from a lane to itself (two ports of one IP merged): a loop to
 * the right, up to the next lane, its label inside the loop:
 *     │──OPTIONS───┐
 *     │ 10.0.0.2:  │
 *     │◀───────────┘          */
static void draw_loop(layout *t, size_t i, unsigned col, const gtext *lab, int color)
{
  const sipflow_ladder_arrow *a = sf_view_arrow(&t->v, i);
  unsigned xa = t->x[col];
  unsigned e = col + 1 < t->v.n_lanes ? t->x[col + 1] - 2 : xa + t->col_w / 2 - 1;
  gunichar body = a->retransmission ? t->g->dashed : t->g->body;

  if (e < xa + 8)
    e = xa + 8;
  GArray *segs = wrap(lab, e - xa - 3);
  for (unsigned k = 0; k <= segs->len; k++) {
    row_reset(t);
    row_lanes(t);
    if (k == 0)
      put_left_block(t, i);
    if (k == 0 || k == segs->len) {
      for (unsigned x = xa + 1; x < e; x++)
        put(t, x, body, color);
      put_crossings(t, xa, e, color);
      put(t, e, k == 0 ? t->g->loop_top : t->g->loop_bottom, color);
    } else {
      put(t, e, t->g->lane, color);
    }
    if (k == segs->len)
      put(t, xa + 1, t->g->head_left, color);
    if (k < segs->len) {
      const seg *sg = &g_array_index(segs, seg, k);
      put_seg(t, xa + 1 + (e - xa - 1 - sg->width) / 2, lab, sg, color, false);
    }
    row_flush(t);
  }
  /* The label rows are done: only the SDP rows are left to write. */
  g_array_set_size(segs, segs->len ? 1 : 0);
  write_more(t, lab, segs, xa + 1, e - xa - 1, a, xa + 2, e - xa - 3, color);
  g_array_free(segs, TRUE);
}

static void draw_arrow(layout *t, size_t i)
{
  const sipflow_ladder_arrow *a = sf_view_arrow(&t->v, i);
  unsigned ca = (unsigned)t->v.column[a->from_lane], cb = (unsigned)t->v.column[a->to_lane];
  int color = (int)a->call_index;
  gtext lab;

  arrow_label(t, a, &lab);
  if (ca == cb) {
    draw_loop(t, i, ca, &lab, color);
    gtext_clear(&lab);
    return;
  }
  unsigned xa = t->x[ca], xb = t->x[cb];
  unsigned lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
  bool right = xb > xa;
  /* The label sits between the arrow's ends with at least one stroke on
   * each side: [lo+1 .. hi-1] minus the head cell. */
  unsigned from = right ? lo + 1 : lo + 2, len = hi - lo - 2;
  GArray *segs = wrap(&lab, hi - lo - 4);
  /* An arrow that skips lanes keeps its label next to its source when it
   * fits there, so that the crossings stay visible. */
  unsigned next = right ? t->x[ca + 1] : t->x[ca - 1];
  unsigned sub = right ? next - xa : xa - next;
  bool skips = cb != (right ? ca + 1 : ca - 1);
  if (skips && segs->len == 1 && g_array_index(segs, seg, 0).width + 3 <= sub) {
    from = (right ? xa : next) + 1;
    len = sub - 1;
  }
  /* The SDP rows stay between the source and its neighbour lane too. */
  unsigned sdp_lo = skips ? (right ? xa : next) : lo, sdp_hi = skips ? sdp_lo + sub : hi;
  gunichar body = a->retransmission ? t->g->dashed : t->g->body;

  row_reset(t);
  row_lanes(t);
  put_left_block(t, i);
  for (unsigned x = lo + 1; x < hi; x++)
    put(t, x, body, color);
  put_crossings(t, lo, hi, color);
  if (right)
    put(t, hi - 1, t->g->head_right, color);
  else
    put(t, lo + 1, t->g->head_left, color);
  if (segs->len) {
    const seg *s0 = &g_array_index(segs, seg, 0);
    put_seg(t, from + (len - s0->width) / 2, &lab, s0, color, false);
  }
  row_flush(t);
  write_more(t, &lab, segs, from, len, a, sdp_lo + 2, sdp_hi - sdp_lo - 3, color);
  g_array_free(segs, TRUE);
  gtext_clear(&lab);
}

void sf_render_text(GString *out, const sipflow_ladder *l, const sipflow_render_options *o,
                    bool ascii)
{
  layout t;

  if (!sipflow_ladder_arrow_count(l)) {
    g_string_append(out, "no SIP messages\n");
    return;
  }
  layout_init(&t, out, l, o, ascii);
  write_title(&t);
  write_header(&t);
  for (size_t i = 0; i < t.v.n_arrows; i++)
    draw_arrow(&t, i);
  layout_clear(&t);
}
