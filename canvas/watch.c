/* watch.c — see watch.h.  One thread reads inotify events; the frame loop
 * takes finished saves under a mutex.  Debouncing: close-after-write and
 * rename-into-place end a save at once; plain modifications end it after
 * QUIET seconds without events; a content hash drops saves that changed
 * nothing, so one editor save is one reload whatever events it makes. */
#define _GNU_SOURCE
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define QUIET 0.05          /* seconds without events that end an unclosed write */

typedef struct WFile {
    char *path, *dir, *base;
    int wd;
    uint64_t hash;          /* content at the last reported change */
    bool pending, finished; /* events seen; the save is complete */
    double first, last;     /* time of the save's first and latest event */
} WFile;

struct Watch {
    int fd;
    int wake[2];            /* a byte on wake[1] ends the reader thread */
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t saved;       /* signalled when a save finishes (watch_wait) */
    WFile *files;
    size_t n, cap;
};

double watch_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* FNV-1a of the file's bytes; 0 when it cannot be read. */
static uint64_t file_hash(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    uint64_t h = 1469598103934665603ull;
    unsigned char buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < got; i++) h = (h ^ buf[i]) * 1099511628211ull;
    fclose(f);
    return h | 1;       /* never 0: 0 means unreadable */
}

static void note_event(Watch *w, const struct inotify_event *ev, double now) {
    if (!ev->len) return;
    for (size_t i = 0; i < w->n; i++) {
        WFile *f = &w->files[i];
        if (f->wd != ev->wd || strcmp(f->base, ev->name) != 0) continue;
        if (!f->pending) { f->pending = true; f->finished = false; f->first = now; }
        f->last = now;
        if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) { f->finished = true; pthread_cond_broadcast(&w->saved); }
        else if (ev->mask & (IN_MODIFY | IN_CREATE)) f->finished = false;   /* another write began */
    }
}

static void *reader(void *arg) {
    Watch *w = arg;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        struct pollfd pf[2] = { { w->fd, POLLIN, 0 }, { w->wake[0], POLLIN, 0 } };
        if (poll(pf, 2, -1) < 0) { if (errno == EINTR) continue; return NULL; }
        if (pf[1].revents) return NULL;            /* watch_free */
        ssize_t len = read(w->fd, buf, sizeof buf);
        if (len <= 0) {
            if (len < 0 && errno == EINTR) continue;
            return NULL;
        }
        double now = watch_now();
        pthread_mutex_lock(&w->lock);
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            note_event(w, ev, now);
            p += sizeof *ev + ev->len;
        }
        pthread_mutex_unlock(&w->lock);
    }
}

Watch *watch_new(char *errbuf, size_t n) {
    Watch *w = calloc(1, sizeof *w);
    if (!w) { snprintf(errbuf, n, "out of memory"); return NULL; }
    w->fd = inotify_init1(IN_CLOEXEC);
    if (w->fd < 0) { snprintf(errbuf, n, "inotify: %s", strerror(errno)); free(w); return NULL; }
    if (pipe2(w->wake, O_CLOEXEC) != 0) {
        snprintf(errbuf, n, "pipe: %s", strerror(errno)); close(w->fd); free(w); return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);      /* the clock of watch_now */
    pthread_cond_init(&w->saved, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, reader, w) != 0) {
        snprintf(errbuf, n, "cannot start the watch thread");
        close(w->fd); close(w->wake[0]); close(w->wake[1]);
        pthread_cond_destroy(&w->saved); pthread_mutex_destroy(&w->lock); free(w);
        return NULL;
    }
    w->running = true;
    return w;
}

void watch_free(Watch *w) {
    if (!w) return;
    if (w->running) {
        ssize_t r = write(w->wake[1], "x", 1);
        (void)r;
        pthread_join(w->thread, NULL);
    }
    close(w->fd); close(w->wake[0]); close(w->wake[1]);
    for (size_t i = 0; i < w->n; i++) { free(w->files[i].path); free(w->files[i].dir); }
    free(w->files);
    pthread_cond_destroy(&w->saved);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static bool any_finished(Watch *w) {
    for (size_t i = 0; i < w->n; i++) if (w->files[i].pending && w->files[i].finished) return true;
    return false;
}

void watch_wait(Watch *w, double until) {
    pthread_mutex_lock(&w->lock);
    while (!any_finished(w) && watch_now() < until) {
        struct timespec ts = { (time_t)until, (long)((until - (double)(time_t)until) * 1e9) };
        pthread_cond_timedwait(&w->saved, &w->lock, &ts);
    }
    pthread_mutex_unlock(&w->lock);
}

bool watch_add(Watch *w, const char *path) {
    char *abs = realpath(path, NULL);
    if (!abs) return false;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->files[i].path, abs) == 0) { pthread_mutex_unlock(&w->lock); free(abs); return true; }
    pthread_mutex_unlock(&w->lock);
    char *dir = strdup(abs);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (!slash) { free(abs); free(dir); return false; }
    if (slash == dir) slash[1] = '\0'; else slash[0] = '\0';
    int wd = inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_CREATE);
    if (wd < 0) { free(abs); free(dir); return false; }
    WFile f = { .path = abs, .dir = dir, .base = strrchr(abs, '/') + 1, .wd = wd, .hash = file_hash(abs) };
    pthread_mutex_lock(&w->lock);
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        WFile *nf = realloc(w->files, cap * sizeof *nf);
        if (!nf) { pthread_mutex_unlock(&w->lock); free(abs); free(dir); return false; }
        w->files = nf; w->cap = cap;
    }
    w->files[w->n++] = f;
    pthread_mutex_unlock(&w->lock);
    return true;
}

size_t watch_take(Watch *w, WatchChange *out, size_t max) {
    size_t k = 0;
    double now = watch_now();
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->n && k < max; i++) {
        WFile *f = &w->files[i];
        if (!f->pending || (!f->finished && now - f->last < QUIET)) continue;
        uint64_t h = file_hash(f->path);
        if (h == 0) continue;               /* between unlink and create: wait for it */
        f->pending = false;
        if (h == f->hash) continue;         /* nothing changed */
        f->hash = h;
        out[k++] = (WatchChange){ f->path, f->first };
    }
    pthread_mutex_unlock(&w->lock);
    return k;
}
