/* main.c — the `writ` command: run, check, --version, --help, with the exit
 * codes of runtime.md §16 (0 ok, 64 usage, 65 compile, 66 input, 70 runtime). */
#include "../include/writ.h"
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* runtime.md §16: while tasks remain, tick — fixed dt without sleeping, or
 * about 60 ticks per second of real time. */
static writ_status run_ticks(writ_vm *vm, double fixed_dt) {
    double last = cli_now();
    while (writ_task_count(vm) > 0) {
        double dt = fixed_dt;
        if (fixed_dt <= 0) {
            struct timespec nap = {0, 16666667};
            nanosleep(&nap, NULL);
            double now = cli_now();
            dt = now - last;
            last = now;
        }
        writ_status st = writ_tick(vm, dt);
        if (st != WRIT_OK) return st;
    }
    return WRIT_OK;
}

static const char *USAGE =
    "usage:\n"
    "  writ run [--fixed-dt SECONDS] [--sandbox] FILE\n"
    "  writ check FILE...\n"
    "  writ repl [--fixed-dt SECONDS] [--sandbox]\n"
    "  writ --version | --help\n";

bool cli_parse_dt(const char *text, double *out) {
    char *end;
    double dt = strtod(text, &end);
    if (end == text || *end || !(dt > 0) || !isfinite(dt)) return false;
    *out = dt;
    return true;
}

int cli_usage_error(const char *msg) {
    fflush(stdout);
    if (msg) fprintf(stderr, "error: %s\n", msg);
    fputs(USAGE, stderr);
    return 64;
}

static int exit_code(writ_status st) {
    switch (st) {
    case WRIT_OK: return 0;
    case WRIT_ERROR_COMPILE: return 65;
    case WRIT_ERROR_IO: return 66;
    default: return 70;
    }
}

static void report(writ_vm *vm) {
    fflush(stdout);
    fputs(writ_error_text(vm), stderr);
}

static int cmd_run(int argc, char **argv) {
    const char *file = NULL;
    double fixed_dt = 0;
    bool sandbox = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--fixed-dt") == 0) {
            if (i + 1 >= argc) return cli_usage_error("--fixed-dt needs a value");
            if (!cli_parse_dt(argv[++i], &fixed_dt)) return cli_usage_error("--fixed-dt needs a positive finite number");
        } else if (strcmp(argv[i], "--sandbox") == 0) {
            sandbox = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            char buf[256];
            snprintf(buf, sizeof buf, "unknown flag '%s'", argv[i]);
            return cli_usage_error(buf);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("writ run takes one FILE");
        }
    }
    if (!file) return cli_usage_error("no FILE given");
    writ_vm *vm = writ_vm_new(NULL);
    writ_enable_module(vm, "*", true);
    if (sandbox) { writ_enable_module(vm, "io", false); writ_enable_module(vm, "time.clock", false); }
    writ_status st = writ_load_file(vm, file);
    if (st == WRIT_OK) st = run_ticks(vm, fixed_dt);
    fflush(stdout);
    if (st != WRIT_OK) report(vm);
    writ_vm_free(vm);
    return exit_code(st);
}

static int cmd_check(int argc, char **argv) {
    if (argc == 0) return cli_usage_error("no FILE given");
    int worst = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            char buf[256];
            snprintf(buf, sizeof buf, "unknown flag '%s'", argv[i]);
            return cli_usage_error(buf);
        }
    }
    for (int i = 0; i < argc; i++) {
        writ_vm *vm = writ_vm_new(NULL);
        writ_enable_module(vm, "*", true);
        writ_status st = writ_check_file(vm, argv[i]);
        if (st != WRIT_OK) {
            report(vm);
            int c = exit_code(st);
            if (c > worst) worst = c;
        }
        writ_vm_free(vm);
    }
    return worst;
}

int main(int argc, char **argv) {
    if (argc < 2) return cli_usage_error("no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0) { printf("writ %s\n", writ_version()); return 0; }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) { fputs(USAGE, stdout); return 0; }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "repl") == 0) return cli_repl(argc - 2, argv + 2);
    char buf[256];
    snprintf(buf, sizeof buf, "unknown command '%s'", cmd);
    return cli_usage_error(buf);
}
