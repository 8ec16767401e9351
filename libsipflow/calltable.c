/*
 * The tables of open calls (correlate stage): open addressing with linear
 * probing, a slot holding a hash and the call, so that a probe reads one
 * array and touches a call only on a hash match.  One table is keyed by
 * Call-ID (looked up for every message), one by call id.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "correlate.h"

#define SF_TABLE_MIN 64u

static void put_slot(sf_call_table *t, sf_call_slot slot);

static void table_grow(sf_call_table *t)
{
  sf_call_slot *old = t->slots;
  size_t old_size = old ? t->mask + 1 : 0;
  size_t size = old ? old_size * 2 : SF_TABLE_MIN;

  t->slots = g_new0(sf_call_slot, size);
  t->mask = size - 1;
  t->n = 0;
  for (size_t i = 0; i < old_size; i++)
    if (old[i].hash)
      put_slot(t, old[i]); /* without reading the call */
  g_free(old);
}

static void put_slot(sf_call_table *t, sf_call_slot slot)
{
  if (!t->slots || (t->n + 1) * 2 > t->mask + 1) /* at most half full */
    table_grow(t);
  size_t i = slot.hash & t->mask;
  while (t->slots[i].hash)
    i = (i + 1) & t->mask;
  t->slots[i] = slot;
  t->n++;
}

void sf_calltable_put(sf_call_table *t, uint32_t hash, sf_call *c)
{
  put_slot(t, (sf_call_slot){.hash = hash, .id = c->id, .call = c});
}

/* Backward-shift deletion: the entries after the removed one that probed
 * past its slot move back, so no probe chain is cut and no tombstones pile
 * up. */
void sf_calltable_remove(sf_call_table *t, uint32_t hash, const sf_call *c)
{
  if (!t->slots)
    return;
  size_t i = hash & t->mask;
  while (t->slots[i].call != c) {
    if (!t->slots[i].hash)
      return;
    i = (i + 1) & t->mask;
  }
  for (size_t j = i;;) {
    j = (j + 1) & t->mask;
    if (!t->slots[j].hash)
      break;
    size_t home = t->slots[j].hash & t->mask;
    if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
      t->slots[i] = t->slots[j];
      i = j;
    }
  }
  t->slots[i] = (sf_call_slot){0};
  t->n--;
}

sf_call *sf_calltable_find_id(const sf_call_table *t, uint32_t id)
{
  uint32_t h = sf_calltable_id_hash(id);

  if (!t->slots || !id)
    return NULL;
  for (size_t i = h & t->mask; t->slots[i].hash; i = (i + 1) & t->mask)
    if (t->slots[i].hash == h && t->slots[i].id == id)
      return t->slots[i].call;
  return NULL;
}

void sf_calltable_free(sf_call_table *t)
{
  g_free(t->slots);
  memset(t, 0, sizeof *t);
}
