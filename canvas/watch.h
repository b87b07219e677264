/* watch.h — `writ-canvas --watch`: notices saves of the script and the
 * modules it imports.  A thread blocks on inotify (directories, not files,
 * so that editors saving by rename are seen as well as those that truncate
 * and write) and time-stamps each event; the frame loop takes the files
 * whose save has finished: at close-after-write or rename-into-place at once,
 * after a short quiet period for writers that never close. */
#ifndef CANVAS_WATCH_H
#define CANVAS_WATCH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Watch Watch;

/* NULL when inotify is unavailable (the message is in errbuf). */
Watch *watch_new(char *errbuf, size_t n);
void watch_free(Watch *w);

/* Watches one more file (an absolute or relative path); adding a file twice
 * is harmless.  false when its directory cannot be watched. */
bool watch_add(Watch *w, const char *path);

/* Seconds on the monotonic clock, the clock every time stamp here uses. */
double watch_now(void);

/* One finished save: the file and when its first event arrived. */
typedef struct WatchChange {
    const char *path;      /* as given to watch_add; valid until watch_free */
    double first_event;    /* watch_now() time of the save's first event */
} WatchChange;

/* Fills out with up to max finished saves (each file once) and returns how
 * many; a file whose content equals what it held at its previous change (or
 * when it was added) is not reported: a touch or a second close is not a
 * save. */
size_t watch_take(Watch *w, WatchChange *out, size_t max);

/* Sleeps until `until` (watch_now time) or until a save finishes, so that
 * a frame loop can draw the new code at once instead of at its next tick. */
void watch_wait(Watch *w, double until);

#endif
