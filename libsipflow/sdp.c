/* SPDX-License-Identifier: GPL-2.0-or-later — STUB, to be written */
#include "sf_ctx.h"
int sipflow_sdp_parse(const char *body, size_t len, sipflow_sdp *out) { return SIPFLOW_ERR_MALFORMED; }
