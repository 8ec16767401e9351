/*
 * Shared by the fuzz targets: the libFuzzer entry point and invariant checks.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A failed check aborts, which libFuzzer (and the replay driver) report as a
 * crash with the input saved.  The checks are the library's promises: every
 * span it returns lies inside the buffer it was given.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);        \
      abort();                                                                        \
    }                                                                                 \
  } while (0)

/* A span is absent (ptr NULL) or lies inside [base, base + len). */
#define FUZZ_CHECK_SPAN(span, base, blen)                                             \
  FUZZ_CHECK(!(span).ptr || ((span).ptr >= (const char *)(base) &&                   \
                             (span).len <= (blen) &&                                  \
                             (size_t)((span).ptr - (const char *)(base)) <=           \
                                 (blen) - (span).len))

/* Reads every byte of a NUL-terminated library string (ASan sees a bad one). */
static inline size_t fuzz_touch_str(const char *s)
{
  size_t n = 0;
  if (s)
    while (s[n])
      n++;
  return n;
}

#endif
