/*
 * The ladder as `sipflow ladder` prints it (cli/cmd_ladder.c), from a
 * replay of the stored messages.  The diagram itself is the library's
 * (sipflow_ladder_render); what is repeated here is only the CLI's layout
 * around it:
 *  - no call chosen, text/ascii: each call on its own, in the order the
 *    library finalises them, after a heading "━━ call N: state, final -
 *    failure ━━", a blank line between calls;
 *  - one call chosen (a call number or a Call-ID, as `--call`): the
 *    headings of the calls it matches, a blank line, then one diagram.
 * tests/cli/plugin_outputs.sh compares both with the CLI byte for byte, so
 * a change on either side shows up there.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfw.h"

typedef struct ladder_doc {
  sipflow_ladder_format format;
  sipflow_render_options render;
  const char *want;       /* the chosen call's number or Call-ID, NULL = all */
  uint32_t want_number;   /* want read as a number, 0 when it is not one */
  bool seen;              /* a message matched want */
  sipflow_ladder *all;    /* the one diagram (a call chosen, or not text) */
  GHashTable *open;       /* per call: call id -> sipflow_ladder * */
  GString *headings;      /* a call chosen: the headings of its calls */
  GString *out;
  size_t calls_written;
} ladder_doc;

static bool is_text(sipflow_ladder_format f)
{
  return f == SIPFLOW_LADDER_TEXT || f == SIPFLOW_LADDER_ASCII;
}

/* "call 3: busy, 486 Busy Here - rejected by ..." */
static char *heading_of(const sipflow_call_info *c)
{
  GString *g = g_string_new(NULL);

  g_string_append_printf(g, "call %u: %s", c->call, sipflow_call_state_name(c->state));
  if (c->final_status)
    g_string_append_printf(g, ", %d %s", c->final_status, c->reason ? c->reason : "");
  if (c->failure)
    g_string_append_printf(g, " - %s", c->failure);
  return g_string_free(g, FALSE);
}

/* 7-bit text for the ascii format: every other byte as \xNN. */
static void ascii_escape(GString *out, const char *s)
{
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7f && c != '\\')
      g_string_append_c(out, (char)c);
    else if (c == '\\')
      g_string_append(out, "\\\\");
    else
      g_string_append_printf(out, "\\x%02x", c);
  }
}

static void write_heading(GString *out, sipflow_ladder_format f, const char *raw)
{
  bool ascii = f == SIPFLOW_LADDER_ASCII;

  g_string_append(out, ascii ? "== " : "━━ ");
  if (ascii)
    ascii_escape(out, raw);
  else
    sfw_text_escape(out, raw, strlen(raw));
  g_string_append(out, ascii ? " ==\n" : " ━━\n");
}

static void write_ladder(ladder_doc *d, const sipflow_ladder *l)
{
  char *buf = NULL;
  size_t len = 0;

  if (sipflow_ladder_render(l, d->format, &d->render, &buf, &len) == SIPFLOW_OK)
    g_string_append_len(d->out, buf, (gssize)len);
  sipflow_buffer_free(buf);
}

static void write_call(ladder_doc *d, const char *heading, const sipflow_ladder *l)
{
  if (d->calls_written++)
    g_string_append_c(d->out, '\n');
  write_heading(d->out, d->format, heading);
  write_ladder(d, l);
}

static bool span_is(sipflow_span s, const char *text)
{
  size_t n = strlen(text);
  return s.ptr && s.len == n && memcmp(s.ptr, text, n) == 0;
}

static void on_message(const sipflow_message *m, void *user)
{
  ladder_doc *d = user;

  if (d->want) {
    if (!(d->want_number && m->call == d->want_number) && !span_is(m->call_id, d->want))
      return;
    d->seen = true;
  }
  if (d->all) {
    sipflow_ladder_add(d->all, m);
    return;
  }
  sipflow_ladder *l = g_hash_table_lookup(d->open, GUINT_TO_POINTER(m->call));
  if (!l) {
    l = sipflow_ladder_new(NULL);
    g_hash_table_insert(d->open, GUINT_TO_POINTER(m->call), l);
  }
  sipflow_ladder_add(l, m);
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  ladder_doc *d = user;

  if (d->all) {
    if (d->want && ((d->want_number && c->call == d->want_number) ||
                    (c->call_id && strcmp(c->call_id, d->want) == 0))) {
      char *h = heading_of(c);
      write_heading(d->headings, d->format, h);
      g_free(h);
    }
    return;
  }
  sipflow_ladder *l = g_hash_table_lookup(d->open, GUINT_TO_POINTER(c->call));
  if (!l)
    return;
  char *h = heading_of(c);
  write_call(d, h, l);
  g_free(h);
  g_hash_table_remove(d->open, GUINT_TO_POINTER(c->call));
}

/* "17" -> 17; anything else (a Call-ID) -> 0, as the CLI reads --call. */
static uint32_t call_number(const char *arg)
{
  char *end = NULL;
  unsigned long long v;

  if (!g_ascii_isdigit(arg[0]))
    return 0;
  errno = 0;
  v = strtoull(arg, &end, 10);
  return errno == 0 && *end == '\0' && v <= UINT32_MAX ? (uint32_t)v : 0;
}

char *sfw_report_ladder(const char *call, sipflow_ladder_format format, unsigned width,
                        char **err)
{
  ladder_doc d = {.format = format, .render = {.width = width}, .want = call,
                  .out = g_string_new(NULL), .headings = g_string_new(NULL)};
  sfw_replay r = {.on_message = on_message, .on_call_end = on_call_end, .user = &d};

  *err = NULL;
  if (call)
    d.want_number = call_number(call);
  if (!call && is_text(format))
    d.open = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sipflow_ladder_free);
  else
    d.all = sipflow_ladder_new(NULL);
  sfw_replay_run(&r);

  if (call && !d.seen) {
    GString *e = g_string_new("no call '");
    sfw_text_escape(e, call, strlen(call));
    g_string_append(e, "' in the capture (give a call number as 'sipflow calls' shows it, "
                       "or a Call-ID)");
    *err = g_string_free(e, FALSE);
  } else if (d.open) {
    /* messages of no finalised call (none expected after sipflow_finish) */
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, d.open);
    while (g_hash_table_iter_next(&it, &key, &value)) {
      char *h = g_strdup_printf("call %u", GPOINTER_TO_UINT(key));
      write_call(&d, h, value);
      g_free(h);
      g_hash_table_iter_remove(&it);
    }
    if (!d.calls_written)
      g_string_append(d.out, "no SIP messages\n");
  } else {
    if (is_text(format) && d.headings->len)
      g_string_append_printf(d.out, "%s\n", d.headings->str);
    write_ladder(&d, d.all);
  }
  sfw_replay_free(&r);
  if (d.open)
    g_hash_table_destroy(d.open);
  sipflow_ladder_free(d.all);
  g_string_free(d.headings, TRUE);
  if (*err) {
    g_string_free(d.out, TRUE);
    return NULL;
  }
  return g_string_free(d.out, FALSE);
}
