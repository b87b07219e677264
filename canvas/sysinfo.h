/* sysinfo.h — the system monitor's data (examples/dashboard): CPU per core,
 * memory, load, network and disk rates parsed from /proc in C, so that the
 * script reads plain numbers (fields of the host type `System`) instead of
 * parsing text every frame. */
#ifndef CANVAS_SYSINFO_H
#define CANVAS_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

#define SYS_MAX_CORES 256

typedef struct SysStats {
    /* what scripts see (host type System: offset fields) */
    int64_t cores;
    double cpu_total;                 /* busy fraction 0..1 over the last interval */
    double mem_total, mem_used, mem_available, swap_total, swap_used;   /* MiB */
    double load1, load5, load15;
    int64_t processes;
    double net_rx, net_tx;            /* bytes per second, all interfaces but lo */
    double disk_read, disk_write;     /* bytes per second, whole disks */
    double uptime;                    /* seconds */
    double cpu[SYS_MAX_CORES];        /* per core busy fraction (System.cpu(i)) */
    /* previous counters, for rates */
    uint64_t prev_busy[SYS_MAX_CORES + 1], prev_all[SYS_MAX_CORES + 1];
    uint64_t prev_rx, prev_tx, prev_rd, prev_wr;
    double prev_time;
    bool sampled;
} SysStats;

/* Reads /proc; now: seconds on a monotonic clock.  Rates are over the time
 * since the previous sample (0 on the first). */
void sys_sample(SysStats *s, double now);
/* Deterministic synthetic values for tests and screenshots (`--demo-data`):
 * smooth curves of t with the shape of real data. */
void sys_demo(SysStats *s, double t);

#endif
