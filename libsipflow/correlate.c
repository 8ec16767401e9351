/*
 * correlate stage — placeholder until transactions/dialogs land (issue 3).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sf_ctx.h"

void sf_ctx_correlate_init(sipflow_ctx *ctx) { (void)ctx; }
void sf_ctx_correlate(sipflow_ctx *ctx, sipflow_message *msg) { (void)ctx; (void)msg; }
void sf_ctx_correlate_finish(sipflow_ctx *ctx) { (void)ctx; }
void sf_ctx_correlate_free(sipflow_ctx *ctx) { (void)ctx; }
