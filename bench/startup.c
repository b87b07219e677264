/* bench/startup.c — cost of creating a VM and loading a small script.
 * usage: make build/startup
 *        build/startup [N] [SCRIPT_TEXT]
 * Runs N (default 1000) times: writ_vm_new, writ_load_string(SCRIPT), writ_vm_free,
 * with output discarded; prints the mean time per iteration in microseconds. */
#define _POSIX_C_SOURCE 200809L
#include "writ.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sink(void *ud, const char *s, size_t n) { (void)ud; (void)s; (void)n; }

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    const char *src = argc > 2 ? argv[2] : "print(\"hello, world\")\n";
    writ_config cfg;
    writ_config_init(&cfg);
    cfg.write = sink;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        writ_vm *vm = writ_vm_new(&cfg);
        if (writ_load_string(vm, "hello.writ", src, strlen(src)) != WRIT_OK) {
            fprintf(stderr, "%s", writ_error_text(vm));
            return 1;
        }
        writ_vm_free(vm);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3 / n;
    printf("%.1f us per create + load + free (%d runs)\n", us, n);
    return 0;
}
