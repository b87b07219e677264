# Writ — build, run, test, bench.  `make` builds build/writ (optimised).
CC      ?= cc
WERROR  ?=
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  := $(OPT) $(SAN) -std=c11 -Wall -Wextra -Wno-unused-parameter $(WERROR) -Isrc -Iinclude -D_POSIX_C_SOURCE=200809L
LDLIBS  += -lm
BUILD   ?= build
PREFIX  ?= /usr/local
VERSION := $(shell sed -n 's/.*WRIT_VERSION "\(.*\)".*/\1/p' src/common.h)
# the library: position independent, only writ_* names visible (WRIT_API)
LIBFLAGS := -fPIC -fvisibility=hidden

# Regex (stdlib.md §11) is built only when PCRE2 is found.
PCRE2_LIBS := $(shell pkg-config --libs libpcre2-8 2>/dev/null)
ifneq ($(PCRE2_LIBS),)
CFLAGS  += -DWRIT_HAVE_PCRE2 $(shell pkg-config --cflags libpcre2-8)
LDLIBS  += $(PCRE2_LIBS)
ifeq ($(MAKELEVEL),0)
$(info regex: built (PCRE2 $(shell pkg-config --modversion libpcre2-8)))
endif
else
ifeq ($(MAKELEVEL),0)
$(info regex: not built (libpcre2-8 not found by pkg-config; install libpcre2-dev))
endif
endif

# writ-canvas (docs/canvas.md) is built only when SDL2, Cairo and Pango are
# found; the core library and `writ` never link them.
CANVAS_PKGS := sdl2 cairo pangocairo
CANVAS_LIBS := $(shell pkg-config --libs $(CANVAS_PKGS) 2>/dev/null)
ifneq ($(CANVAS_LIBS),)
CANVAS_CFLAGS := $(shell pkg-config --cflags $(CANVAS_PKGS))
CANVAS_BIN := $(BUILD)/writ-canvas $(BUILD)/canvas-imgdiff
CANVAS_UNIT := $(BUILD)/canvas-unit/test_watch
ifeq ($(MAKELEVEL),0)
$(info canvas: built (SDL2 $(shell pkg-config --modversion sdl2), Cairo $(shell pkg-config --modversion cairo), Pango $(shell pkg-config --modversion pangocairo)))
endif
else
ifeq ($(MAKELEVEL),0)
$(info canvas: not built (sdl2, cairo or pangocairo not found by pkg-config; install libsdl2-dev libcairo2-dev libpango1.0-dev))
endif
endif

CORE_SRC := $(wildcard src/*.c) $(wildcard lib/*.c)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
# line editing for `writ repl` on a terminal: libedit when pkg-config finds
# it (LIBEDIT=no to build without); only the CLI links it, never the library
LIBEDIT  ?= $(shell pkg-config --exists libedit 2>/dev/null && echo yes)
ifeq ($(LIBEDIT),yes)
CLI_CFLAGS := -DWRIT_HAVE_LIBEDIT $(shell pkg-config --cflags libedit)
CLI_LIBS   := $(shell pkg-config --libs libedit)
endif
CORE_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRC))
# Library preludes written in Writ (lib/prelude/NAME.writ), embedded as C string literals.
PRELUDES := $(wildcard lib/prelude/*.writ)
PRELUDE_INC := $(patsubst lib/prelude/%.writ,$(BUILD)/gen/prelude_%.inc,$(PRELUDES))
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))

.PHONY: canvas all run tour test unit golden conformance sanitize bench reload-bench clean embed install

all: $(BUILD)/writ $(BUILD)/libwrit.so $(CANVAS_BIN)

EMBED_SRC := $(wildcard examples/embed/*.c)
EMBED_BIN := $(patsubst examples/embed/%.c,$(BUILD)/embed/%,$(EMBED_SRC))

$(BUILD)/obj/%.o: %.c $(wildcard src/*.h) $(wildcard lib/*.h) $(wildcard lib/*.inc) include/writ.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIBFLAGS) -c $< -o $@

$(BUILD)/gen/prelude_%.inc: lib/prelude/%.writ
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(BUILD)/obj/lib/modules.o: lib/modules.c $(PRELUDE_INC) $(wildcard src/*.h) $(wildcard lib/*.h) include/writ.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIBFLAGS) -I$(BUILD)/gen -c $< -o $@

$(BUILD)/libwrit.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libwrit.so: $(CORE_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libwrit.so.0 -o $@ $^ $(LDLIBS)

# host programs embedding Writ (docs/embedding.md), built against the public header only
$(BUILD)/embed/%: examples/embed/%.c $(BUILD)/libwrit.a include/writ.h
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(SAN) -std=c11 -Wall -Wextra $(WERROR) -Iinclude -o $@ $< $(BUILD)/libwrit.a $(LDLIBS)

embed: $(EMBED_BIN)
	@for e in $(EMBED_BIN); do echo "== $$e"; (cd examples/embed && ../../$$e) || exit 1; done

install: $(BUILD)/writ $(BUILD)/libwrit.a $(BUILD)/libwrit.so $(CANVAS_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/writ $(DESTDIR)$(PREFIX)/bin/writ
	$(if $(CANVAS_BIN),install -m 755 $(BUILD)/writ-canvas $(DESTDIR)$(PREFIX)/bin/writ-canvas)
	install -m 644 include/writ.h $(DESTDIR)$(PREFIX)/include/writ.h
	install -m 644 $(BUILD)/libwrit.a $(DESTDIR)$(PREFIX)/lib/libwrit.a
	install -m 755 $(BUILD)/libwrit.so $(DESTDIR)$(PREFIX)/lib/libwrit.so.$(VERSION)
	ln -sf libwrit.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libwrit.so.0
	ln -sf libwrit.so.0 $(DESTDIR)$(PREFIX)/lib/libwrit.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@LIBS@|$(strip $(LDLIBS))|' writ.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/writ.pc

$(BUILD)/obj/cli/%.o: cli/%.c cli/cli.h src/repl.h include/writ.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CLI_CFLAGS) -c $< -o $@

$(BUILD)/writ: $(CLI_OBJ) $(BUILD)/libwrit.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CLI_LIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/testkit.h $(BUILD)/libwrit.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS)

# the canvas host: the public header and the static library only
CANVAS_SRC := $(filter-out canvas/imgdiff.c,$(wildcard canvas/*.c))
CANVAS_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CANVAS_SRC))
$(BUILD)/obj/canvas/%.o: canvas/%.c $(wildcard canvas/*.h) include/writ.h
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(SAN) -std=c11 -Wall -Wextra -Wno-unused-parameter $(WERROR) -Iinclude -D_POSIX_C_SOURCE=200809L $(CANVAS_CFLAGS) -c $< -o $@

$(BUILD)/writ-canvas: $(CANVAS_OBJ) $(BUILD)/libwrit.a
	$(CC) $(OPT) $(SAN) -o $@ $^ $(LDLIBS) $(CANVAS_LIBS)

$(BUILD)/canvas-imgdiff: canvas/imgdiff.c
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(SAN) -std=c11 -Wall -Wextra $(WERROR) $(shell pkg-config --cflags cairo) -o $@ $< $(shell pkg-config --libs cairo)

# C tests of the host's own parts (canvas/tests/test_NAME.c tests canvas/NAME.c)
$(BUILD)/canvas-unit/test_%: canvas/tests/test_%.c canvas/%.c canvas/%.h
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(SAN) -std=c11 -Wall -Wextra $(WERROR) -o $@ $< canvas/$*.c -lpthread

canvas: $(CANVAS_BIN)

# VM creation + loading a small script, averaged (bench/startup.c)
$(BUILD)/startup: bench/startup.c $(BUILD)/libwrit.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# the dashboard in writ-canvas (tools/run-demo.sh installs its libraries when missing)
run:
	@tools/run-demo.sh

tour: $(BUILD)/writ
	$(BUILD)/writ run examples/tour.writ

unit: $(UNIT_BIN)
	@ok=0; bad=0; for t in $(UNIT_BIN); do if $$t; then ok=$$((ok+1)); else bad=$$((bad+1)); echo "FAIL $$t"; fi; done; \
	echo "unit: $$ok passed, $$bad failed"; test $$bad -eq 0

golden: $(BUILD)/writ
	python3 tests/run $(BUILD)/writ tests/lang tests/repl

conformance: $(BUILD)/writ
	python3 $${WRIT_CONFORMANCE:-$$(test -e ../shared/conformance/run-conformance && echo ../shared/conformance/run-conformance || echo /work/shared/conformance/run-conformance)} $$(grep -v "^#" tests/conformance-args) $(BUILD)/writ

# Unit tests, then the golden tests and the shared conformance suite, then
# the writ-canvas tests when it is built; the last line is the summed
# "N passed, N failed".
test: $(BUILD)/writ $(UNIT_BIN) $(EMBED_BIN) $(CANVAS_BIN) $(CANVAS_UNIT)
	@ok=0; bad=0; for t in $(UNIT_BIN) $(CANVAS_UNIT); do if $$t >/dev/null 2>$(BUILD)/unit.err; then ok=$$((ok+1)); else bad=$$((bad+1)); echo "FAIL $$t"; cat $(BUILD)/unit.err; fi; done; \
	for e in $(EMBED_BIN); do if (cd examples/embed && ../../$$e) >$(BUILD)/embed.out 2>&1; then ok=$$((ok+1)); else bad=$$((bad+1)); echo "FAIL $$e"; cat $(BUILD)/embed.out; fi; done; \
	echo "unit: $$ok passed, $$bad failed"; \
	python3 tests/run --all $(BUILD)/writ | tee $(BUILD)/golden.out; g=$$?; \
	last=$$(tail -n 1 $(BUILD)/golden.out); gp=$${last%% passed*}; gf=$${last#*, }; gf=$${gf%% failed*}; \
	cp=0; cf=0; if [ -n "$(CANVAS_BIN)" ]; then \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/canvas/lsan.supp:print_suppressions=0 \
	  python3 tests/canvas/run $(BUILD)/writ-canvas $(BUILD)/canvas-imgdiff > $(BUILD)/canvas.out 2>&1; \
	  grep -v "^[0-9]* passed, [0-9]* failed$$" $(BUILD)/canvas.out; \
	  last=$$(tail -n 1 $(BUILD)/canvas.out); cp=$${last%% passed*}; cf=$${last#*, }; cf=$${cf%% failed*}; fi; \
	echo "$$((ok + gp + cp)) passed, $$((bad + gf + cf)) failed"; test $$bad -eq 0 -a "$$gf" = 0 -a "$$cf" = 0

sanitize:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(MAKE) BUILD=build/asan CC=clang OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

$(BUILD)/embed_bench: bench/embed_bench.c $(BUILD)/libwrit.a include/writ.h
	$(CC) $(OPT) -std=c11 -Wall -Wextra $(WERROR) -Iinclude -o $@ $< $(BUILD)/libwrit.a $(LDLIBS)

# the realistic 1,000-line script whose hot reload embed_bench times
$(BUILD)/bench/reload_1000.writ: bench/gen_large.py
	@mkdir -p $(dir $@)
	python3 bench/gen_large.py --with-types --stop-early --lines 1000 $@

# `make reload-bench`: only the embedding table (reload latency, host calls, coroutines)
reload-bench: $(BUILD)/embed_bench $(BUILD)/bench/reload_1000.writ
	$(BUILD)/embed_bench $(BUILD)/bench/reload_1000.writ

bench: $(BUILD)/writ $(BUILD)/embed_bench $(BUILD)/bench/reload_1000.writ
	bench/run.sh $(BUILD)/writ
	$(BUILD)/embed_bench $(BUILD)/bench/reload_1000.writ
	bench/sort_userdata/run.sh $(abspath $(BUILD))
	@if [ -n "$(CANVAS_BIN)" ]; then $(MAKE) -s $(CANVAS_BIN) && bench/canvas/run.sh $(BUILD); \
	 else echo "canvas benchmarks skipped: writ-canvas is not built"; fi

clean:
	rm -rf build
