/*
 * The call store's memory (correlate stage): slabs, pools of blocks and the
 * bump arenas a call keeps its strings and structures in.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A call's memory comes in a few blocks freed at once (allocation was a
 * fifth of the time on big captures when every string and transaction was
 * a heap object).  First-size blocks and call structures come from slabs of
 * a few dozen: one malloc while the number of calls in flight grows, none
 * in a steady stream; a pool then holds at most as many blocks as were in
 * use at once, and the slabs go with the context.
 */
#include "correlate.h"

#define SF_MAX_BLOCK (64u * 1024)


char *sf_arena_slab_new(sf_slab **slabs, size_t size, size_t n)
{
  sf_slab *s = g_malloc(sizeof *s + size * n);
  s->next = *slabs;
  *slabs = s;
  return (char *)(s + 1);
}

void sf_arena_slabs_free(sf_slab **slabs)
{
  while (*slabs) {
    sf_slab *s = *slabs;
    *slabs = s->next;
    g_free(s);
  }
}

static sf_arena_block *block_get(sf_block_pool *pool, size_t size)
{
  sf_arena_block *b;

  if (size != pool->block) { /* an outsize block: malloc'd alone */
    b = g_malloc(sizeof *b + size);
    b->size = size;
    return b;
  }
  if (!pool->spare) {
    size_t stride = sizeof *b + pool->block;
    char *items = sf_arena_slab_new(&pool->slabs, stride, SF_ARENA_SLAB_ITEMS);
    for (size_t i = 0; i < SF_ARENA_SLAB_ITEMS; i++) {
      b = (sf_arena_block *)(items + i * stride);
      b->size = pool->block;
      b->next = pool->spare;
      pool->spare = b;
    }
  }
  b = pool->spare;
  pool->spare = b->next;
  return b;
}

static void block_put(sf_block_pool *pool, sf_arena_block *b)
{
  if (b->size != pool->block) {
    g_free(b);
    return;
  }
  b->next = pool->spare;
  pool->spare = b;
}

void sf_arena_pool_clear(sf_block_pool *pool)
{
  pool->spare = NULL;
  sf_arena_slabs_free(&pool->slabs);
}

void sf_arena_grow(sf_arena *a, size_t n)
{
  size_t size = MAX(a->next_size ? a->next_size : a->pool->block, n);
  sf_arena_block *b = block_get(a->pool, size);
  b->next = a->blocks;
  a->blocks = b;
  a->cur = (char *)(b + 1);
  a->left = size;
  a->next_size = MIN(size * 2, (size_t)SF_MAX_BLOCK);
}

void sf_arena_free(sf_arena *a)
{
  while (a->blocks) {
    sf_arena_block *b = a->blocks;
    a->blocks = b->next;
    block_put(a->pool, b);
  }
  a->cur = NULL;
  a->left = a->next_size = 0;
}
