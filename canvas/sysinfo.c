/* sysinfo.c — see sysinfo.h. */
#define _GNU_SOURCE
#include "sysinfo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void sample_cpu(SysStats *s) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return;
    char line[512];
    int64_t cores = 0;
    while (fgets(line, sizeof line, f) && strncmp(line, "cpu", 3) == 0) {
        unsigned long long v[10] = {0};
        int idx = -1;                      /* -1: the "cpu" total line */
        const char *p = line + 3;
        if (*p != ' ') { idx = 0; sscanf(p, "%d", &idx); while (*p && *p != ' ') p++; }
        if (idx >= SYS_MAX_CORES) continue;
        sscanf(p, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
        uint64_t all = 0;
        for (int i = 0; i < 8; i++) all += v[i];
        uint64_t busy = all - v[3] - v[4];           /* minus idle and iowait */
        int k = idx + 1;                             /* slot 0 is the total */
        double frac = 0;
        if (s->sampled && all > s->prev_all[k]) frac = (double)(busy - s->prev_busy[k]) / (double)(all - s->prev_all[k]);
        s->prev_busy[k] = busy; s->prev_all[k] = all;
        if (idx < 0) s->cpu_total = frac;
        else { s->cpu[idx] = frac; if (idx + 1 > cores) cores = idx + 1; }
    }
    fclose(f);
    s->cores = cores;
}

static void sample_mem(SysStats *s) {
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return;
    char key[64];
    unsigned long long kb;
    double total = 0, avail = 0, stotal = 0, sfree = 0;
    while (fscanf(f, "%63s %llu kB\n", key, &kb) == 2) {
        if (!strcmp(key, "MemTotal:")) total = (double)kb;
        else if (!strcmp(key, "MemAvailable:")) avail = (double)kb;
        else if (!strcmp(key, "SwapTotal:")) stotal = (double)kb;
        else if (!strcmp(key, "SwapFree:")) sfree = (double)kb;
    }
    fclose(f);
    s->mem_total = total / 1024; s->mem_available = avail / 1024; s->mem_used = (total - avail) / 1024;
    s->swap_total = stotal / 1024; s->swap_used = (stotal - sfree) / 1024;
}

static void sample_load(SysStats *s) {
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        long running = 0, total = 0;
        if (fscanf(f, "%lf %lf %lf %ld/%ld", &s->load1, &s->load5, &s->load15, &running, &total) == 5) s->processes = total;
        fclose(f);
    }
    f = fopen("/proc/uptime", "r");
    if (f) { if (fscanf(f, "%lf", &s->uptime) != 1) s->uptime = 0; fclose(f); }
}

static void sample_net(uint64_t *rx, uint64_t *tx) {
    FILE *f = fopen("/proc/net/dev", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;                        /* the two header lines */
        *colon = '\0';
        const char *name = line;
        while (*name == ' ') name++;
        if (!strcmp(name, "lo")) continue;
        unsigned long long r, t, skip;
        if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &r, &skip, &skip, &skip, &skip,
                   &skip, &skip, &skip, &t) == 9) { *rx += r; *tx += t; }
    }
    fclose(f);
}

/* Whole disks only (partitions would count twice): those in /sys/block
 * that are not loop or ram devices. */
static bool whole_disk(const char *name) {
    if (!strncmp(name, "loop", 4) || !strncmp(name, "ram", 3)) return false;
    char path[300];
    snprintf(path, sizeof path, "/sys/block/%s", name);
    return access(path, F_OK) == 0;
}

static void sample_disk(uint64_t *rd, uint64_t *wr) {
    FILE *f = fopen("/proc/diskstats", "r");
    if (!f) return;
    char line[512], name[64];
    while (fgets(line, sizeof line, f)) {
        unsigned long long rsec, wsec, skip;
        unsigned maj, min;
        if (sscanf(line, "%u %u %63s %llu %llu %llu %llu %llu %llu %llu", &maj, &min, name, &skip, &skip, &rsec,
                   &skip, &skip, &skip, &wsec) == 10 && whole_disk(name)) { *rd += rsec * 512; *wr += wsec * 512; }
    }
    fclose(f);
}

static double rate(uint64_t now, uint64_t before, double dt, bool ok) {
    return ok && dt > 0 && now >= before ? (double)(now - before) / dt : 0;
}

void sys_sample(SysStats *s, double now) {
    sample_cpu(s);
    sample_mem(s);
    sample_load(s);
    uint64_t rx = 0, tx = 0, rd = 0, wr = 0;
    sample_net(&rx, &tx);
    sample_disk(&rd, &wr);
    double dt = now - s->prev_time;
    s->net_rx = rate(rx, s->prev_rx, dt, s->sampled);
    s->net_tx = rate(tx, s->prev_tx, dt, s->sampled);
    s->disk_read = rate(rd, s->prev_rd, dt, s->sampled);
    s->disk_write = rate(wr, s->prev_wr, dt, s->sampled);
    s->prev_rx = rx; s->prev_tx = tx; s->prev_rd = rd; s->prev_wr = wr;
    s->prev_time = now;
    s->sampled = true;
}

/* 0..1, smooth in t, different per k */
static double wave(double t, int k) {
    double x = 0.5 + 0.3 * sin(t * (0.7 + 0.13 * k) + k) + 0.15 * sin(t * (2.3 + 0.07 * k) + 2 * k);
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

void sys_demo(SysStats *s, double t) {
    s->cores = 8;
    double sum = 0;
    for (int k = 0; k < 8; k++) sum += s->cpu[k] = wave(t, k);
    s->cpu_total = sum / 8;
    s->mem_total = 16384; s->mem_used = 6000 + 3000 * wave(t * 0.2, 9); s->mem_available = s->mem_total - s->mem_used;
    s->swap_total = 2048; s->swap_used = 128;
    s->load1 = 8 * s->cpu_total; s->load5 = 4 + wave(t * 0.1, 3); s->load15 = 3.5;
    s->processes = 312;
    s->net_rx = 2e6 * wave(t * 1.5, 11); s->net_tx = 4e5 * wave(t * 1.1, 12);
    s->disk_read = 8e6 * wave(t * 0.8, 13) * wave(t * 3, 14); s->disk_write = 3e6 * wave(t * 0.6, 15);
    s->uptime = 86400 + t;
    s->sampled = true;
}
