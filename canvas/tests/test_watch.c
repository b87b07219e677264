/* The --watch notifier (canvas/watch.c): each way an editor saves is one
 * change; touches and identical rewrites are none. */
#define _GNU_SOURCE
#include "../watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static void sleep_ms(int ms) { struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L }; nanosleep(&t, NULL); }

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* changes reported within ms milliseconds (polling like a frame loop) */
static size_t changes_within(Watch *w, int ms, const char **last) {
    size_t total = 0;
    WatchChange ch[8];
    for (int t = 0; t < ms; t += 5) {
        size_t n = watch_take(w, ch, 8);
        for (size_t i = 0; i < n; i++) { total++; if (last) *last = ch[i].path; CHECK(ch[i].first_event <= watch_now()); }
        sleep_ms(5);
    }
    return total;
}

int main(void) {
    char dir[] = "/tmp/writ-watch-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char a[300], b[300], tmp[300];
    snprintf(a, sizeof a, "%s/main.writ", dir);
    snprintf(b, sizeof b, "%s/lib.writ", dir);
    snprintf(tmp, sizeof tmp, "%s/.main.writ.swp", dir);
    write_file(a, "print(1)\n");
    write_file(b, "export let x = 1\n");
    char err[200];
    Watch *w = watch_new(err, sizeof err);
    CHECK(w != NULL);
    if (!w) return 1;
    CHECK(watch_add(w, a));
    CHECK(watch_add(w, b));
    CHECK(watch_add(w, a));                 /* twice: harmless */
    CHECK(!watch_add(w, "/nonexistent/dir/x.writ"));
    const char *last = NULL;
    CHECK(changes_within(w, 100, NULL) == 0);

    write_file(a, "print(2)\n");            /* truncate and write */
    CHECK(changes_within(w, 300, &last) == 1);
    CHECK(last && strstr(last, "main.writ"));

    write_file(tmp, "print(3)\n");          /* write elsewhere, rename into place */
    CHECK(rename(tmp, a) == 0);
    CHECK(changes_within(w, 300, &last) == 1);

    CHECK(utime(a, NULL) == 0);             /* touch: no change */
    write_file(a, "print(3)\n");            /* same content: no change */
    CHECK(changes_within(w, 300, NULL) == 0);

    write_file(b, "export let x = 2\n");    /* the imported module */
    CHECK(changes_within(w, 300, &last) == 1);
    CHECK(last && strstr(last, "lib.writ"));

    FILE *f = fopen(a, "r+");               /* a writer that keeps the file open */
    fputs("print(4)\n", f);
    fflush(f);
    CHECK(changes_within(w, 300, NULL) == 1);   /* after the quiet period */
    fclose(f);                              /* its close: same content, no second change */
    CHECK(changes_within(w, 100, NULL) == 0);

    /* watch_wait: a finished save ends the wait early; otherwise it times out */
    double t0 = watch_now();
    watch_wait(w, t0 + 0.1);
    CHECK(watch_now() - t0 >= 0.09);
    write_file(b, "export let x = 3\n");
    t0 = watch_now();
    watch_wait(w, t0 + 5.0);
    CHECK(watch_now() - t0 < 2.0);
    CHECK(changes_within(w, 50, NULL) == 1);

    watch_free(w);
    unlink(a); unlink(b); rmdir(dir);
    if (failures) fprintf(stderr, "test_watch: %d failures\n", failures);
    return failures != 0;
}
