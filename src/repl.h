/* repl.h — the session behind `writ repl` (runtime.md §16), in the core
 * library so it needs nothing from the terminal: the CLI reads lines
 * (libedit or fgets) and hands complete entries here.
 *
 * Each entry is compiled and run as one more load of the VM whose checker
 * sees the names of the earlier entries just outside its own top-level
 * scope (chk_modules' ChkSession), so a later declaration of a name shadows
 * the earlier one for every later entry while globals keep their values
 * in the VM (docs/decisions.md, "REPL"). */
#ifndef WRIT_REPL_H
#define WRIT_REPL_H

#include "../include/writ.h"

typedef struct Repl Repl;

Repl *repl_new(writ_vm *vm);
/* Frees the session (before the VM). */
void repl_free(Repl *r);
/* Compiles and runs one entry.  When the entry is a single expression of
 * non-void type and it ran, *display receives its display form (owned by
 * the session until the next call; *display_len bytes, a string may hold
 * NUL), otherwise NULL.  Either pointer may be NULL.  Errors: the status,
 * with the text in writ_error_text. */
writ_status repl_eval(Repl *r, const char *src, size_t len, const char **display, size_t *display_len);
/* Whether the entry so far needs more lines: a bracket is open, the last
 * line ends with a continuation token (language.md §1.4 rule 2), or a
 * triple-quoted string or block comment is still open. */
bool repl_incomplete(writ_vm *vm, const char *src, size_t len);

#endif
