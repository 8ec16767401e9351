/* SPDX-License-Identifier: GPL-2.0-or-later — STUB, to be written */
#include "sf_ctx.h"
int sipflow_read_files(sipflow_ctx *ctx, const char *const *paths, size_t n, const char *bpf_filter) { return SIPFLOW_ERR_IO; }
