/*
 * The ladder as `sipflow ladder` prints it (cli/cmd_ladder.c), from a
 * replay of the stored messages.  The whole document (per-call headings,
 * call order, the diagram of a chosen call) is the library's
 * (sipflow_ladder_doc_*), the one the CLI writes: this file only feeds it
 * the replay and gathers the text.
 *  - no call chosen, text/ascii: each call on its own after its heading;
 *  - one call chosen (a call number or a Call-ID, as `--call`): the
 *    headings of the calls it matches, then one diagram.
 * tests/cli/plugin_outputs.sh compares both with the CLI byte for byte.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sfw.h"

static void on_message(const sipflow_message *m, void *user)
{
  sipflow_ladder_doc_add_message(user, m);
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  sipflow_ladder_doc_add_call(user, c);
}

static void append_text(const char *text, size_t len, void *user)
{
  g_string_append_len(user, text, (gssize)len);
}

char *sfw_report_ladder(const char *call, sipflow_ladder_format format, unsigned width,
                        char **err)
{
  GString *out = g_string_new(NULL);
  sipflow_ladder_doc_options opt = {
    .format = format,
    .render = {.width = width},
    .calls = &call,
    .n_calls = call ? 1 : 0,
  };
  sipflow_ladder_doc *doc = sipflow_ladder_doc_new(&opt, append_text, out);
  sfw_replay r = {.on_message = on_message, .on_call_end = on_call_end, .user = doc};

  *err = NULL;
  if (!doc) {
    *err = g_strdup(sipflow_strerror(SIPFLOW_ERR_INVALID));
    return g_string_free(out, TRUE);
  }
  sfw_replay_run(&r);
  *err = sipflow_ladder_doc_call_missing(doc, 0);
  if (*err)
    sipflow_ladder_doc_free(doc);
  else
    sipflow_ladder_doc_finish(doc, 1); /* the replay is always whole */
  sfw_replay_free(&r);
  return g_string_free(out, *err != NULL);
}
