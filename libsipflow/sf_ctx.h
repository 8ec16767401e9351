/*
 * The context structure, private to the library.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SF_CTX_H
#define SF_CTX_H

#include <inttypes.h>

#include "sf_internal.h"

struct sipflow_ctx {
  sipflow_callbacks cb;
  void *user;
  sipflow_limits limits;
  sf_diag_sink diag;
  sf_decode *decode;
  sf_stream *stream;
  sf_header *headers;     /* scratch array for the parser */
  sipflow_counters counters;
  sipflow_progress_fn progress;
  int64_t last_time_us;
  bool finished;
  char errmsg[512];
  void *correlate;        /* correlate stage state (correlate.c) */
};

/* What sipflow_message.internal_ points to (sipflow.c): the parsed header
 * array, which the correlate stage also walks (calls.c). */
typedef struct sf_message_internal {
  const sf_header *headers;
  size_t n_headers;
} sf_message_internal;

void sf_ctx_set_error(sipflow_ctx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* correlate stage hooks (correlate.c): assign transaction/dialog/call ids and
 * the retransmission flag to msg before it is delivered. */
void sf_ctx_correlate_init(sipflow_ctx *ctx);
void sf_ctx_correlate(sipflow_ctx *ctx, sipflow_message *msg);
void sf_ctx_correlate_finish(sipflow_ctx *ctx);
void sf_ctx_correlate_free(sipflow_ctx *ctx);

#endif
