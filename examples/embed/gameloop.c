/* gameloop.c — a host driving Writ like a game does: load once, then every
 * frame call update(dt) through a handle looked up once and tick the
 * coroutine scheduler with the same dt, until no task is left. */
#include <writ.h>
#include <stdio.h>

int main(void) {
    writ_vm *vm = writ_vm_new(NULL);
    writ_fn *update = NULL;
    if (writ_load_file(vm, "gameloop.writ") != WRIT_OK || writ_function(vm, NULL, "update", &update) != WRIT_OK) {
        fputs(writ_error_text(vm), stderr);
        writ_vm_free(vm);
        return 1;
    }
    const double dt = 1.0 / 60.0;
    int frame = 0;
    while (writ_task_count(vm) > 0 && frame < 600) {
        writ_value arg = writ_float(dt);
        if (writ_call(vm, update, &arg, 1, NULL) != WRIT_OK || writ_tick(vm, dt) != WRIT_OK) {
            fputs(writ_error_text(vm), stderr);
            break;
        }
        frame++;
    }
    writ_value frames;
    if (writ_get_global(vm, NULL, "frames", &frames) == WRIT_OK) printf("host ran %d frames, script counted %lld\n", frame, (long long)frames.as.i);
    writ_fn_free(vm, update);
    writ_vm_free(vm);
    return 0;
}
