# Writ — build, run, test, bench.  `make` builds build/writ (optimised).
CC      ?= cc
WERROR  ?=
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  := $(OPT) $(SAN) -std=c11 -Wall -Wextra -Wno-unused-parameter $(WERROR) -Isrc -Iinclude -D_POSIX_C_SOURCE=200809L
LDLIBS  += -lm
BUILD   ?= build

CORE_SRC := $(wildcard src/*.c) $(wildcard lib/*.c)
CORE_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRC))
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))

.PHONY: all run test unit golden conformance sanitize bench clean

all: $(BUILD)/writ

$(BUILD)/obj/%.o: %.c $(wildcard src/*.h) $(wildcard lib/*.h) $(wildcard lib/*.inc)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libwrit.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/writ: $(BUILD)/obj/cli/main.o $(BUILD)/libwrit.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libwrit.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

run: $(BUILD)/writ
	$(BUILD)/writ run examples/tour.writ

unit: $(UNIT_BIN)
	@ok=0; bad=0; for t in $(UNIT_BIN); do if $$t; then ok=$$((ok+1)); else bad=$$((bad+1)); echo "FAIL $$t"; fi; done; \
	echo "unit: $$ok passed, $$bad failed"; test $$bad -eq 0

golden: $(BUILD)/writ
	python3 tests/run $(BUILD)/writ tests/lang

conformance: $(BUILD)/writ
	python3 $${WRIT_CONFORMANCE:-$$(test -e ../shared/conformance/run-conformance && echo ../shared/conformance/run-conformance || echo /work/shared/conformance/run-conformance)} $$(grep -v "^#" tests/conformance-args) $(BUILD)/writ

# Unit tests, then the golden tests and the shared conformance suite; the
# last line is the summed "N passed, N failed".
test: $(BUILD)/writ $(UNIT_BIN)
	@ok=0; bad=0; for t in $(UNIT_BIN); do if $$t >/dev/null 2>$(BUILD)/unit.err; then ok=$$((ok+1)); else bad=$$((bad+1)); echo "FAIL $$t"; cat $(BUILD)/unit.err; fi; done; \
	echo "unit: $$ok passed, $$bad failed"; \
	python3 tests/run --all $(BUILD)/writ | tee $(BUILD)/golden.out; g=$$?; \
	last=$$(tail -n 1 $(BUILD)/golden.out); gp=$${last%% passed*}; gf=$${last#*, }; gf=$${gf%% failed*}; \
	echo "$$((ok + gp)) passed, $$((bad + gf)) failed"; test $$bad -eq 0 -a "$$gf" = 0

sanitize:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(MAKE) BUILD=build/asan CC=clang OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

bench: $(BUILD)/writ
	bench/run.sh $(BUILD)/writ

clean:
	rm -rf build
