/* repl.c — `writ repl` (runtime.md §16): reads entries from stdin, line by
 * line, and runs each in the session of src/repl.c.  On a terminal the
 * prompts are "> " and ". " and, when the build found libedit
 * (WRIT_HAVE_LIBEDIT), lines are read with its readline: editing and
 * history.  Only this file uses libedit; the core library never does. */
#include "../include/writ.h"
#include "../src/repl.h"
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef WRIT_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

/* One line without its newline (malloc'd), or NULL at end of input. */
static char *read_line(bool tty, const char *prompt) {
#ifdef WRIT_HAVE_LIBEDIT
    if (tty) return readline(prompt);
#endif
    if (tty) { fputs(prompt, stdout); fflush(stdout); }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) { free(line); return NULL; }
    if (n > 0 && line[n - 1] == '\n') line[--n] = 0;
    if (n > 0 && line[n - 1] == '\r') line[--n] = 0;
    return line;
}

static bool is_blank(const char *s) {
    for (; *s; s++) if (*s != ' ' && *s != '\t') return false;
    return true;
}

static bool is_quit(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    if (strncmp(s, ":quit", 5) != 0) return false;
    return is_blank(s + 5);
}

static void report_error(writ_vm *vm) {
    fflush(stdout);
    fputs(writ_error_text(vm), stderr);
}

int cli_repl(int argc, char **argv) {
    double fixed_dt = 0;
    bool sandbox = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--fixed-dt") == 0) {
            if (i + 1 >= argc) return cli_usage_error("--fixed-dt needs a value");
            if (!cli_parse_dt(argv[++i], &fixed_dt)) return cli_usage_error("--fixed-dt needs a positive finite number");
        } else if (strcmp(argv[i], "--sandbox") == 0) {
            sandbox = true;
        } else {
            char buf[256];
            snprintf(buf, sizeof buf, argv[i][0] == '-' ? "unknown flag '%s'" : "writ repl takes no FILE ('%s')", argv[i]);
            return cli_usage_error(buf);
        }
    }
    writ_vm *vm = writ_vm_new(NULL);
    writ_enable_module(vm, "*", true);
    if (sandbox) { writ_enable_module(vm, "io", false); writ_enable_module(vm, "time.clock", false); }
    Repl *r = repl_new(vm);
    bool tty = isatty(STDIN_FILENO);
    char *entry = NULL;
    size_t len = 0, cap = 0;
    double last = cli_now();
    for (;;) {
        char *line = read_line(tty, len ? ". " : "> ");
        bool eof = !line;
        if (eof && tty) { putchar('\n'); fflush(stdout); }   /* Ctrl-D: the shell starts on a fresh line */
        if (eof && !len) break;
        if (line && !len && is_quit(line)) { free(line); break; }
        if (line && !len && is_blank(line)) { free(line); continue; }
        if (line) {
            size_t n = strlen(line);
#ifdef WRIT_HAVE_LIBEDIT
            if (tty) add_history(line);      /* line by line, as typed */
#endif
            if (len + n + 2 > cap) {
                cap = (len + n + 2) * 2;
                entry = realloc(entry, cap);
                if (!entry) { fputs("error: out of memory\n", stderr); return 70; }
            }
            memcpy(entry + len, line, n);
            len += n;
            entry[len++] = '\n';
            entry[len] = 0;
            free(line);
            if (repl_incomplete(vm, entry, len)) continue;
        }
        /* a complete entry (or the unfinished one at end of input: its errors are reported) */
        const char *shown = NULL;
        size_t shown_len = 0;
        writ_status st = repl_eval(r, entry, len, &shown, &shown_len);
        if (shown) { fwrite(shown, 1, shown_len, stdout); putchar('\n'); }
        if (st != WRIT_OK) report_error(vm);
        len = 0;
        /* pending coroutines: one tick per entry, dt = wall time since the previous entry */
        double now = cli_now();
        double dt = fixed_dt > 0 ? fixed_dt : now - last;
        last = now;
        if (writ_task_count(vm) > 0 && writ_tick(vm, dt) != WRIT_OK) report_error(vm);
        fflush(stdout);
        if (eof) break;
    }
    free(entry);
    fflush(stdout);
    repl_free(r);
    writ_vm_free(vm);
    return 0;
}
