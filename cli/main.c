/*
 * sipflow — command line: `sipflow COMMAND [OPTIONS] FILE...`.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * This file only parses the arguments and dispatches to a command
 * (cmd_<name>.c); the contract is DESIGN.md "Command line contract".
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef SIPFLOW_VERSION
#define SIPFLOW_VERSION "unknown"
#endif

/* Every command of DESIGN.md; run == NULL means "not implemented yet". */
static const cli_command not_yet[] = {
  {.name = "extract", .summary = "the packets of selected calls to a pcap"},
};

static const cli_command *const commands[] = {
  &cli_cmd_messages,
  &cli_cmd_transactions,
  &cli_cmd_dialogs,
  &cli_cmd_calls,
  &cli_cmd_failed,
  &cli_cmd_stats,
  &cli_cmd_ladder,
  &cli_cmd_report,
};

/* The implemented command named name, else the placeholder, else NULL. */
static const cli_command *find_command(const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(commands[i]->name, name) == 0)
      return commands[i];
  for (size_t i = 0; i < G_N_ELEMENTS(not_yet); i++)
    if (strcmp(not_yet[i].name, name) == 0)
      return &not_yet[i];
  return NULL;
}

static char *command_list(void)
{
  GString *g = g_string_new("Commands:\n");

  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    g_string_append_printf(g, "  %-13s %s\n", commands[i]->name, commands[i]->summary);
  for (size_t i = 0; i < G_N_ELEMENTS(not_yet); i++)
    if (!find_command(not_yet[i].name)->run)
      g_string_append_printf(g, "  %-13s %s (not implemented yet)\n", not_yet[i].name,
                             not_yet[i].summary);
  return g_string_free(g, FALSE);
}

static int usage_error(const char *fmt, const char *arg, bool list)
{
  fputs("sipflow: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  if (list) {
    char *l = command_list();
    fprintf(stderr, "Usage: sipflow COMMAND [OPTIONS] FILE...\n%s", l);
    g_free(l);
  } else {
    fputs("Run 'sipflow --help' for usage.\n", stderr);
  }
  return CLI_EXIT_USAGE;
}

/* The command is the first argument that is neither an option nor the
 * value of --filter, so that `sipflow --json messages f` works too.
 * Returns its index in argv, or 0. */
static int command_index(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      return i + 1 < argc ? i + 1 : 0;
    if (strcmp(argv[i], "--filter") == 0) {
      i++;
      continue;
    }
    if (argv[i][0] != '-' || argv[i][1] == '\0')
      return i;
  }
  return 0;
}

typedef struct parsed {
  char *filter;
  gboolean json, progress, no_progress, quiet, version;
  char **files;
} parsed;

static GOptionContext *make_context(parsed *p, const cli_command *cmd, void **cmd_state)
{
  const GOptionEntry entries[] = {
    {"filter", 0, 0, G_OPTION_ARG_STRING, &p->filter,
     "only packets matching this BPF filter (as tcpdump)", "BPF"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &p->json, "NDJSON output (one object per line)", NULL},
    {"progress", 0, 0, G_OPTION_ARG_NONE, &p->progress,
     "show progress on stderr (default: when stderr is a terminal)", NULL},
    {"no-progress", 0, 0, G_OPTION_ARG_NONE, &p->no_progress, "never show progress", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &p->quiet, "no diagnostics on stderr", NULL},
    {"version", 0, 0, G_OPTION_ARG_NONE, &p->version, "print the version and exit", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &p->files, NULL, "FILE..."},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  /* GOption's usage line is "<prgname> [OPTION…] FILE..." */
  char *prgname = g_strdup_printf("sipflow %s", cmd ? cmd->name : "COMMAND");
  GOptionContext *oc = g_option_context_new("- SIP messages, calls and ladders from captures");
  char *list = command_list();

  g_set_prgname(prgname);
  g_free(prgname);
  g_option_context_add_main_entries(oc, entries, NULL);
  g_option_context_set_summary(oc, list);
  g_option_context_set_description(oc,
    "FILE is a pcap or pcapng capture, '-' is stdin; several files are merged\n"
    "by time.  Exit status: 0 success, 1 runtime error, 2 usage error.");
  g_free(list);
  if (cmd && cmd->options)
    g_option_context_add_group(oc, cmd->options(cmd_state));
  return oc;
}

static int run(int argc, char **argv)
{
  int ci = command_index(argc, argv);
  const cli_command *cmd = NULL;

  if (ci) {
    cmd = find_command(argv[ci]);
    if (!cmd)
      return usage_error("unknown command '%s'", argv[ci], true);
    if (!cmd->run)
      return usage_error("'%s' is not implemented yet", argv[ci], false);
    /* The command word is not an option: take it out of what GOption sees. */
    memmove(&argv[ci], &argv[ci + 1], sizeof *argv * (size_t)(argc - ci));
    argc--;
  }

  parsed p = {0};
  void *cmd_state = NULL;
  GError *err = NULL;
  GOptionContext *oc = make_context(&p, cmd, &cmd_state);
  int status = CLI_EXIT_OK;

  if (!g_option_context_parse(oc, &argc, &argv, &err)) {
    status = usage_error("%s", err->message, false);
    g_error_free(err);
  } else if (p.version) {
    printf("sipflow %s\n", SIPFLOW_VERSION);
  } else if (!cmd) {
    status = usage_error("%s", "no command given", true);
  } else if (!p.files || !p.files[0]) {
    status = usage_error("no capture file given (use '-' for stdin) to '%s'", cmd->name,
                         false);
  } else {
    cli_global g = {
      .filter = p.filter && *p.filter ? p.filter : NULL,
      .json = p.json,
      .progress = p.no_progress ? CLI_PROGRESS_OFF
                  : p.progress  ? CLI_PROGRESS_ON
                                : CLI_PROGRESS_AUTO,
      .quiet = p.quiet,
      .files = (const char *const *)p.files,
      .n_files = g_strv_length(p.files),
    };
    status = cmd->run(&g, cmd_state);
  }
  if (cmd && cmd->free_state)
    cmd->free_state(cmd_state);
  g_option_context_free(oc);
  g_free(p.filter);
  g_strfreev(p.files);
  return status;
}

int main(int argc, char **argv)
{
  /* The user's charset for GOption's help text; numbers stay C-style. */
  setlocale(LC_ALL, "");
  setlocale(LC_NUMERIC, "C");
  g_set_prgname("sipflow");
  if (argc < 2)
    return usage_error("%s", "no command given", true);
  return run(argc, argv);
}
