/* sort_userdata host for Lua 5.4 and LuaJIT (the same source): Key is a
 * userdata wrapping a C string with __lt in C; rand(n) is a C function. */
#define _DEFAULT_SOURCE 1
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rng.h"

typedef struct Key { char *s; } Key;

static int l_rand(lua_State *L) { lua_pushinteger(L, (lua_Integer)rng_next((int64_t)luaL_checkinteger(L, 1))); return 1; }

static int l_key(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    Key *k = lua_newuserdata(L, sizeof *k);
    k->s = strndup(s, len);
    luaL_getmetatable(L, "Key");
    lua_setmetatable(L, -2);
    return 1;
}

static int l_lt(lua_State *L) {
    Key *a = luaL_checkudata(L, 1, "Key"), *b = luaL_checkudata(L, 2, "Key");
    lua_pushboolean(L, strcmp(a->s, b->s) < 0);
    return 1;
}

static int l_gc(lua_State *L) { Key *k = luaL_checkudata(L, 1, "Key"); free(k->s); return 0; }
static int l_text(lua_State *L) { Key *k = luaL_checkudata(L, 1, "Key"); lua_pushstring(L, k->s); return 1; }

int main(int argc, char **argv) {
    const char *script = argc > 1 ? argv[1] : "sort.lua";
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_newmetatable(L, "Key");
    lua_pushcfunction(L, l_lt);
    lua_setfield(L, -2, "__lt");
    lua_pushcfunction(L, l_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_register(L, "rand", l_rand);
    lua_register(L, "Key", l_key);
    lua_register(L, "keytext", l_text);
    if (luaL_dofile(L, script)) { fprintf(stderr, "%s\n", lua_tostring(L, -1)); return 1; }
    lua_getglobal(L, "run");
    double t0 = bench_now();
    if (lua_pcall(L, 0, 1, 0)) { fprintf(stderr, "%s\n", lua_tostring(L, -1)); return 1; }
    double t1 = bench_now();
    printf("%s\n%.2f\n", lua_tostring(L, -1), (t1 - t0) * 1e3);
    lua_close(L);
    return 0;
}
