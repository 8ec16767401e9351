/* SPDX-License-Identifier: GPL-2.0-or-later — STUB, to be written */
#include "sf_ctx.h"
struct sf_stream { int x; };
sf_stream *sf_stream_new(const sipflow_limits *limits, sf_stream_emit_fn emit, sf_diag_sink *diag, void *user) { return g_new0(sf_stream, 1); }
void sf_stream_free(sf_stream *st) { g_free(st); }
void sf_stream_datagram(sf_stream *st, const sf_l4 *l4) {}
void sf_stream_tcp(sf_stream *st, const sf_l4 *l4) {}
void sf_stream_expire(sf_stream *st, int64_t now_us) {}
void sf_stream_finish(sf_stream *st) {}
uint64_t sf_stream_segments(const sf_stream *st) { return 0; }
