/* window.h — the options of a run and the SDL window loop (window.c). */
#ifndef WRIT_CANVAS_WINDOW_H
#define WRIT_CANVAS_WINDOW_H

#include "script.h"


/* Opens the window and runs frames in real time until it closes (or
 * o->frames); returns the exit status. */
struct Live;
int window_run(Script *s, const CanvasOptions *o, struct Live *l);

#endif
