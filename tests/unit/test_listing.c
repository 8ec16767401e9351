/*
 * Unit tests for the CLI's id ordering (cli/listing.c, list_order): rows
 * put in any order come out in id order, each once, whatever the ring
 * went through (advancing, wrapping round, growing while wrapped).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "listing.h"

typedef struct emitted {
  uint32_t *ids;
  size_t n;
} emitted;

static void emit(void *row, void *user)
{
  emitted *e = user;
  e->ids[e->n++] = (uint32_t)(uintptr_t)row;
}

/* Puts ids 1..n in the order of perm, then checks the rows came out as
 * 1..n. */
static void check_order(const uint32_t *perm, uint32_t n)
{
  emitted e = {g_new(uint32_t, n), 0};
  list_order *o = list_order_new(emit, NULL, &e);
  for (uint32_t i = 0; i < n; i++)
    list_order_put(o, perm[i], (void *)(uintptr_t)perm[i]);
  list_order_flush(o);
  assert_int_equal(e.n, n);
  for (uint32_t i = 0; i < n; i++)
    assert_int_equal(e.ids[i], i + 1);
  list_order_free(o);
  g_free(e.ids);
}

/* One id held back while the ring advances past the end of its slots and
 * wraps round, then enough ids after it for the ring to grow while
 * wrapped: the rows that had wrapped round must still follow on. */
static void test_grow_while_wrapped(void **state)
{
  (void)state;
  enum { N = 1000 };
  uint32_t perm[N], k = 0;
  for (uint32_t id = 1; id <= 50; id++) /* head moves to 50 of 64 slots */
    perm[k++] = id;
  for (uint32_t id = 52; id <= N; id++) /* 51 held back: wraps, then grows */
    perm[k++] = id;
  perm[k++] = 51;
  check_order(perm, N);
}

/* Mostly in order, a few ids held back far, in many shapes. */
static void test_random_orders(void **state)
{
  (void)state;
  for (unsigned seed = 1; seed <= 50; seed++) {
    srand(seed);
    uint32_t n = 1 + (uint32_t)rand() % 20000;
    uint32_t *perm = g_new(uint32_t, n);
    for (uint32_t i = 0; i < n; i++)
      perm[i] = i + 1;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t far = rand() % 100 < 5;
      uint32_t j = i + (uint32_t)rand() % (far ? n - i : MIN(3u, n - i));
      uint32_t t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    check_order(perm, n);
    g_free(perm);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_grow_while_wrapped),
    cmocka_unit_test(test_random_orders),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
