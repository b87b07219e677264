/* testkit.h — what the C tests share: CHECK / HAS that count and report
 * failures, an output sink, and a counting allocator that lets a test
 * check that a VM gives back every byte it took. */
#ifndef WRIT_TESTKIT_H
#define WRIT_TESTKIT_H

#include "../../include/writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures, checks;
#define CHECK(c) do { checks++; if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define HAS(hay, needle) do { const char *h_ = (hay); CHECK(strstr(h_, (needle)) != NULL); \
    if (!strstr(h_, (needle))) fprintf(stderr, "  got: %s\n", h_); } while (0)

/* What a VM printed (writ_config.write = sink, write_ud = &some Out). */
typedef struct Out { char buf[8192]; size_t n; } Out;
static inline void sink(void *ud, const char *s, size_t n) {
    Out *o = ud;
    if (o->n + n < sizeof o->buf) { memcpy(o->buf + o->n, s, n); o->n += n; o->buf[o->n] = 0; }
}

/* writ_config.alloc = counting_alloc, alloc_ud = &some Counter: blocks and bytes live. */
typedef struct Counter { long live; long bytes; } Counter;
static inline void *counting_alloc(void *ud, void *p, size_t old, size_t n) {
    Counter *c = ud;
    if (n == 0) { if (p) { c->live--; c->bytes -= (long)old; } free(p); return NULL; }
    void *r = realloc(p, n);
    if (!p) c->live++;
    c->bytes += (long)n - (long)old;
    return r;
}

/* A VM writing into *o (NULL: stdout) whose allocations *c counts (NULL:
 * the C allocator); *o is emptied first. */
static inline writ_vm *testkit_vm(Out *o, Counter *c) {
    writ_config cfg;
    writ_config_init(&cfg);
    if (o) {
        o->n = 0;
        o->buf[0] = 0;
        cfg.write = sink;
        cfg.write_ud = o;
    }
    if (c) { cfg.alloc = counting_alloc; cfg.alloc_ud = c; }
    return writ_vm_new(&cfg);
}

/* Frees vm and checks that it gave back every block and byte *c counted. */
static inline void testkit_end(writ_vm *vm, Counter *c) {
    writ_vm_free(vm);
    CHECK(c->live == 0 && c->bytes == 0);
    if (c->live || c->bytes) fprintf(stderr, "  live %ld bytes %ld\n", c->live, c->bytes);
    c->live = c->bytes = 0;
}

/* A scratch directory for tests that write script files:
 * testkit_dir_make("tag") makes /tmp/writ_tag_PID, testkit_at(name) is a
 * path in it (four may be in use at once), testkit_put writes a file. */
static char testkit_dir[256];

static inline void testkit_dir_make(const char *tag) {
    snprintf(testkit_dir, sizeof testkit_dir, "/tmp/writ_%s_%d", tag, (int)getpid());
    CHECK(mkdir(testkit_dir, 0777) == 0 || errno == EEXIST);
}

static inline void testkit_dir_remove(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", testkit_dir);
    CHECK(system(cmd) == 0);
}

static inline const char *testkit_at(const char *name) {
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", testkit_dir, name);
    return path[k];
}

static inline void testkit_put(const char *name, const char *text) {
    FILE *f = fopen(testkit_at(name), "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

#endif
