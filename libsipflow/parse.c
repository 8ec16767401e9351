/* SPDX-License-Identifier: GPL-2.0-or-later — STUB, to be written */
#include "sf_ctx.h"
int sf_parse_message(const char *buf, size_t len, bool stream, sipflow_message *msg, sf_header *headers, size_t *num_headers, const char **why) { *why = "stub"; return SIPFLOW_ERR_MALFORMED; }
const char *sf_parse_compact_name(char c) { return NULL; }
bool sf_parse_find_header(const sf_header *headers, size_t n, const char *name, unsigned index, sipflow_span *value) { return false; }
