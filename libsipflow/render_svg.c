/*
 * render_svg — the ladder as a standalone SVG document, and the HTML page
 * that wraps one SVG per call with a message pane and a call picker.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every coordinate is an integer (no locale-dependent decimal point).  Text
 * widths are estimated from the character count (monospace 12 px ~ 7.3 px a
 * character); lanes are spread so that the longest label fits.  Every byte
 * from the capture goes through sf_escape(SF_ESC_XML) — or, for the data the
 * page's script reads, SF_ESC_JSON inside a script element, which escapes
 * '<' so that nothing can close it.
 */
#include "render.h"

#define SVG_CHAR_W10 73    /* 12 px monospace: 7.3 px per character, x10 */
#define SVG_SMALL_W10 67   /* 11 px monospace */
#define SVG_MIN_SPACING 170
#define SVG_MAX_SPACING 480
#define SVG_ROW 30         /* height of an arrow row */
#define SVG_SDP_ROW 14     /* extra height for the SDP line */
#define SVG_LEGEND_ROW 16
#define SVG_HEADER_H 40

#define MONO_FONT "DejaVu Sans Mono,Menlo,Consolas,monospace"
#define SANS_FONT "DejaVu Sans,Helvetica,Arial,sans-serif"

typedef struct svg {
  GString *out;
  const sf_view *v;
  const sipflow_ladder *l;
  int spacing;
  int left;       /* x of the lane area */
  int top;        /* y of the lane headers */
  int rows_top;   /* y of the first arrow row */
  int width, height;
  int *x;         /* lane column -> x */
  int col_frame, col_time, col_delta; /* right edges of the left texts */
} svg;

/* ------------------------------------------------------------- measures */

/* Characters a string shows once escaped for a reader (\xNN counts 4). */
static int shown_chars(const char *s)
{
  GString *g = g_string_new(NULL);
  sf_escape_str(g, s, SF_ESC_TEXT);
  int n = (int)g_utf8_strlen(g->str, (gssize)g->len);
  g_string_free(g, TRUE);
  return n;
}

static int px(int chars, int w10)
{
  return (chars * w10 + 9) / 10;
}

/* Label with its marks, raw (escaped when written): the transport when the
 * view mixes them (else the date line names it), "(retr)". */
static char *arrow_label(const sf_view *v, const sipflow_ladder_arrow *a)
{
  GString *g = g_string_new(a->label);
  if (sf_view_mixed_transport(v))
    g_string_append_printf(g, " [%s]", sipflow_transport_name(a->transport));
  if (a->retransmission)
    g_string_append(g, " (retr)");
  return g_string_free(g, FALSE);
}

static int arrow_height(const sipflow_ladder_arrow *a)
{
  return SVG_ROW + (a->sdp ? SVG_SDP_ROW : 0) + (a->from_lane == a->to_lane ? 10 : 0);
}

static int max_i(int a, int b)
{
  return a > b ? a : b;
}

/* Lane spacing: wide enough for every header and for every label spread
 * over the columns its arrow spans. */
static int measure_spacing(const sf_view *v)
{
  int sp = SVG_MIN_SPACING;

  for (unsigned c = 0; c < v->n_lanes; c++) {
    const sipflow_ladder_lane *lane = sipflow_ladder_get_lane(v->ladder, v->lanes[c]);
    sp = max_i(sp, px(shown_chars(lane->address), 80) + 28);
    if (lane->agent)
      sp = max_i(sp, px(shown_chars(lane->agent), SVG_SMALL_W10) + 28);
  }
  for (size_t i = 0; i < v->n_arrows; i++) {
    const sipflow_ladder_arrow *a = sf_view_arrow(v, i);
    int span = abs(v->column[a->from_lane] - v->column[a->to_lane]);
    char *label = arrow_label(v, a);
    int need = px(shown_chars(label), SVG_CHAR_W10) + 30;
    if (a->sdp)
      need = max_i(need, px(shown_chars(a->sdp), SVG_SMALL_W10) + 20);
    sp = max_i(sp, span ? need / span : need / 2 + 50);
    g_free(label);
  }
  return sp < SVG_MAX_SPACING ? sp : SVG_MAX_SPACING;
}

static void measure(svg *s, int legend_rows)
{
  const sf_view *v = s->v;
  GString *g = g_string_new(NULL);
  int w_frame = 5, w_time = 4, w_delta = 5;

  for (size_t i = 0; i < v->n_arrows; i++) {
    g_string_printf(g, "%" G_GUINT64_FORMAT, sf_view_arrow(v, i)->frame);
    w_frame = max_i(w_frame, (int)g->len);
    g_string_truncate(g, 0);
    sf_render_seconds(g, sf_view_rel_us(v, i), true);
    w_time = max_i(w_time, (int)g->len);
    g_string_truncate(g, 0);
    sf_render_seconds(g, sf_view_delta_us(v, i), false);
    w_delta = max_i(w_delta, (int)g->len);
  }
  g_string_free(g, TRUE);
  s->col_frame = 10 + px(w_frame, SVG_CHAR_W10);
  s->col_time = s->col_frame + 12 + px(w_time, SVG_CHAR_W10);
  s->col_delta = s->col_time + 12 + px(w_delta, SVG_CHAR_W10);
  s->left = s->col_delta + 10;
  s->spacing = measure_spacing(v);
  s->top = 28 + legend_rows * SVG_LEGEND_ROW;
  s->rows_top = s->top + SVG_HEADER_H + 14;
  s->x = g_new(int, v->n_lanes + 1);
  for (unsigned c = 0; c < v->n_lanes; c++)
    s->x[c] = s->left + (int)c * s->spacing + s->spacing / 2;
  s->width = s->left + (int)v->n_lanes * s->spacing + 10;
  int y = s->rows_top;
  for (size_t i = 0; i < v->n_arrows; i++) {
    const sipflow_ladder_arrow *a = sf_view_arrow(v, i);
    char *label = arrow_label(v, a);
    int c = v->column[a->to_lane], d = v->column[a->from_lane];
    int mid = a->from_lane == a->to_lane ? s->x[c] + 40 : (s->x[c] + s->x[d]) / 2;
    /* Labels longer than the spacing allows run past their lanes: widen
     * the picture so that none is clipped. */
    s->width = max_i(s->width, mid + px(shown_chars(label), SVG_CHAR_W10) / 2 + 16);
    if (a->from_lane == a->to_lane)
      s->width = max_i(s->width, mid + px(shown_chars(label), SVG_CHAR_W10) + 16);
    y += arrow_height(a);
    g_free(label);
  }
  s->height = y + 16;
}

/* ---------------------------------------------------------------- write */

static void esc(svg *s, const char *text)
{
  sf_escape_str(s->out, text, SF_ESC_XML);
}

static void write_legend(svg *s)
{
  const sipflow_ladder *l = s->l;
  GString *g = g_string_new(NULL);

  g_string_append_printf(s->out, "<text x=\"10\" y=\"16\" class=\"date\">");
  sf_render_date(g, s->v->t0_us);
  if (s->v->n_arrows && !sf_view_mixed_transport(s->v))
    g_string_append_printf(g, "  %s",
                           sipflow_transport_name(sf_view_arrow(s->v, 0)->transport));
  esc(s, g->str);
  g_string_append(s->out, "</text>\n");
  int y = 16;
  for (unsigned k = 0; k < s->v->n_calls; k++) {
    unsigned c = s->v->calls[k];
    y += SVG_LEGEND_ROW;
    g_string_truncate(g, 0);
    sf_render_call_title(g, l, c);
    g_string_append_printf(s->out,
                           "<rect x=\"10\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                           "<text x=\"26\" y=\"%d\" class=\"legend\">",
                           y - 9, sf_render_call_color(c), y);
    esc(s, g->str);
    g_string_append(s->out, "</text>\n");
  }
  g_string_free(g, TRUE);
}

static void write_lanes(svg *s)
{
  g_string_append_printf(s->out,
                         "<text x=\"%d\" y=\"%d\" class=\"colhead\" text-anchor=\"end\">frame</text>"
                         "<text x=\"%d\" y=\"%d\" class=\"colhead\" text-anchor=\"end\">time</text>"
                         "<text x=\"%d\" y=\"%d\" class=\"colhead\" text-anchor=\"end\">delta</text>\n",
                         s->col_frame, s->top + 24, s->col_time, s->top + 24, s->col_delta,
                         s->top + 24);
  for (unsigned c = 0; c < s->v->n_lanes; c++) {
    const sipflow_ladder_lane *lane = sipflow_ladder_get_lane(s->l, s->v->lanes[c]);
    int x = s->x[c], w = s->spacing - 16;
    g_string_append_printf(s->out,
                           "<g class=\"lane\" data-lane=\"%u\">"
                           "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"lifeline\"/>"
                           "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" class=\"head\"/>"
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"addr\">",
                           lane->index, x, s->top + SVG_HEADER_H, x, s->height - 8, x - w / 2,
                           s->top, w, SVG_HEADER_H, x, s->top + (lane->agent ? 17 : 25));
    esc(s, lane->address);
    g_string_append(s->out, "</text>");
    if (lane->agent) {
      g_string_append_printf(s->out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"agent\">",
                             x, s->top + 33);
      esc(s, lane->agent);
      g_string_append(s->out, "</text>");
    }
    g_string_append(s->out, "</g>\n");
  }
}

static void write_times(svg *s, size_t i, int y)
{
  GString *g = g_string_new(NULL);

  g_string_append_printf(s->out,
                         "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"frame\">%" G_GUINT64_FORMAT
                         "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"time\">",
                         s->col_frame, y, sf_view_arrow(s->v, i)->frame, s->col_time, y);
  sf_render_seconds(g, sf_view_rel_us(s->v, i), true);
  g_string_append_printf(s->out, "%s</text>", g->str);
  if (i > 0) {
    g_string_truncate(g, 0);
    sf_render_seconds(g, sf_view_delta_us(s->v, i), false);
    g_string_append_printf(s->out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"delta\">%s</text>",
                           s->col_delta, y, g->str);
  }
  g_string_free(g, TRUE);
}

/* The stroke and head of an arrow from x1 to x2 at y (x1 != x2). */
static void write_stroke(svg *s, int x1, int x2, int y, const char *color, bool dashed)
{
  int dir = x2 > x1 ? 1 : -1, tip = x2 - dir * 2, base = tip - dir * 9;
  g_string_append_printf(s->out,
                         "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                         "stroke-width=\"1.5\"%s/>"
                         "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>",
                         x1, y, base, y, color, dashed ? " stroke-dasharray=\"6 4\"" : "", tip,
                         y, base, y - 4, base, y + 4, color);
}

static void write_arrow(svg *s, size_t i, int top)
{
  const sipflow_ladder_arrow *a = sf_view_arrow(s->v, i);
  const char *color = sf_render_call_color(a->call_index);
  int xa = s->x[s->v->column[a->from_lane]], xb = s->x[s->v->column[a->to_lane]];
  int y = top + 18, h = arrow_height(a);
  bool loop = xa == xb;
  int lo = loop ? xa : xa < xb ? xa : xb, hi = loop ? xa + 40 : xa < xb ? xb : xa;
  char *label = arrow_label(s->v, a);
  GString *sum = g_string_new(NULL);

  g_string_append_printf(s->out,
                         "<g class=\"arrow%s\" data-index=\"%zu\" data-call=\"%u\" "
                         "data-frame=\"%" G_GUINT64_FORMAT "\" tabindex=\"0\"><title>",
                         a->retransmission ? " retr" : "", a->index, a->call_index, a->frame);
  sf_render_summary(sum, s->v, i);
  sf_escape(s->out, sum->str, sum->len, SF_ESC_XML, SF_ESC_KEEP_NL);
  g_string_append_printf(s->out, "</title><rect class=\"hit\" x=\"%d\" y=\"%d\" width=\"%d\" "
                         "height=\"%d\"/>",
                         lo - 4, top, hi - lo + 8, h);
  write_times(s, i, y + 4);
  if (loop) {
    g_string_append_printf(s->out,
                           "<path d=\"M%d %d h32 v10 h-30\" fill=\"none\" stroke=\"%s\" "
                           "stroke-width=\"1.5\"%s/><polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>",
                           xa, y - 5, color, a->retransmission ? " stroke-dasharray=\"6 4\"" : "",
                           xa + 2, y + 5, xa + 11, y + 1, xa + 11, y + 9, color);
    g_string_append_printf(s->out, "<text x=\"%d\" y=\"%d\" class=\"label\" fill=\"%s\">",
                           xa + 40, y + 4, color);
  } else {
    write_stroke(s, xa, xb, y, color, a->retransmission);
    g_string_append_printf(s->out,
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"label\" "
                           "fill=\"%s\">",
                           (xa + xb) / 2, y - 5, color);
  }
  esc(s, label);
  g_string_append(s->out, "</text>");
  if (a->sdp) {
    g_string_append_printf(s->out, "<text x=\"%d\" y=\"%d\"%s class=\"sdp\">",
                           loop ? xa + 40 : (xa + xb) / 2, y + (loop ? 26 : 15),
                           loop ? "" : " text-anchor=\"middle\"");
    esc(s, a->sdp);
    g_string_append(s->out, "</text>");
  }
  g_string_append(s->out, "</g>\n");
  g_string_free(sum, TRUE);
  g_free(label);
}

static const char svg_style[] =
    "<style>"
    ".date,.legend,.colhead,.frame,.delta{font-family:" SANS_FONT ";font-size:11px;fill:#555}"
    ".addr{font-family:" SANS_FONT ";font-size:13px;font-weight:bold;fill:#222}"
    ".agent{font-family:" SANS_FONT ";font-size:11px;fill:#555}"
    ".time{font-family:" MONO_FONT ";font-size:11px;fill:#222}"
    ".label{font-family:" MONO_FONT ";font-size:12px;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}"
    ".sdp{font-family:" MONO_FONT ";font-size:11px;fill:#666;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}"
    ".head{fill:#f4f4f4;stroke:#888}"
    ".lifeline{stroke:#aaa;stroke-width:1}"
    ".hit{fill:#000;fill-opacity:0}"
    ".arrow{cursor:pointer}"
    ".arrow:hover .hit,.arrow:focus .hit{fill-opacity:0.05}"
    ".arrow.selected .hit{fill-opacity:0.1}"
    ".arrow:hover .label,.arrow.selected .label{font-weight:bold}"
    "</style>\n";

void sf_render_svg_view(GString *out, const sf_view *v, const char *title, bool xml_decl)
{
  svg s = {.out = out, .v = v, .l = v->ladder};

  measure(&s, (int)v->n_calls);
  if (xml_decl)
    g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_string_append_printf(out,
                         "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                         "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n<title>",
                         s.width, s.height, s.width, s.height);
  esc(&s, title);
  g_string_append(out, "</title>\n");
  g_string_append(out, svg_style);
  g_string_append_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
                         s.width, s.height);
  write_legend(&s);
  write_lanes(&s);
  int y = s.rows_top;
  for (size_t i = 0; i < v->n_arrows; i++) {
    write_arrow(&s, i, y);
    y += arrow_height(sf_view_arrow(v, i));
  }
  g_string_append(out, "</svg>\n");
  g_free(s.x);
}

static const char *title_of(const sipflow_render_options *o)
{
  return o->title ? o->title : "SIP call flow";
}

void sf_render_svg(GString *out, const sipflow_ladder *l, const sipflow_render_options *o)
{
  sf_view v;

  sf_view_init(&v, l, -1);
  sf_render_svg_view(out, &v, title_of(o), true);
  sf_view_clear(&v);
}

/* ----------------------------------------------------------------- html */

/* The page is also well-formed XML (the script sits in a commented CDATA
 * section), so xmllint can check it; it fetches nothing: the CSP forbids
 * any load besides the inline style and script. */
static const char html_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
    "<meta charset=\"utf-8\"/>\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\"/>\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
    "<meta name=\"generator\" content=\"sipflow\"/>\n";

static const char html_style[] =
    "<style>\n"
    "body{margin:0;font-family:" SANS_FONT ";color:#222;background:#fafafa}\n"
    "header{padding:8px 14px;background:#263238;color:#fff;display:flex;gap:16px;"
    "align-items:center}\n"
    "header h1{font-size:16px;margin:0;font-weight:600}\n"
    "main{display:flex;height:calc(100vh - 44px)}\n"
    "#ladder{flex:1 1 auto;min-width:0;overflow:auto;background:#fff;border-right:1px solid #ccc}\n"
    "#message-pane{flex:0 0 36em;max-width:45vw;overflow:auto;padding:10px 14px}\n"
    "#message-summary{font-size:13px;white-space:pre-wrap;color:#444;margin-bottom:8px}\n"
    "#message-text{font-family:" MONO_FONT ";font-size:12px;white-space:pre-wrap;"
    "word-break:break-all;background:#fff;border:1px solid #ddd;padding:8px;margin:0}\n"
    ".hint{color:#777;font-style:italic}\n"
    "</style>\n";

static const char html_script[] =
    "<script>//<![CDATA[\n"
    "(function () {\n"
    "  var data = JSON.parse(document.getElementById('ladder-data').textContent);\n"
    "  var pane = document.getElementById('message-pane');\n"
    "  var summary = document.getElementById('message-summary');\n"
    "  var text = document.getElementById('message-text');\n"
    "  var picker = document.getElementById('call-picker');\n"
    "  var selected = null;\n"
    "  function show(g) {\n"
    "    var i = Number(g.getAttribute('data-index')), m = data.messages[i];\n"
    "    if (!m) return;\n"
    "    if (selected) selected.classList.remove('selected');\n"
    "    selected = g;\n"
    "    g.classList.add('selected');\n"
    "    summary.className = '';\n"
    "    summary.textContent = m.summary;\n"
    "    text.textContent = m.text;\n"
    "    pane.setAttribute('data-index', String(i));\n"
    "  }\n"
    "  function arrowOf(e) {\n"
    "    return e.target.closest ? e.target.closest('.arrow') : null;\n"
    "  }\n"
    "  var ladder = document.getElementById('ladder');\n"
    "  ladder.addEventListener('click', function (e) {\n"
    "    var g = arrowOf(e);\n"
    "    if (g) show(g);\n"
    "  });\n"
    "  ladder.addEventListener('keydown', function (e) {\n"
    "    var g = arrowOf(e);\n"
    "    if (g) { if (e.key === 'Enter' || e.key === ' ') { show(g); e.preventDefault(); } }\n"
    "  });\n"
    "  function pick(k) {\n"
    "    var views = document.querySelectorAll('#ladder .ladder-view');\n"
    "    for (var j = 0; j !== views.length; j++)\n"
    "      views[j].hidden = views[j].getAttribute('data-call') !== k;\n"
    "  }\n"
    "  if (picker) {\n"
    "    picker.addEventListener('change', function () { pick(picker.value); });\n"
    "    pick(picker.value);\n"
    "  }\n"
    "})();\n"
    "//]]></script>\n";

/* messages[i] = {summary, text} for arrow i, shown as the reader should see
 * it (controls made visible), then JSON-escaped (no '<' survives).  The
 * summaries give times as the arrow's own call view shows them. */
static void write_data(GString *out, const sipflow_ladder *l)
{
  size_t n = sipflow_ladder_arrow_count(l);
  GString **summary = g_new0(GString *, n + 1);
  GString *vis = g_string_new(NULL);
  size_t *start, *order = sf_arrows_by_call(l, &start);

  for (unsigned c = 0; c < sipflow_ladder_call_count(l); c++) {
    sf_view v;
    sf_view_init_arrows(&v, l, order + start[c], start[c + 1] - start[c]);
    for (size_t k = 0; k < v.n_arrows; k++) {
      GString *raw = g_string_new(NULL);
      sf_render_summary(raw, &v, k);
      summary[v.arrows[k]] = raw;
    }
    sf_view_clear(&v);
  }
  g_string_append(out, "<script type=\"application/json\" id=\"ladder-data\">{\"messages\":[");
  for (size_t i = 0; i < n; i++) {
    const sipflow_ladder_arrow *a = sipflow_ladder_get_arrow(l, i);
    g_string_truncate(vis, 0);
    sf_escape(vis, summary[i]->str, summary[i]->len, SF_ESC_TEXT, SF_ESC_KEEP_NL);
    g_string_append(out, i ? ",\n{\"summary\":\"" : "\n{\"summary\":\"");
    sf_escape(out, vis->str, vis->len, SF_ESC_JSON, 0);
    g_string_truncate(vis, 0);
    sf_escape(vis, a->text, a->text_len, SF_ESC_TEXT, SF_ESC_KEEP_NL);
    g_string_append(out, "\",\"text\":\"");
    sf_escape(out, vis->str, vis->len, SF_ESC_JSON, 0);
    g_string_append(out, "\"}");
    g_string_free(summary[i], TRUE);
  }
  g_string_append(out, "]}</script>\n");
  g_string_free(vis, TRUE);
  g_free(summary);
  g_free(order);
  g_free(start);
}

static void write_picker(GString *out, const sipflow_ladder *l)
{
  GString *g = g_string_new(NULL);
  size_t n = sipflow_ladder_call_count(l);

  if (n < 2)
    return;
  g_string_append(out, "<label>Call <select id=\"call-picker\">\n");
  for (unsigned c = 0; c < n; c++) {
    g_string_truncate(g, 0);
    sf_render_call_title(g, l, c);
    g_string_append_printf(out, "<option value=\"%u\">", c);
    sf_escape(out, g->str, g->len, SF_ESC_XML, 0);
    g_string_append(out, "</option>\n");
  }
  g_string_append(out, "</select></label>\n");
  g_string_free(g, TRUE);
}

void sf_render_html(GString *out, const sipflow_ladder *l, const sipflow_render_options *o)
{
  size_t n_calls = sipflow_ladder_call_count(l);
  size_t *start, *order = sf_arrows_by_call(l, &start); /* one pass, not one per call */

  g_string_append(out, html_head);
  g_string_append(out, "<title>");
  sf_escape_str(out, title_of(o), SF_ESC_XML);
  g_string_append(out, "</title>\n");
  g_string_append(out, html_style);
  g_string_append(out, "</head>\n<body>\n<header><h1>");
  sf_escape_str(out, title_of(o), SF_ESC_XML);
  g_string_append(out, "</h1>\n");
  write_picker(out, l);
  g_string_append(out, "</header>\n<main>\n<div id=\"ladder\">\n");
  if (!n_calls)
    g_string_append(out, "<p class=\"hint\">No SIP messages.</p>\n");
  for (unsigned c = 0; c < n_calls; c++) {
    sf_view v;
    GString *t = g_string_new(NULL);
    sf_view_init_arrows(&v, l, order + start[c], start[c + 1] - start[c]);
    sf_render_call_title(t, l, c);
    g_string_append_printf(out, "<div class=\"ladder-view\" data-call=\"%u\"%s>\n", c,
                           c ? " hidden=\"hidden\"" : "");
    sf_render_svg_view(out, &v, t->str, false);
    g_string_append(out, "</div>\n");
    sf_view_clear(&v);
    g_string_free(t, TRUE);
  }
  g_string_append(out, "</div>\n<aside id=\"message-pane\">\n"
                       "<div id=\"message-summary\" class=\"hint\">Click an arrow to see "
                       "its message.</div>\n<pre id=\"message-text\"></pre>\n</aside>\n"
                       "</main>\n");
  g_free(order);
  g_free(start);
  write_data(out, l);
  g_string_append(out, html_script);
  g_string_append(out, "</body>\n</html>\n");
}
