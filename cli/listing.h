/*
 * What the list commands (calls, failed, transactions, dialogs) share:
 * the filter options and the buffer that puts rows back in id order.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SIPFLOW_CLI_LISTING_H
#define SIPFLOW_CLI_LISTING_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <sipflow/sipflow.h>

/* ------------------------------------------------------------- filters */

/* What --state names: the state of a call, a transaction or a dialog. */
typedef enum list_kind { LIST_CALLS, LIST_TRANSACTIONS, LIST_DIALOGS } list_kind;

/* The filters of a list command.  Each one that is set must match (AND);
 * the values of a repeated or comma-separated option are alternatives (OR). */
typedef struct list_filter {
  list_kind kind;
  char **call_ids;      /* --call: exact Call-IDs, or call numbers */
  char *from, *to;      /* --from, --to: substring of the URI user part,
                           ASCII case-insensitive */
  unsigned states;      /* --state: bit (1u << state), 0 = any */
  GPtrArray *methods;   /* --method: char*, compared case-insensitively */
  bool has_since, has_until;
  int64_t since_us, until_us; /* --since/--until, inclusive, epoch µs */
} list_filter;

/* A GOption group "filters" for f (f->kind set by the caller; f must
 * outlive the group).  Bad values (an unknown state, a time that is
 * neither epoch seconds nor ISO-8601) are usage errors reported by GOption. */
GOptionGroup *list_filter_group(list_filter *f);
/* Frees what the options stored in f (not f itself). */
void list_filter_clear(list_filter *f);

/* Whether no filter is set: every row passes (checked once, not a row). */
bool list_filter_none(const list_filter *f);
/* --call, --from and --to against a call. */
bool list_filter_call(const list_filter *f, const sipflow_call_info *call);
/* --state (a value of the kind's state enum), --method, --since/--until
 * (start of the call, transaction or dialog). */
bool list_filter_state(const list_filter *f, int state);
bool list_filter_method(const list_filter *f, const char *method);
bool list_filter_time(const list_filter *f, int64_t start_us);
/* The three above together: --state, --method and --since/--until against
 * a call, transaction or dialog. */
bool list_filter_item(const list_filter *f, int state, const char *method, int64_t start_us);

/* Parses a --since/--until value: epoch seconds ("1768471205",
 * "1768471205.25") or ISO-8601 ("2026-01-15T10:00:05", fraction and zone
 * optional, UTC when no zone is given).  Returns false when it is neither. */
bool list_parse_time(const char *text, int64_t *us);

/* The text to show and match for a URI: its user part (or host), escaped
 * for the terminal; "-" when there is none.  Free with g_free. */
char *list_uri_name(const char *uri);
/* The same appended to out (no allocation). */
void list_uri_name_append(GString *out, const char *uri);

/* ------------------------------------------------------------ id order */

/* Rows arrive when their call is finalised, which is not id order (a short
 * call ends before a long one that started earlier).  The buffer holds a
 * row until every row with a smaller id has been emitted; ids are dense
 * (1, 2, 3 ...), and a row filtered out is put as NULL so that it does not
 * hold the others back. */
typedef struct list_order list_order;
typedef void (*list_emit_fn)(void *row, void *user);

/* emit(row, user) takes the row (it frees it or hands it on); free_row
 * frees the rows never emitted (list_order_free before a flush). */
list_order *list_order_new(list_emit_fn emit, GDestroyNotify free_row, void *user);
/* Takes row (NULL = nothing to show for that id).  O(1) amortised when
 * ids are dense. */
void list_order_put(list_order *o, uint32_t id, void *row);
/* Whether id is the one whose turn it is: a row put for it now is emitted
 * at once (a caller may then show it itself and put NULL, sparing a copy). */
bool list_order_is_next(const list_order *o, uint32_t id);
/* Emits every row still held, in id order (end of input). */
void list_order_flush(list_order *o);
void list_order_free(list_order *o);

#endif
