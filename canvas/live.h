/* live.h — live coding in writ-canvas: --watch (hot reload of the script and
 * every module it imports when one is saved), the fault overlays (a compile
 * error keeps the last good code running; a runtime error in draw/update
 * halts that callback until the next reload) and --stats (reload timings on
 * stderr, frame and script time on screen). */
#ifndef WRIT_CANVAS_LIVE_H
#define WRIT_CANVAS_LIVE_H

#include "script.h"
#include "window.h"

typedef struct Live Live;

/* Starts watching (o->watch) the files s has loaded.  NULL after printing
 * why when the watch cannot start. */
Live *live_new(Script *s, const CanvasOptions *o);
void live_free(Live *l);

/* Before a frame: reloads what was saved since the last frame. */
void live_before_frame(Live *l);
/* After the script drew a frame (script_ms: the time of script_frame):
 * draws the overlays onto the canvas and, for the first frame after a
 * reload, prints the --stats line. */
void live_after_frame(Live *l, double script_ms);

/* Sleeps until `until` (live_now time); with --watch a finished save ends
 * the sleep early, so that its reload is drawn without waiting a frame. */
void live_wait(Live *l, double until);

/* Seconds on the monotonic clock (the clock of every live time stamp). */
double live_now(void);
/* The p-th percentile (0..1) of every stride-th value of v[0..n) from first. */
double live_percentile(const double *v, size_t n, size_t first, size_t stride, double p);

#endif
