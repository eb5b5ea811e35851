# SPDX-License-Identifier: EUPL-1.2
# meldpunt - one Makefile.
#
#   make            build build/meldpunt (release flags)
#   make run        install missing Debian packages, build, serve on 127.0.0.1:8080
#                   (LISTEN=ADDR:PORT and DATA=DIR choose others)
#   make test       install missing packages, build with ASan+UBSan, lint the
#                   OpenAPI file, build and try the Debian package (deb-test), then
#                   run every test (unit, end-to-end, the HTTP conformance and
#                   slow-client test and memory after large bodies (make http),
#                   browser tests in Debian's chromium, and the unit and deadline
#                   tests again under libfaketime ~400 days ahead and on a leap
#                   day: tests/run.sh dated)
#   make screenshots  browser tests that also save docs/screenshots/*.png
#   make bench      load test with wrk; figures as ratios to a baseline
#   make crash-test the durability harness: 20 kill -9 cycles under load, then every
#                   acknowledged change exactly once, integrity_check, audit verify
#                   (tests/crash/crash.mjs; make test runs 3 cycles)
#   make install    PREFIX=/usr/local DESTDIR=  (binary, config, rules, man pages, unit)
#   make man        build/man/meldpunt.8 and meldpunt.conf.5 (scdoc)
#   make deb        the Debian package in build/deb/ (dpkg-buildpackage, lintian)
#   make deb-test   make deb, then install it into a throwaway root and start it
#   make fuzz       each libFuzzer target (tests/fuzz/) for FUZZ_SECONDS (60) with
#                   ASan+UBSan, from its seed corpus; make fuzz-long: FUZZ_LONG_SECONDS
#                   (3600) each, or until FUZZ_LONG_RUNS (10^7) executions;
#                   FUZZ_TARGETS="jcs router" picks some.  make test replays
#                   the corpora and fuzzes each briefly, 60 s in all
#                   (tests/run.sh fuzz; make fuzz-test runs only that)
#   make tidy       clang-tidy over server/ (.clang-tidy: bugprone, cert, clang-analyzer,
#                   performance, with the exclusions it justifies)
#   make format     clang-format the C sources, prettier the front end (web/);
#                   make format-check  checks both, and that every source file
#                   names its licence (tools/spdx.sh; --add writes the line)
#   make clean
#
# Targets that need packages call packaging/install-deps.sh first and then
# re-enter make, so pkg-config is asked only once the packages are there.

VERSION   := $(shell cat VERSION)
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
# /var whatever the prefix: the unit's StateDirectory= is /var/lib/meldpunt
LOCALSTATEDIR ?= /var
MANDIR    ?= $(PREFIX)/share/man
# the systemd unit; empty: not installed (the Debian package installs it
# with dh_installsystemd)
UNITDIR   ?= $(PREFIX)/lib/systemd/system
DESTDIR   ?=
CC        ?= cc

# libpq: PostgreSQL; libfido2, libcbor: passkeys (issue 21) (issue 23: server/store/pg*.c, meldpunt migrate-storage)
PKGS      := libmicrohttpd jansson sqlite3 libsodium inih libarchive libcurl liboath gnutls libpq libfido2 libcbor
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN      := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
             -Wno-format-nonliteral -Wvla -Wpointer-arith
# CFLAGS, CPPFLAGS and LDFLAGS from the environment (dpkg-buildflags) are honoured.
CFLAGS    ?= -O2 -g
CPPFLAGS  += -Iserver -Ibuild/gen -D_DEFAULT_SOURCE -DMP_VERSION='"$(VERSION)"'
HARDEN    := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now
SANITIZE  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer

SRC       := $(sort $(wildcard server/*.c server/*/*.c))
GEN       := build/gen/schema_files.c build/gen/web_files.c build/gen/rules_files.c \
             build/gen/detection_files.c build/gen/assessment_files.c build/gen/openapi_files.c \
             build/gen/calendar_files.c build/gen/reminders_files.c build/gen/formats_files.c \
             build/gen/pg_schema_files.c \
             build/gen/exercises_files.c
SCHEMA    := $(sort $(wildcard schema/*.sql))
PG_SCHEMA := $(sort $(wildcard schema/pg/*.sql))
RULES     := $(sort $(wildcard config/rules/*.json))
CALENDARS := $(sort $(wildcard config/calendars/*.json))
DETECTION := $(sort $(wildcard config/detection/*.json))
ASSESSMENT := $(sort $(wildcard config/assessment/*.json))
FORMATS   := $(sort $(wildcard config/formats/*.json))
EXERCISES := $(sort $(wildcard config/exercises/*.json))
WEB       := $(sort $(shell find web -type f 2>/dev/null))
OBJ       := $(patsubst %.c,build/obj/%.o,$(SRC) $(GEN))
TOBJ      := $(patsubst %.c,build/test/obj/%.o,$(SRC) $(GEN))
TOBJ_LIB  := $(filter-out build/test/obj/server/main.o,$(TOBJ))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,build/test/unit/%,$(UNIT_SRC))

# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' '$(1)' '$(2)'
endif

.PHONY: all run test bench install uninstall clean deps format format-check tidy \
        test-build unit e2e http dated man deb deb-test lint-openapi browser screenshots \
        fuzz-build fuzz fuzz-long fuzz-test \
        crash-test

all: build/meldpunt

deps:
	@packaging/install-deps.sh

# ---- release build ----
build/meldpunt: $(OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $(HARDEN_LD) -o $@ $^ $(PKG_LIBS)

build/obj/%.o: %.c | build/gen/schema_files.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(WARN) $(HARDEN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

# ---- generated sources: embedded schema and web files ----
build/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 -O1 -Wall -Wextra -Werror -o $@ $<

build/gen/schema_files.c: build/tools/embed $(SCHEMA)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed schema_files schema/ $(SCHEMA) > $@.tmp && mv $@.tmp $@

# issue 23: the PostgreSQL migrations (server/store/pg.c)
build/gen/pg_schema_files.c: build/tools/embed $(PG_SCHEMA)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed pg_schema_files schema/pg/ $(PG_SCHEMA) > $@.tmp && mv $@.tmp $@

build/gen/rules_files.c: build/tools/embed $(RULES)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed rules_files config/rules/ $(RULES) > $@.tmp && mv $@.tmp $@

build/gen/calendar_files.c: build/tools/embed $(CALENDARS)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed calendar_files config/calendars/ $(CALENDARS) > $@.tmp && mv $@.tmp $@

build/gen/reminders_files.c: build/tools/embed config/reminders.json
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed reminders_files config/ config/reminders.json > $@.tmp && mv $@.tmp $@

# schema/openapi.yaml, converted to JSON once here (libyaml) and embedded:
# GET /api/v1/openapi.json serves it.
build/tools/yaml2json: tools/yaml2json.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 -D_DEFAULT_SOURCE -O1 -Wall -Wextra -Werror -o $@ $< \
	    $(shell pkg-config --cflags --libs yaml-0.1 jansson 2>/dev/null)

build/gen/openapi.json: build/tools/yaml2json schema/openapi.yaml
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/yaml2json schema/openapi.yaml > $@.tmp && mv $@.tmp $@

build/gen/openapi_files.c: build/tools/embed build/gen/openapi.json
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed openapi_files build/gen/ build/gen/openapi.json > $@.tmp && mv $@.tmp $@

build/gen/detection_files.c: build/tools/embed $(DETECTION)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed detection_files config/detection/ $(DETECTION) > $@.tmp && mv $@.tmp $@

build/gen/assessment_files.c: build/tools/embed $(ASSESSMENT)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed assessment_files config/assessment/ $(ASSESSMENT) > $@.tmp && mv $@.tmp $@

build/gen/formats_files.c: build/tools/embed $(FORMATS)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed formats_files config/formats/ $(FORMATS) > $@.tmp && mv $@.tmp $@

build/gen/exercises_files.c: build/tools/embed $(EXERCISES)
	@mkdir -p build/gen
	$(call say,EMBED,$@)
	$(Q)build/tools/embed exercises_files config/exercises/ $(EXERCISES) > $@.tmp && mv $@.tmp $@

build/gen/web_files.c: build/tools/embed $(WEB)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)build/tools/embed web_files web/ $(WEB) > $@.tmp && mv $@.tmp $@

# Every statement the store prepares (db_stmt), taken from its preprocessed
# sources (tools/stmts.c); test_migrations runs each against the schema and
# checks the statement cache has a slot for each.
STORE_SRC := $(sort $(wildcard server/store/*.c))

build/tools/stmts: tools/stmts.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 -O1 -Wall -Wextra -Werror -o $@ $<

build/gen/store_statements.h: build/tools/stmts $(STORE_SRC) $(wildcard server/store/*.h)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)for f in $(STORE_SRC); do \
	    $(CC) $(CPPFLAGS) -DMP_TEST_BUILD $(PKG_CFLAGS) -E -P $$f || exit 1; \
	done > $@.i && build/tools/stmts < $@.i > $@.tmp && mv $@.tmp $@ && rm -f $@.i

build/test/unit/test_migrations: build/gen/store_statements.h

# ---- test build: AddressSanitizer + UndefinedBehaviorSanitizer ----
build/test/meldpunt: $(TOBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(SANITIZE) -o $@ $^ $(PKG_LIBS)

build/test/obj/%.o: %.c | build/gen/schema_files.c
	@mkdir -p $(dir $@)
	$(call say,CC,$< [asan])
	$(Q)$(CC) $(CPPFLAGS) -DMP_TEST_BUILD $(WARN) $(SANITIZE) $(PKG_CFLAGS) $(CHECK_CFLAGS) \
	    -MMD -MP -c -o $@ $<

build/test/unit/%: tests/unit/%.c $(TOBJ_LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$< [asan])
	$(Q)$(CC) $(CPPFLAGS) -DMP_TEST_BUILD -Itests/unit $(WARN) $(SANITIZE) $(PKG_CFLAGS) $(CHECK_CFLAGS) \
	    -o $@ $< $(TOBJ_LIB) $(PKG_LIBS) $(CHECK_LIBS)

test-build: build/test/meldpunt $(UNIT_BIN)

# ---- fuzz targets: clang's libFuzzer with ASan+UBSan (tests/fuzz/) ----
# The server's sources once more, built by clang with coverage for the
# fuzzer; each tests/fuzz/NAME.c is one target, build/fuzz/NAME, with its
# seed corpus in tests/fuzz/NAME/.  Release code: no MP_TEST_BUILD.
FUZZ_CC   := clang-14
FUZZ_SAN  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/*.c))
FUZZ_BIN  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FOBJ      := $(patsubst %.c,build/fuzz/obj/%.o,$(filter-out server/main.c,$(SRC)) $(GEN))
FUZZ_SECONDS ?= 60
FUZZ_LONG_SECONDS ?= 3600
FUZZ_LONG_RUNS ?= 10000000
FUZZ_TARGETS ?=

build/fuzz/obj/%.o: %.c | build/gen/schema_files.c
	@mkdir -p $(dir $@)
	$(call say,CC,$< [fuzz])
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) \
	    -MMD -MP -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FOBJ)
	@mkdir -p $(dir $@)
	$(call say,CC,$< [fuzz])
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer $(PKG_CFLAGS) \
	    -o $@ $< $(FOBJ) $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)
# the objects are kept between builds, though only pattern rules name them
.SECONDARY: $(FOBJ)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-long: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_RUNS=$(FUZZ_LONG_RUNS) tests/fuzz/run.sh $(FUZZ_LONG_SECONDS) $(FUZZ_TARGETS)

# ---- the two commands ----
# make run LISTEN=127.0.0.1:8081 DATA=./other: another address or data directory
LISTEN    := 127.0.0.1:8080
DATA      := ./var
run: deps
	@$(MAKE) --no-print-directory build/meldpunt
	./build/meldpunt serve --data $(DATA) --listen $(LISTEN) --log-level info

# The browser tests' npm packages (playwright-core, axe-core and prettier,
# pinned in their lock file): playwright-core drives Debian's chromium and
# never downloads a browser; axe-core checks every page for accessibility.
BROWSER_DEPS := tests/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	$(call say,NPM,tests/browser)
	$(Q)cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The end-to-end tests' npm packages (ajv and ajv-formats, pinned in their
# lock file): every request and answer is checked against schema/openapi.yaml.
E2E_DEPS := tests/e2e/node_modules/.package-lock.json
$(E2E_DEPS): tests/e2e/package.json tests/e2e/package-lock.json
	$(call say,NPM,tests/e2e)
	$(Q)cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# deb-test (package, lintian, install into a throwaway root, start) takes
# about 10 s here, so every `make test` runs it too, before the suites so
# that their closing line ("tests: N passed, M failed") is the last thing
# make test prints.
test: deps
	@$(MAKE) --no-print-directory test-build build/meldpunt fuzz-build $(BROWSER_DEPS) $(E2E_DEPS)
	@$(MAKE) --no-print-directory lint-openapi
	@$(MAKE) --no-print-directory deb-test
	@tests/run.sh

unit: test-build
	@tests/run.sh unit

e2e: test-build $(E2E_DEPS)
	@tests/run.sh e2e

http: test-build build/meldpunt
	@tests/run.sh http

dated: test-build $(E2E_DEPS)
	@tests/run.sh dated

browser: test-build $(BROWSER_DEPS) $(E2E_DEPS)
	@tests/run.sh browser

fuzz-test: fuzz-build
	@tests/run.sh fuzz

crash-test: test-build
	@CRASH_CYCLES=$${CRASH_CYCLES:-20} tests/run.sh crash

screenshots: test-build $(BROWSER_DEPS)
	MELDPUNT_SCREENSHOTS=docs/screenshots MELDPUNT_BIN=$$PWD/build/test/meldpunt \
	    node --test tests/browser/

bench: deps
	@$(MAKE) --no-print-directory build/meldpunt
	@bench/run.sh

# ---- man pages (scdoc) ----
MAN       := build/man/meldpunt.8 build/man/meldpunt.conf.5

man: $(MAN)

build/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	$(call say,SCDOC,$@)
	$(Q)scdoc < $< > $@.tmp && mv $@.tmp $@

# ---- install ----
# The installed config is the documented default with the installed paths:
# the data directory under LOCALSTATEDIR, the rules and the detection rules
# under SYSCONFDIR.
install: build/meldpunt $(MAN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/meldpunt
	install -m 0755 build/meldpunt $(DESTDIR)$(BINDIR)/meldpunt
	sed -e 's|^data_dir = ./var$$|data_dir = $(LOCALSTATEDIR)/lib/meldpunt|' \
	    -e '/^\[rules\]/,/^\[/ s|^dir =$$|dir = $(SYSCONFDIR)/meldpunt/rules|' \
	    -e '/^\[detection\]/,/^\[/ s|^dir =$$|dir = $(SYSCONFDIR)/meldpunt/detection|' \
	    -e '/^\[assessment\]/,/^\[/ s|^dir =$$|dir = $(SYSCONFDIR)/meldpunt/assessment|' \
	    config/meldpunt.conf > build/meldpunt.conf
	install -m 0644 build/meldpunt.conf $(DESTDIR)$(SYSCONFDIR)/meldpunt/meldpunt.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/meldpunt/rules
	install -m 0644 $(RULES) $(DESTDIR)$(SYSCONFDIR)/meldpunt/rules/
	install -d $(DESTDIR)$(SYSCONFDIR)/meldpunt/calendars
	install -m 0644 $(CALENDARS) $(DESTDIR)$(SYSCONFDIR)/meldpunt/calendars/
	install -m 0644 config/reminders.json $(DESTDIR)$(SYSCONFDIR)/meldpunt/reminders.json
	install -d $(DESTDIR)$(SYSCONFDIR)/meldpunt/detection
	install -m 0644 $(DETECTION) $(DESTDIR)$(SYSCONFDIR)/meldpunt/detection/
	install -d $(DESTDIR)$(SYSCONFDIR)/meldpunt/assessment
	install -m 0644 $(ASSESSMENT) $(DESTDIR)$(SYSCONFDIR)/meldpunt/assessment/
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 build/man/meldpunt.8 $(DESTDIR)$(MANDIR)/man8/meldpunt.8
	install -m 0644 build/man/meldpunt.conf.5 $(DESTDIR)$(MANDIR)/man5/meldpunt.conf.5
	$(if $(UNITDIR),install -d $(DESTDIR)$(UNITDIR))
	$(if $(UNITDIR),sed 's|/usr/bin/meldpunt|$(BINDIR)/meldpunt|g; s|/etc/meldpunt|$(SYSCONFDIR)/meldpunt|g' \
	    packaging/meldpunt.service > build/meldpunt.service)
	$(if $(UNITDIR),install -m 0644 build/meldpunt.service $(DESTDIR)$(UNITDIR)/meldpunt.service)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/meldpunt $(DESTDIR)$(MANDIR)/man8/meldpunt.8 \
	      $(DESTDIR)$(MANDIR)/man5/meldpunt.conf.5
	$(if $(UNITDIR),rm -f $(DESTDIR)$(UNITDIR)/meldpunt.service)

# ---- Debian package ----
# Built from a copy of the checkout (the files git knows, committed or not),
# with packaging/debian/ as debian/, so the tree itself stays clean.
DEBTREE   := build/deb/meldpunt-$(VERSION)

deb:
	@packaging/install-deps.sh deb
	rm -rf build/deb && mkdir -p $(DEBTREE)
	git ls-files -co --exclude-standard | while read -r f; do [ -f "$$f" ] && echo "$$f"; done | \
	    tar -cf - -T - | tar -xf - -C $(DEBTREE)
	rm -rf $(DEBTREE)/packaging/debian && cp -r packaging/debian $(DEBTREE)/debian
	cp packaging/meldpunt.service $(DEBTREE)/debian/meldpunt.service
	cd $(DEBTREE) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --display-info build/deb/meldpunt_$(VERSION)_*.changes

deb-test: deb
	@tests/deb/install-and-start.sh build/deb/meldpunt_$(VERSION)_*.deb

# schema/openapi.yaml through @redocly/cli's recommended rules (npm, fetched
# by npx on first use); part of make test.
REDOCLY   := @redocly/cli@2.77.0
lint-openapi:
	npx --yes $(REDOCLY) lint --format=stylish schema/openapi.yaml

PRETTIER  := tests/browser/node_modules/.bin/prettier

# clang-tidy (.clang-tidy) over server/, or TIDY_FILES; two at a time.
TIDY_FILES ?= $(filter server/%,$(SRC))
tidy: build/gen/schema_files.c
	@printf '%s\n' $(TIDY_FILES) | \
	    xargs -P 2 -I{} clang-tidy --quiet {} -- $(CPPFLAGS) -std=c11 $(PKG_CFLAGS) 2>/dev/null | \
	    grep -E 'warning:|error:' > build/tidy.log; \
	cat build/tidy.log; test ! -s build/tidy.log

format: $(BROWSER_DEPS)
	$(PRETTIER) --log-level warn --write web
	clang-format -i $(SRC) $(UNIT_SRC) $(FUZZ_SRC) tests/fuzz/fuzz.h tools/embed.c tools/yaml2json.c $(wildcard server/*.h server/*/*.h tests/unit/*.h)

format-check: $(BROWSER_DEPS)
	@tools/spdx.sh
	$(PRETTIER) --log-level warn --check web
	clang-format --dry-run --Werror $(SRC) $(UNIT_SRC) $(FUZZ_SRC) tests/fuzz/fuzz.h tools/embed.c tools/yaml2json.c $(wildcard server/*.h server/*/*.h tests/unit/*.h)

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(TOBJ:.o=.d) $(FOBJ:.o=.d)
