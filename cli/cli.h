/*
 * What the sipflow commands share: the global options, the command table
 * entry, and the loop that reads the capture files through libsipflow.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Adding a command = one cmd_<name>.c defining `const cli_command
 * cli_cmd_<name>`, declared at the end of this file, listed in commands[]
 * in main.c (drop its not_yet[] line), and the file in cli/meson.build.
 */
#ifndef SIPFLOW_CLI_H
#define SIPFLOW_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <sipflow/sipflow.h>

/* Exit statuses (DESIGN.md "Command line contract"). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_RUNTIME = 1, CLI_EXIT_USAGE = 2 };

#define CLI_MAX_DIAGNOSTICS 20 /* printed on stderr; the rest are counted */

typedef enum cli_progress { CLI_PROGRESS_AUTO, CLI_PROGRESS_ON, CLI_PROGRESS_OFF } cli_progress;

/* The options every command understands, and the files. */
typedef struct cli_global {
  const char *filter;   /* BPF, NULL = none */
  bool json;            /* NDJSON output */
  cli_progress progress;
  bool quiet;           /* no diagnostics on stderr */
  const char *const *files;
  size_t n_files;
} cli_global;

typedef struct cli_command {
  const char *name;
  const char *summary; /* one line for the command list */
  /* Optional: the command's own options.  Returns a group whose entries
   * point into *state (allocated by the command, freed by free_state). */
  GOptionGroup *(*options)(void **state);
  void (*free_state)(void *state);
  /* Runs the command; returns a CLI_EXIT_* status.  NULL = listed in
   * DESIGN.md but not implemented yet. */
  int (*run)(const cli_global *g, void *state);
} cli_command;

/* Reads g->files (merged, through g->filter) with the callbacks in cb; the
 * `user` those callbacks receive is an opaque session pointer: get the
 * command's own `data` back with cli_session_data(user).  Diagnostics
 * (cb->on_diag is ignored) and progress go to stderr as the global options
 * say; a runtime error is printed as "sipflow: <what>", after on_end
 * (optional) has written the command's last output, so the error is the
 * last line the user sees.  on_end gets the exit status.
 * Returns CLI_EXIT_OK or CLI_EXIT_RUNTIME. */
int cli_read_capture(const cli_global *g, const sipflow_callbacks *cb,
                     void (*on_end)(void *data, int status), void *data);
/* cli_read_capture with the library's call options set (NULL: defaults). */
int cli_read_capture_opts(const cli_global *g, const sipflow_callbacks *cb,
                          const sipflow_call_options *opt,
                          void (*on_end)(void *data, int status), void *data);
void *cli_session_data(void *session);
/* The context reading the capture (valid during the callbacks that got
 * `session`, and until on_end has returned): for a command that queries
 * the library at the end, e.g. sipflow_get_stats(). */
sipflow_ctx *cli_session_ctx(void *session);

/* For a command writing to a file (-o): checked before reading, so that a
 * long capture is not read for nothing.  NULL path (stdout) is fine.  An
 * existing file must be writable, a new one creatable in its directory;
 * the command creates it only at its first write, so that a failing
 * command leaves an existing file alone.  Returns CLI_EXIT_OK, or prints
 * "sipflow: cannot write 'PATH': why" and returns CLI_EXIT_RUNTIME. */
int cli_check_output(const char *path);

/* The commands (one file each). */
extern const cli_command cli_cmd_messages;
extern const cli_command cli_cmd_ladder;
extern const cli_command cli_cmd_report;
extern const cli_command cli_cmd_calls;
extern const cli_command cli_cmd_failed;
extern const cli_command cli_cmd_transactions;
extern const cli_command cli_cmd_dialogs;
extern const cli_command cli_cmd_stats;

#endif
