#define _DEFAULT_SOURCE 1
/* test_loaded_files.c — writ_loaded_file: the files a host watches for hot
 * reload (a script and its imports, absolute; not strings,
 * not library preludes), and what a reload of an imported module does. */
#include "../../include/writ.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static size_t count(writ_vm *vm) {
    size_t n = 0;
    while (writ_loaded_file(vm, n)) n++;
    return n;
}

int main(void) {
    char dir[] = "/tmp/writ-loaded-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char main_path[PATH_MAX], lib_path[PATH_MAX];
    snprintf(main_path, sizeof main_path, "%s/main.writ", dir);
    snprintf(lib_path, sizeof lib_path, "%s/lib.writ", dir);
    write_file(lib_path, "export func value() -> int { return 1 }\n");
    write_file(main_path, "import { value } from \"lib\"\n"
                          "func get() -> int { return value() }\nlet v = Vector2(1.0, 2.0)\n");

    CHECK(writ_loaded_file(NULL, 0) == NULL);
    writ_vm *vm = writ_vm_new(NULL);
    CHECK(count(vm) == 0);
    CHECK(writ_load_string(vm, "inline", "let x = 1\n", 10) == WRIT_OK);
    CHECK(count(vm) == 0);                          /* a string is not a file */
    CHECK(writ_load_file(vm, main_path) == WRIT_OK);
    CHECK(count(vm) == 2);                          /* the prelude of geometry is not listed */
    char real_lib[PATH_MAX], real_main[PATH_MAX];
    CHECK(realpath(lib_path, real_lib) && realpath(main_path, real_main));
    const char *a = writ_loaded_file(vm, 0), *b = writ_loaded_file(vm, 1);
    CHECK(a && b && ((strcmp(a, real_lib) == 0 && strcmp(b, real_main) == 0) || (strcmp(a, real_main) == 0 && strcmp(b, real_lib) == 0)));
    CHECK(writ_loaded_file(vm, 2) == NULL);

    /* an edit of the imported module, reloaded through its own path */
    writ_value r;
    CHECK(writ_call_name(vm, NULL, "get", NULL, 0, &r) == WRIT_OK && r.as.i == 1);
    write_file(lib_path, "export func value() -> int { return 2 }\n");
    CHECK(writ_reload(vm, lib_path, NULL) == WRIT_OK);
    CHECK(writ_call_name(vm, NULL, "get", NULL, 0, &r) == WRIT_OK && r.as.i == 2);
    CHECK(count(vm) == 2);                          /* a reload lists each file once */

    writ_vm_free(vm);
    unlink(main_path); unlink(lib_path); rmdir(dir);
    if (failures) fprintf(stderr, "test_loaded_files: %d failures\n", failures);
    return failures != 0;
}
