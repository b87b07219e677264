/* pcre2_matchall.c — the baseline for the regex benchmark (bench/json.sh): all
 * non-overlapping matches of PATTERN in FILE with PCRE2 (UTF, JIT), each match
 * copied into its own allocation as Regex.matchAll does (or, with a fifth
 * argument "count", only counted).  Prints the best time in seconds over RUNS
 * runs and the match count. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 4) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) return 1;
    fclose(f);
    int err;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)argv[2], PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &eoff, NULL);
    if (!re) return 1;
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int copy = !(argc > 4 && strcmp(argv[4], "count") == 0);
    double best = 1e9;
    long count = 0;
    for (int run = 0; run < atoi(argv[3]); run++) {
        double t0 = now();
        size_t cap = 1024, k = 0, at = 0;
        char **out = malloc(sizeof(char *) * cap);
        while (at <= (size_t)n && pcre2_jit_match(re, (PCRE2_SPTR)s, (PCRE2_SIZE)n, at, 0, md, NULL) > 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            if (copy) {
                size_t len = ov[1] - ov[0];
                char *m = malloc(len + 1);
                memcpy(m, s + ov[0], len);
                m[len] = 0;
                if (k == cap) { cap *= 2; out = realloc(out, sizeof(char *) * cap); }
                out[k] = m;
            }
            k++;
            at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
        }
        double t = now() - t0;
        if (t < best) best = t;
        count = (long)k;
        if (copy) for (size_t i = 0; i < k; i++) free(out[i]);
        free(out);
    }
    printf("%.6f %ld\n", best, count);
    return 0;
}
