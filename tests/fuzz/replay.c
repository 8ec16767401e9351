/*
 * A main() for the fuzz targets when they are built without libFuzzer (gcc,
 * or the normal build): runs LLVMFuzzerTestOneInput once on each file given,
 * and on each file of each directory given.  Used to replay
 * tests/fuzz/regressions/ in the test suite.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Exit status 0 when every input ran (a crash aborts the process), 1 when an
 * input could not be read or none was given.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  /* an exactly sized copy, as libFuzzer gives */
  uint8_t *data = malloc(len ? len : 1);
  memcpy(data, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(data, len);
  free(data);
  printf("ok %s (%zu bytes)\n", path, len);
  return 1;
}

static int compare_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (dot files skipped). */
static int run_dir(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL;
  size_t n = 0;
  int ran = 0;

  if (!d) {
    perror(dir);
    return -1;
  }
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    names = realloc(names, (n + 1) * sizeof *names);
    names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
    sprintf(names[n++], "%s/%s", dir, e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, compare_names);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (ran >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      int r = run_file(names[i]);
      ran = r < 0 ? -1 : ran + r;
    }
    free(names[i]);
  }
  free(names);
  return ran;
}

int main(int argc, char **argv)
{
  int total = 0;

  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    int r = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
    if (r < 0)
      return 1;
    total += r;
  }
  printf("%d input(s) replayed\n", total);
  return 0;
}
