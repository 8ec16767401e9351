/* SPDX-License-Identifier: GPL-2.0-or-later — STUB, to be written */
#include "sf_ctx.h"
int sf_framer_is_sip_start(const char *buf, size_t len) { return 0; }
long sf_framer_message_length(const char *buf, size_t len, const char **why) { return SIPFLOW_ERR_MALFORMED; }
long sf_framer_find_start(const char *buf, size_t len) { return -1; }
