/* SPDX-License-Identifier: GPL-2.0-or-later — STUB, to be written */
#include "sf_ctx.h"
struct sf_decode { int x; };
sf_decode *sf_decode_new(const sipflow_limits *limits, sf_decode_emit_fn emit, sf_diag_sink *diag, void *user) { return g_new0(sf_decode, 1); }
void sf_decode_free(sf_decode *dec) { g_free(dec); }
bool sf_decode_linktype_supported(int linktype) { return false; }
int sf_decode_packet(sf_decode *dec, int linktype, uint64_t frame, int64_t time_us, const uint8_t *data, size_t caplen, size_t wirelen) { return SIPFLOW_ERR_LINKTYPE; }
void sf_decode_expire(sf_decode *dec, int64_t now_us) {}
uint64_t sf_decode_fragments_reassembled(const sf_decode *dec) { return 0; }
