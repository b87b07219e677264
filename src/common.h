/* common.h — shared basics for every internal file: fixed-width types, the
 * 8-byte untagged Value slot, assertions and branch hints.  Nothing here
 * allocates or knows about the VM. */
#ifndef WRIT_COMMON_H
#define WRIT_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define WRIT_NODISCARD __attribute__((warn_unused_result))
#define WRIT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define WRIT_UNREACHABLE() __builtin_unreachable()
#else
#define likely(x) (x)
#define unlikely(x) (x)
#define WRIT_NODISCARD
#define WRIT_PRINTF(a, b)
#define WRIT_UNREACHABLE() ((void)0)
#endif

#ifdef WRIT_DEBUG
#include <assert.h>
#define WRIT_ASSERT(c) assert(c)
#else
#define WRIT_ASSERT(c) ((void)0)
#endif

#define WRIT_VERSION "0.1.0"

/* A register / heap slot.  The static type decides which member is live;
 * no tag is ever stored (static typing proves it). */
typedef union Value {
    int64_t i;
    uint64_t u;
    double f;
    void *p;
    struct Obj *o;
} Value;

typedef struct writ_vm VM;

#endif
