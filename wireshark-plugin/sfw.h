/*
 * sipflow Wireshark plugin: declarations shared by its files.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The plugin only adapts Wireshark to libsipflow (DESIGN.md): it hands every
 * whole SIP message Wireshark's dissector found to sipflow_feed_sip() and
 * shows what the library computed.  No SIP logic here.
 *
 *   plugin.c  registration, the "SIP Flow" fields, the postdissector
 *   store.c   per-file state: the library context, the messages fed, call
 *             snapshots for the fields
 *   report.c  whole-capture outputs (call table, failed calls, KPIs) by
 *             replaying the stored messages into a fresh context
 *   report_ladder.c  the ladder as `sipflow ladder` prints it
 *   ui.c      `-z sipflow,...` statistics and the Telephony > SIP Flow menu
 *
 * Wireshark's plugin API forces file-wide state into globals (the dissector
 * callbacks take no user pointer); it is gathered in one sfw_state, reset
 * when a capture file is opened and freed when it is closed.
 */
#ifndef SFW_H
#define SFW_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <sipflow/sipflow.h>

/* One SIP message the plugin fed to the library, in feed order. */
typedef struct sfw_msg {
  uint32_t frame;
  int64_t time_us;
  sipflow_endpoint src, dst;
  sipflow_transport transport;
  char *bytes; /* the message as fed (owned) */
  size_t len;
  /* what the library assigned (sipflow_message) */
  uint32_t transaction, dialog, call;
  bool retransmission;
} sfw_msg;

/* What the fields show of a call, copied out of sipflow_call_info. */
typedef struct sfw_call_view {
  uint32_t call;
  char *call_id;
  sipflow_call_state state;
  int final_status;
  int64_t setup_ms, answer_ms;
  double duration_s;
  char *failure; /* NULL unless failed */
  unsigned anomalies;
  uint32_t linked_call;
  uint64_t valid_at; /* sfw_state.fed when computed */
} sfw_call_view;

typedef struct sfw_state {
  sipflow_ctx *ctx;        /* fed on the first pass, never finished (a GUI
                              capture may still grow) */
  GPtrArray *msgs;         /* sfw_msg *, feed order */
  GHashTable *views;       /* call id -> sfw_call_view * */
  uint64_t fed;            /* messages accepted so far */
  sfw_msg *pending;        /* the message being fed (on_message fills it) */
  char last_diag[256];     /* why the library rejected the last message */
} sfw_state;

/* store.c */
sfw_state *sfw_state_get(void);
void sfw_state_reset(void);
void sfw_state_free(void);
/* Feeds one message (bytes copied).  Returns the stored message, or NULL
 * when the library did not take it (then last_diag says why). */
const sfw_msg *sfw_feed(uint32_t frame, int64_t time_us, const sipflow_endpoint *src,
                        const sipflow_endpoint *dst, sipflow_transport transport,
                        const char *bytes, size_t len);
/* The call's values as of now (the whole capture once the first pass is
 * over); NULL when unknown. */
const sfw_call_view *sfw_call_view_get(uint32_t call);

/* report.c */

/* A replay: a fresh library context fed the stored messages in capture
 * order and finished, so that whole-capture outputs see exactly what the
 * CLI sees.  The optional hooks get the library's callbacks. */
typedef struct sfw_replay {
  sipflow_ctx *ctx;
  uint32_t n_calls; /* highest call id */
  void (*on_message)(const sipflow_message *msg, void *user);
  void (*on_call_end)(const sipflow_call_info *call, void *user);
  void *user;
} sfw_replay;
void sfw_replay_run(sfw_replay *r);
void sfw_replay_free(sfw_replay *r);

/* Whole-capture outputs.  Each returns a newly allocated NUL-terminated
 * text (g_free), or NULL with *err set (g_free). */
char *sfw_report_calls(GHashTable *only_calls, bool failed_only, char **err);
char *sfw_report_stats(char **err);

/* report_ladder.c: the ladder as `sipflow ladder` prints it: every call
 * with a heading (call NULL), or `--call CALL` (a call number or a
 * Call-ID).  width 0 = the renderer's default. */
char *sfw_report_ladder(const char *call, sipflow_ladder_format format, unsigned width,
                        char **err);

/* The call of the first message of frame `frame`, 0 when none. */
uint32_t sfw_call_of_frame(uint32_t frame);

/* ui.c */
void sfw_ui_register(int proto);
/* What the postdissector queues on the "sipflow" tap, once per message. */
typedef struct sfw_tap_rec {
  const sfw_msg *msg;
} sfw_tap_rec;

#endif
