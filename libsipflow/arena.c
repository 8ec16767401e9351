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
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "correlate.h"

#define SF_MAX_BLOCK (64u * 1024)


#define SF_CHUNK_SIZE SF_HUGE_PAGE
#define SF_CHUNK_HEADER 64u

typedef struct sf_chunk {
  struct sf_chunk *next;
} sf_chunk;

void *sf_huge_block_new(size_t size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  void *p;
  if (posix_memalign(&p, SF_HUGE_PAGE, size) != 0)
    return NULL;
  madvise(p, size, MADV_HUGEPAGE); /* a hint: failure is harmless */
  return p;
#else
  (void)size;
  return NULL;
#endif
}

/* A new chunk, aligned on its size so that a huge page can back it; NULL
 * where that is not available (then slabs come from malloc). */
static sf_chunk *chunk_new(void)
{
  return sf_huge_block_new(SF_CHUNK_SIZE);
}

/* Slab bytes taken from malloc before chunks are used: a small capture
 * (or one of the many contexts of the tests and the Wireshark plugin)
 * does not need huge pages, and one would make it 2 MiB bigger.  Not
 * more: in 4 KiB pages each of those bytes is one more page fault (with
 * 4 MiB, 500 more on a 1 M-message capture, for the same peak RSS). */
#define SF_CHUNKS_AFTER (2u * 1024 * 1024)

/* n bytes (64-aligned) cut from the chunks, NULL when they cannot give it
 * (or not yet). */
static char *chunk_cut(sf_chunks *chunks, size_t n)
{
  n = (n + 63) & ~(size_t)63;
  if (chunks->malloced < SF_CHUNKS_AFTER) {
    chunks->malloced += n;
    return NULL;
  }
  if (n > SF_CHUNK_SIZE - SF_CHUNK_HEADER)
    return NULL;
  if (n > chunks->left) { /* the rest of the current chunk is left unused */
    sf_chunk *c = chunk_new();
    if (!c)
      return NULL;
    c->next = chunks->list;
    chunks->list = c;
    chunks->cur = (char *)c + SF_CHUNK_HEADER;
    chunks->left = SF_CHUNK_SIZE - SF_CHUNK_HEADER;
  }
  char *p = chunks->cur;
  chunks->cur += n;
  chunks->left -= n;
  return p;
}

char *sf_arena_slab_new(sf_chunks *chunks, sf_slab **slabs, size_t size, size_t n)
{
  size_t bytes = sizeof(sf_slab) + size * n;
  sf_slab *s = chunks ? (sf_slab *)chunk_cut(chunks, bytes) : NULL;
  bool in_chunk = s != NULL;

  if (!s)
    s = g_malloc(bytes);
  s->in_chunk = in_chunk;
  s->next = *slabs;
  *slabs = s;
  return (char *)(s + 1);
}

void sf_arena_slabs_free(sf_slab **slabs)
{
  while (*slabs) {
    sf_slab *s = *slabs;
    *slabs = s->next;
    if (!s->in_chunk)
      g_free(s);
  }
}

void sf_arena_chunks_free(sf_chunks *chunks)
{
  while (chunks->list) {
    sf_chunk *c = chunks->list;
    chunks->list = c->next;
    free(c);
  }
  chunks->cur = NULL;
  chunks->left = 0;
  chunks->malloced = 0;
}

/* Which of the pool's spare lists keeps blocks of size bytes, -1 none: a
 * call's first block and its second (twice as big) come from slabs, so a
 * call that outgrows its first block does not malloc either. */
static int pool_class(const sf_block_pool *pool, size_t size)
{
  if (size == pool->block)
    return 0;
  return size == 2 * pool->block ? 1 : -1;
}

static sf_arena_block *block_get(sf_block_pool *pool, size_t size)
{
  sf_arena_block *b;
  int k = pool_class(pool, size);

  if (k < 0) { /* an outsize block: malloc'd alone */
    b = g_malloc(sizeof *b + size);
    b->size = size;
    return b;
  }
  if (!pool->spare[k]) {
    size_t stride = sizeof *b + size;
    char *items = sf_arena_slab_new(pool->chunks, &pool->slabs, stride, SF_ARENA_SLAB_ITEMS);
    for (size_t i = 0; i < SF_ARENA_SLAB_ITEMS; i++) {
      b = (sf_arena_block *)(items + i * stride);
      b->size = size;
      b->next = pool->spare[k];
      pool->spare[k] = b;
    }
  }
  b = pool->spare[k];
  pool->spare[k] = b->next;
  return b;
}

static void block_put(sf_block_pool *pool, sf_arena_block *b)
{
  int k = pool_class(pool, b->size);

  if (k < 0) {
    g_free(b);
    return;
  }
  b->next = pool->spare[k];
  pool->spare[k] = b;
}

void sf_arena_pool_clear(sf_block_pool *pool)
{
  pool->spare[0] = pool->spare[1] = NULL;
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
