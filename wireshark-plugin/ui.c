/*
 * What the plugin adds to Wireshark's and tshark's user interface:
 *  - `-z sipflow,calls[,FILTER]`, `-z sipflow,ladder[,CALL-ID]`,
 *    `-z sipflow,stats` (printed at the end of the run);
 *  - Telephony > SIP Flow > Calls / Failed calls / Ladder of the selected
 *    call (text windows);
 *  - `-z sipflow,menu,calls|failed|ladder,FRAME`, which run the menu
 *    actions themselves from tshark (how the tests reach them).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A `-z` argument registers a listener on the plugin's "sipflow" tap; tshark
 * calls its draw callback once, after the last packet, when the plugin holds
 * the whole capture.  Errors in the argument end tshark with status 1, as
 * Wireshark's own statistics do.
 */
#define WS_LOG_DOMAIN "sipflow"
#include <wireshark.h>

#include <epan/funnel.h>
#include <epan/packet.h>
#include <epan/plugin_if.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sfw.h"

#define BANNER "==================================================================="

typedef enum zkind { Z_CALLS, Z_LADDER, Z_STATS, Z_MENU_CALLS, Z_MENU_FAILED,
                     Z_MENU_LADDER } zkind;

/* One `-z sipflow,...` listener. */
typedef struct zlistener {
  zkind kind;
  char *arg;            /* the whole -z argument, for the banner */
  char *filter;         /* calls: display filter, NULL = none */
  char *call_id;        /* ladder: NULL = every call */
  uint32_t frame;       /* menu ladder */
  GHashTable *calls;    /* calls: ids seen in packets that matched the filter */
} zlistener;

/* ------------------------------------------------------- menu actions */

/* Shows text in a text window (Wireshark), or on stdout when there is no
 * GUI behind the funnel (tshark prints its text windows at exit too, but
 * stdout keeps the order of the -z outputs). */
static void show_text(const char *title, const char *text, bool gui)
{
  const funnel_ops_t *ops = funnel_get_funnel_ops();

  if (gui && ops && ops->new_text_window && ops->set_text) {
    funnel_text_window_t *tw = ops->new_text_window(ops->ops_id, title);
    ops->set_text(tw, text);
    return;
  }
  printf("%s\n%s\n%s\n%s%s\n", BANNER, title, BANNER, text, BANNER);
}

static void menu_calls(bool gui)
{
  char *err = NULL;
  char *text = sfw_report_calls(NULL, false, &err);
  show_text("SIP Flow: calls", text ? text : err, gui);
  g_free(text);
  g_free(err);
}

static void menu_failed(bool gui)
{
  char *err = NULL;
  /* the packets of the failed calls in the packet list (no-op in tshark) */
  plugin_if_apply_filter("sipflow.failed", TRUE);
  char *text = sfw_report_calls(NULL, true, &err);
  show_text("SIP Flow: failed calls", text ? text : err, gui);
  g_free(text);
  g_free(err);
}

/* Writes the HTML ladder to a temporary file; returns its path or NULL. */
static char *write_html_ladder(const char *call)
{
  char *err = NULL, *path = NULL;
  char *html = sfw_report_ladder(call, SIPFLOW_LADDER_HTML, 0, &err);
  int fd = html ? g_file_open_tmp("sipflow-ladder-XXXXXX.html", &path, NULL) : -1;

  if (fd >= 0) {
    close(fd);
    if (!g_file_set_contents(path, html, -1, NULL)) {
      g_unlink(path);
      g_clear_pointer(&path, g_free);
    }
  }
  g_free(html);
  g_free(err);
  return path;
}

static void menu_ladder(uint32_t frame, bool gui)
{
  uint32_t call = sfw_call_of_frame(frame);
  char *title = g_strdup_printf("SIP Flow: ladder of the call of frame %u", frame);

  if (!call) {
    char *msg = g_strdup_printf("frame %u carries no SIP message that sipflow analysed;\n"
                                "select a SIP packet first.\n", frame);
    show_text(title, msg, gui);
    g_free(msg);
    g_free(title);
    return;
  }
  char *err = NULL;
  char *number = g_strdup_printf("%u", call);
  char *text = sfw_report_ladder(number, SIPFLOW_LADDER_TEXT, 0, &err);
  GString *body = g_string_new(text ? text : err);
  char *html = write_html_ladder(number);
  const funnel_ops_t *ops = funnel_get_funnel_ops();
  if (html) {
    g_string_append_printf(body, "\nHTML ladder: %s\n", html);
    if (gui && ops && ops->browser_open_data_file)
      ops->browser_open_data_file(html);
  }
  show_text(title, body->str, gui);
  g_string_free(body, TRUE);
  g_free(html);
  g_free(text);
  g_free(err);
  g_free(number);
  g_free(title);
}

/* The frame selected in the packet list. */
static void *selected_frame_cb(frame_data *fd, void *user)
{
  return fd ? GUINT_TO_POINTER(fd->num) : NULL;
}

static void gui_calls(ext_menubar_gui_type type, gpointer obj, gpointer user)
{
  menu_calls(true);
}

static void gui_failed(ext_menubar_gui_type type, gpointer obj, gpointer user)
{
  menu_failed(true);
}

static void gui_ladder(ext_menubar_gui_type type, gpointer obj, gpointer user)
{
  menu_ladder(GPOINTER_TO_UINT(plugin_if_get_frame_data(selected_frame_cb, NULL)), true);
}

/* ------------------------------------------------------ -z listeners */

static void zlistener_free(zlistener *z)
{
  g_free(z->arg);
  g_free(z->filter);
  g_free(z->call_id);
  if (z->calls)
    g_hash_table_destroy(z->calls);
  g_free(z);
}

static tap_packet_status z_packet(void *data, packet_info *pinfo, epan_dissect_t *edt,
                                  const void *rec, tap_flags_t flags)
{
  zlistener *z = data;
  const sfw_tap_rec *r = rec;

  if (z->calls && r && r->msg)
    g_hash_table_add(z->calls, GUINT_TO_POINTER(r->msg->call));
  return TAP_PACKET_DONT_REDRAW;
}

/* The text ladder's width, chosen as `sipflow ladder` does: the terminal's
 * when stdout is one, else $COLUMNS when set, else the renderer's default. */
static unsigned ladder_width(void)
{
  struct winsize ws;
  const char *cols = getenv("COLUMNS");

  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  if (cols && *cols) {
    char *end;
    long v = strtol(cols, &end, 10);
    if (*end == '\0' && v > 0 && v < 100000)
      return (unsigned)v;
  }
  return isatty(STDOUT_FILENO) ? 120 : 0;
}

static void z_draw(void *data)
{
  zlistener *z = data;
  char *err = NULL, *text = NULL;

  switch (z->kind) {
  case Z_CALLS:
    text = sfw_report_calls(z->calls, false, &err);
    break;
  case Z_LADDER:
    text = sfw_report_ladder(z->call_id, SIPFLOW_LADDER_TEXT, ladder_width(), &err);
    break;
  case Z_STATS:
    text = sfw_report_stats(&err);
    break;
  case Z_MENU_CALLS:
    menu_calls(false);
    return;
  case Z_MENU_FAILED:
    menu_failed(false);
    return;
  case Z_MENU_LADDER:
    menu_ladder(z->frame, false);
    return;
  }
  if (!text) {
    fprintf(stderr, "tshark: -z %s: %s\n", z->arg, err);
    g_free(err);
    return;
  }
  printf("%s\n%s  (sipflow %s)%s%s\n%s\n", BANNER, z->arg, PLUGIN_VERSION,
         z->filter ? "  filter: " : "", z->filter ? z->filter : "", BANNER);
  fputs(text, stdout);
  printf("%s\n", BANNER);
  g_free(text);
}

static void z_finish(void *data)
{
  zlistener_free(data);
}

static G_NORETURN void z_usage(const char *arg, const char *why)
{
  fprintf(stderr,
          "tshark: invalid -z argument '%s': %s\n"
          "  use -z sipflow,calls[,FILTER]  -z sipflow,ladder[,CALL-ID]  -z sipflow,stats\n"
          "      -z sipflow,menu,calls  -z sipflow,menu,failed  -z sipflow,menu,ladder,FRAME\n",
          arg, why);
  exit(1);
}

/* The part of arg after prefix: NULL when nothing follows, the text after
 * the comma otherwise; anything else (sipflow,callsX) is an error. */
static const char *z_rest(const char *arg, const char *prefix)
{
  const char *p = arg + strlen(prefix);
  if (*p == '\0')
    return NULL;
  if (*p != ',')
    z_usage(arg, "unknown sipflow statistic");
  return p + 1;
}

static void z_start(zlistener *z, const char *arg)
{
  z->arg = g_strdup(arg);
  GString *e = register_tap_listener("sipflow", z, z->filter, TL_REQUIRES_NOTHING, NULL,
                                     z_packet, z_draw, z_finish);
  if (e) {
    fprintf(stderr, "tshark: -z %s: %s\n", arg, e->str);
    g_string_free(e, TRUE);
    zlistener_free(z);
    exit(1);
  }
}

static void z_calls_init(const char *arg, void *userdata)
{
  zlistener *z = g_new0(zlistener, 1);
  const char *rest = z_rest(arg, "sipflow,calls");

  z->kind = Z_CALLS;
  if (rest) {
    if (!*rest)
      z_usage(arg, "empty display filter");
    z->filter = g_strdup(rest);
    z->calls = g_hash_table_new(g_direct_hash, g_direct_equal);
  }
  z_start(z, arg);
}

static void z_ladder_init(const char *arg, void *userdata)
{
  zlistener *z = g_new0(zlistener, 1);
  const char *rest = z_rest(arg, "sipflow,ladder");

  z->kind = Z_LADDER;
  if (rest) {
    if (!*rest)
      z_usage(arg, "empty Call-ID");
    z->call_id = g_strdup(rest);
  }
  z_start(z, arg);
}

static void z_stats_init(const char *arg, void *userdata)
{
  if (z_rest(arg, "sipflow,stats"))
    z_usage(arg, "sipflow,stats takes no argument");
  zlistener *z = g_new0(zlistener, 1);
  z->kind = Z_STATS;
  z_start(z, arg);
}

static void z_menu_init(const char *arg, void *userdata)
{
  const char *rest = z_rest(arg, "sipflow,menu");
  zlistener *z = g_new0(zlistener, 1);

  if (rest && strcmp(rest, "calls") == 0) {
    z->kind = Z_MENU_CALLS;
  } else if (rest && strcmp(rest, "failed") == 0) {
    z->kind = Z_MENU_FAILED;
  } else if (rest && g_str_has_prefix(rest, "ladder,")) {
    char *end = NULL;
    guint64 n = g_ascii_strtoull(rest + 7, &end, 10);
    if (end == rest + 7 || *end || n == 0 || n > G_MAXUINT32)
      z_usage(arg, "FRAME must be a frame number");
    z->kind = Z_MENU_LADDER;
    z->frame = (uint32_t)n;
  } else {
    z_usage(arg, "menu entries are calls, failed and ladder,FRAME");
  }
  z_start(z, arg);
}

/* ------------------------------------------------------ registration */

static tap_param filter_param[] = {{PARAM_FILTER, "filter", "Filter", NULL, TRUE}};

void sfw_ui_register(int proto)
{
  static stat_tap_ui calls = {REGISTER_PACKET_STAT_GROUP_UNSORTED, "SIP Flow calls",
                              "sipflow,calls", z_calls_init, 1, filter_param};
  static stat_tap_ui ladder = {REGISTER_PACKET_STAT_GROUP_UNSORTED, "SIP Flow ladder",
                               "sipflow,ladder", z_ladder_init, 0, NULL};
  static stat_tap_ui stats = {REGISTER_PACKET_STAT_GROUP_UNSORTED, "SIP Flow statistics",
                              "sipflow,stats", z_stats_init, 0, NULL};
  static stat_tap_ui menu = {REGISTER_PACKET_STAT_GROUP_UNSORTED, "SIP Flow menu actions",
                             "sipflow,menu", z_menu_init, 0, NULL};
  register_stat_tap_ui(&calls, NULL);
  register_stat_tap_ui(&ladder, NULL);
  register_stat_tap_ui(&stats, NULL);
  register_stat_tap_ui(&menu, NULL);

  ext_menu_t *m = ext_menubar_register_menu(proto, "SIP Flow", TRUE);
  ext_menubar_set_parentmenu(m, "Telephony");
  ext_menubar_add_entry(m, "Calls", "The sipflow call table of this capture", gui_calls,
                        NULL);
  ext_menubar_add_entry(m, "Failed calls",
                        "Show only the failed calls' packets, and why each call failed",
                        gui_failed, NULL);
  ext_menubar_add_entry(m, "Ladder of the selected call",
                        "Ladder diagram of the selected packet's call (text; HTML in the "
                        "browser)", gui_ladder, NULL);
}
