/*
 * render stage, private: the ladder model's storage, views over it, and the
 * helpers the renderers share (escaping, colours, times).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * ladder.c        model, views, escaping, sipflow_ladder_render() dispatch
 * render_text.c   text and ascii
 * render_svg.c    svg and html
 * render_mermaid.c mermaid and json
 * render_doc.c    the ladder document of `sipflow ladder` (headings, order)
 * render_stats.c  the text of `sipflow stats`
 */
#ifndef SF_RENDER_H
#define SF_RENDER_H

#include <string.h>

#include "sf_internal.h"

/* The model.  Every string lives in `strings`; lanes, calls and arrows are
 * GArrays of the public structs. */
struct sipflow_ladder {
  sipflow_ladder_options opt;
  GStringChunk *strings;
  GArray *lanes;            /* sipflow_ladder_lane */
  GArray *calls;            /* sipflow_ladder_call */
  GArray *arrows;           /* sipflow_ladder_arrow */
  GHashTable *lane_by_addr; /* address string -> lane index + 1 */
  GHashTable *call_by_key;  /* "#<call>" or "=<Call-ID>" -> call index + 1 */
  GHashTable *agent_origin; /* agent string -> lane index + 1 of its first sender */
};

/* A view: the arrows of one call (or all of them) and the lanes they use,
 * in ladder order.  Times in a view count from its first arrow. */
typedef struct sf_view {
  const sipflow_ladder *ladder;
  unsigned n_lanes;
  unsigned *lanes;     /* lane index of each column */
  int *column;         /* lane index -> column, -1 when the view lacks it */
  size_t n_arrows;
  size_t *arrows;      /* arrow indexes */
  unsigned n_calls;    /* calls present in the view */
  unsigned *calls;     /* their indexes, in order of first appearance */
  int64_t t0_us;       /* time of the first arrow */
  bool mixed_transport;
} sf_view;

/* call_index < 0: every arrow. */
void sf_view_init(sf_view *v, const sipflow_ladder *l, int call_index);
/* The view of the given arrows (indexes in ladder order). */
void sf_view_init_arrows(sf_view *v, const sipflow_ladder *l, const size_t *arrows, size_t n);
/* Every arrow index grouped by call in one pass: call c's arrows are
 * order[start[c] .. start[c+1]), in ladder order.  g_free both. */
size_t *sf_arrows_by_call(const sipflow_ladder *l, size_t **start);
void sf_view_clear(sf_view *v);
const sipflow_ladder_arrow *sf_view_arrow(const sf_view *v, size_t i);
/* true when the view's arrows do not all use one transport: renderers then
 * mark each arrow's transport, else they name it once. */
bool sf_view_mixed_transport(const sf_view *v);
/* Time since the view's first arrow and since the view's previous arrow. */
int64_t sf_view_rel_us(const sf_view *v, size_t i);
int64_t sf_view_delta_us(const sf_view *v, size_t i);

/* Escaping of capture bytes for an output.  Invalid UTF-8 and characters a
 * reader could not see (C0/C1 controls, DEL, format and zero-width
 * characters) become the visible text "\xNN" (one per byte), except in
 * JSON, which escapes controls the JSON way. */
typedef enum sf_esc {
  SF_ESC_TEXT,    /* terminal UTF-8 */
  SF_ESC_ASCII,   /* 7-bit: every byte >= 0x80 becomes \xNN too */
  SF_ESC_XML,     /* XML 1.0 character data and attribute values */
  SF_ESC_JSON,    /* JSON string contents; also < > & U+2028 U+2029 as \u
                     escapes so the result is safe inside an HTML <script> */
  SF_ESC_MERMAID  /* # ; " < > & as Mermaid entity codes (#59;) */
} sf_esc;
#define SF_ESC_KEEP_NL 1u /* keep \n, \r and \t as they are */
#define SF_ESC_BACKSLASH 2u /* '\' doubled: a "\x41" from the capture cannot
                               pass for an escape */

void sf_escape(GString *out, const char *s, size_t len, sf_esc mode, unsigned flags);
/* Capture text for a terminal as the CLI shows it everywhere (the tables,
 * the ladder headings, the stats): sf_term_escape (render_table_engine.h)
 * appended to out.  Unlike SF_ESC_TEXT it keeps the visible characters a
 * diagram hides (combining marks, unassigned code points) but, like it,
 * escapes the controls and the bidirectional and invisible format
 * characters.  s NULL: nothing. */
void sf_escape_terminal(GString *out, const char *s, size_t len);
static inline void sf_escape_str(GString *out, const char *s, sf_esc mode)
{
  if (s)
    sf_escape(out, s, strlen(s), mode, 0);
}

/* "+1.234" seconds with millisecond precision ("-0.005" when negative). */
void sf_render_seconds(GString *out, int64_t us, bool plus);
/* "2026-01-15 10:00:00.000 UTC" */
void sf_render_date(GString *out, int64_t epoch_us);
/* One line (raw bytes, not escaped) describing an arrow: "frame 3  +0.120 s
 * 10.0.0.1:5060 -> 10.0.0.2:5060 udp  INVITE sip:bob@b.example (CSeq 1
 * INVITE)" plus " retransmission" and the SDP summary. */
void sf_render_summary(GString *out, const sf_view *v, size_t i);
/* Colour of a call: "#1f77b4" ... (cycles). */
const char *sf_render_call_color(unsigned call_index);
/* Text for the call picker and the legends: "call 1 INVITE bob (Call-ID)";
 * raw bytes, not escaped. */
void sf_render_call_title(GString *out, const sipflow_ladder *l, unsigned call_index);

#define SF_TEXT_DEFAULT_WIDTH 100 /* text, ascii: columns when options say 0 */

/* The renderers; each appends to out. */
void sf_render_text(GString *out, const sipflow_ladder *l, const sipflow_render_options *o,
                    bool ascii);
void sf_render_svg(GString *out, const sipflow_ladder *l, const sipflow_render_options *o);
void sf_render_html(GString *out, const sipflow_ladder *l, const sipflow_render_options *o);
void sf_render_mermaid(GString *out, const sipflow_ladder *l);
void sf_render_json(GString *out, const sipflow_ladder *l);

/* The SVG of one view; with xml_decl the document is standalone. */
void sf_render_svg_view(GString *out, const sf_view *v, const char *title, bool xml_decl);

#endif /* SF_RENDER_H */
