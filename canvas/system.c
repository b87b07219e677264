/* system.c — the dashboard's data source as Writ sees it: the host type
 * `System` (read-only offset fields over SysStats, so a script reads parsed
 * numbers with no copies) and `sampleSystem() -> System`, which refreshes
 * the numbers from /proc at most four times a second (or, with
 * --demo-data, from deterministic curves of the frame time). */
#include "live.h"
#include "sysinfo.h"
#include <stddef.h>
#include <stdlib.h>

struct SystemHost {
    SysStats stats;
    writ_value object;          /* the one System object, lent to scripts */
    const Frame *frame;
    bool demo;
    double last;                /* monotonic time of the last /proc sample */
};

static writ_status sample(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    SystemHost *h = ud;
    if (h->demo) sys_demo(&h->stats, h->frame->time);
    else {
        double now = live_now();
        if (!h->stats.sampled || now - h->last >= 0.25) { sys_sample(&h->stats, now); h->last = now; }
    }
    writ_retain(h->object);
    *ret = h->object;
    return WRIT_OK;
}

static writ_status cpu_of(writ_vm *vm, const writ_value *args, int nargs, writ_value *ret, void *ud) {
    const SysStats *s = writ_host_ptr(args[0]);
    int64_t i = args[1].as.i;
    if (i < 0 || i >= s->cores) return writ_fail(vm, "cpu(%lld): this machine has cores 0 to %lld", (long long)i, (long long)s->cores - 1);
    *ret = writ_float(s->cpu[i]);
    return WRIT_OK;
}

typedef struct Field { const char *name, *type; writ_storage kind; size_t offset; } Field;

static const Field fields[] = {
    {"cores", "int", WRIT_STORE_I64, offsetof(SysStats, cores)},
    {"cpuTotal", "float", WRIT_STORE_F64, offsetof(SysStats, cpu_total)},
    {"memTotal", "float", WRIT_STORE_F64, offsetof(SysStats, mem_total)},
    {"memUsed", "float", WRIT_STORE_F64, offsetof(SysStats, mem_used)},
    {"memAvailable", "float", WRIT_STORE_F64, offsetof(SysStats, mem_available)},
    {"swapTotal", "float", WRIT_STORE_F64, offsetof(SysStats, swap_total)},
    {"swapUsed", "float", WRIT_STORE_F64, offsetof(SysStats, swap_used)},
    {"load1", "float", WRIT_STORE_F64, offsetof(SysStats, load1)},
    {"load5", "float", WRIT_STORE_F64, offsetof(SysStats, load5)},
    {"load15", "float", WRIT_STORE_F64, offsetof(SysStats, load15)},
    {"processes", "int", WRIT_STORE_I64, offsetof(SysStats, processes)},
    {"netRx", "float", WRIT_STORE_F64, offsetof(SysStats, net_rx)},
    {"netTx", "float", WRIT_STORE_F64, offsetof(SysStats, net_tx)},
    {"diskRead", "float", WRIT_STORE_F64, offsetof(SysStats, disk_read)},
    {"diskWrite", "float", WRIT_STORE_F64, offsetof(SysStats, disk_write)},
    {"uptime", "float", WRIT_STORE_F64, offsetof(SysStats, uptime)},
};

SystemHost *system_register(writ_vm *vm, const Frame *frame, bool demo) {
    SystemHost *h = calloc(1, sizeof *h);
    writ_host_type *t = h ? writ_define_type(vm, "System") : NULL;
    bool ok = t != NULL;
    for (size_t i = 0; ok && i < sizeof fields / sizeof fields[0]; i++)
        ok = writ_type_field(vm, t, fields[i].name, fields[i].type, fields[i].kind, fields[i].offset, true) == WRIT_OK;
    ok = ok && writ_type_method(vm, t, "cpu", "(core: int) -> float", cpu_of, NULL) == WRIT_OK &&
         writ_register_fn(vm, "sampleSystem", "() -> System", sample, h) == WRIT_OK;
    if (!ok) { free(h); return NULL; }
    h->frame = frame;
    h->demo = demo;
    h->object = writ_host_object(vm, t, &h->stats, false);
    return h;
}

void system_free(writ_vm *vm, SystemHost *h) {
    if (!h) return;
    writ_invalidate(vm, h->object);
    writ_release(vm, h->object);
    free(h);
}
