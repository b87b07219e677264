/* gameloop.c — a host driving Writ like a game does: load once, then every
 * frame call update(dt) through a handle looked up once and tick the
 * coroutine scheduler with the same dt.  Halfway through, the script file
 * is edited on disk and hot-reloaded: the counters, the objects and the
 * running coroutines carry on, new calls run the new code. */
#define _DEFAULT_SOURCE 1
#include <writ.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = 0;
    fclose(f);
    return s;
}

static void spill(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

/* The edit a developer makes while the game runs: update() counts by 2. */
static char *edited(const char *src) {
    const char *from = "frames += 1", *to = "frames += 2";
    const char *at = strstr(src, from);
    char *out = malloc(strlen(src) + 1);
    size_t k = (size_t)(at - src);
    memcpy(out, src, k);
    strcpy(out + k, to);
    strcat(out, at + strlen(from));
    return out;
}

int main(void) {
    size_t len;
    char *src = slurp("gameloop.writ", &len);
    if (!src) { perror("gameloop.writ"); return 1; }
    char path[] = "/tmp/writ-gameloop-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) { perror("mkstemp"); return 1; }
    close(fd);
    spill(path, src);

    writ_vm *vm = writ_vm_new(NULL);
    writ_fn *update = NULL;
    int status = 0;
    if (writ_load_file(vm, path) != WRIT_OK || writ_function(vm, NULL, "update", &update) != WRIT_OK) {
        fputs(writ_error_text(vm), stderr);
        status = 1;
    }
    const double dt = 1.0 / 60.0;
    int frame = 0;
    while (!status && writ_task_count(vm) > 0 && frame < 600) {
        if (frame == 20) {                       /* the file changed on disk: reload it */
            char *next = edited(src);
            spill(path, next);
            free(next);
            writ_reload_info info;
            if (writ_reload(vm, path, &info) != WRIT_OK) { fputs(writ_error_text(vm), stderr); status = 1; break; }
            printf("(host) reloaded at frame %d: %d functions replaced, %d types kept\n", frame, info.functions_changed, info.types_kept);
        }
        writ_value arg = writ_float(dt);
        if (writ_call(vm, update, &arg, 1, NULL) != WRIT_OK || writ_tick(vm, dt) != WRIT_OK) {
            fputs(writ_error_text(vm), stderr);
            status = 1;
            break;
        }
        frame++;
    }
    writ_value frames;
    if (!status && writ_get_global(vm, NULL, "frames", &frames) == WRIT_OK)
        printf("(host) ran %d frames; the script counted %lld (1 per frame before the reload, 2 after)\n", frame, (long long)frames.as.i);
    writ_fn_free(vm, update);
    writ_vm_free(vm);
    unlink(path);
    free(src);
    return status;
}
