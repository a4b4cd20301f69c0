# parx - plain make.  Override any variable on the command line.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
DESTDIR ?=
CC ?= cc
CFLAGS ?= -O2 -g -Wall -Wextra
CPPFLAGS ?=
LDFLAGS ?=
LDLIBS ?=
BATS ?= $(shell command -v bats 2>/dev/null || echo tests/.bats/bin/bats)

PARX_CFLAGS = $(CFLAGS) -std=c11 -D_GNU_SOURCE -pthread
PARX_LDFLAGS = $(LDFLAGS) -pthread

SRCS = src/main.c src/options.c src/reader.c src/queue.c src/job.c \
       src/shell.c src/template.c src/worker.c src/run.c src/spawn.c \
       src/sink.c \
       src/outbuf.c src/output.c src/collect.c src/joblog.c src/bar.c \
       src/stop.c src/io.c src/util.c
OBJS = $(SRCS:.c=.o)

all: parx

parx: $(OBJS)
	$(CC) $(PARX_LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

src/%.o: src/%.c src/parx.h
	$(CC) $(PARX_CFLAGS) $(CPPFLAGS) -c -o $@ $<

# Runs the bats suite against ./parx (or $PARX), then lints the man page.
check: parx tests/.bats-ok
	PARX=$${PARX:-$(CURDIR)/parx} $(BATS) tests
	PARX=$${PARX:-$(CURDIR)/parx} sh tests/stress.sh --short
	@sh tests/lint-man.sh

tests/.bats-ok:
	@sh tests/bootstrap-bats.sh
	@touch $@

# Sanitizer builds live in their own folders so they never mix objects.
asan:
	$(MAKE) -s clean-sanitize
	$(MAKE) parx-asan
	PARX=$(CURDIR)/parx-asan ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $(MAKE) check-bats

tsan:
	$(MAKE) parx-tsan
	PARX=$(CURDIR)/parx-tsan TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
	    $(MAKE) check-bats

check-bats: tests/.bats-ok
	$(BATS) tests

check-sanitize: asan tsan

parx-asan: $(SRCS) src/parx.h
	clang -O1 -g -std=c11 -D_GNU_SOURCE -pthread \
	    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer -o $@ $(SRCS)

parx-tsan: $(SRCS) src/parx.h
	clang -O1 -g -std=c11 -D_GNU_SOURCE -pthread -fsanitize=thread \
	    -o $@ $(SRCS)

clean-sanitize:
	rm -f parx-asan parx-tsan

bench: parx
	sh bench/run.sh

install: parx
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 parx $(DESTDIR)$(BINDIR)/parx
	install -m 0644 man/parx.1 $(DESTDIR)$(MANDIR)/man1/parx.1
	install -m 0644 completions/parx.bash $(DESTDIR)$(BASHCOMPDIR)/parx
	install -m 0644 completions/_parx $(DESTDIR)$(ZSHCOMPDIR)/_parx
	install -m 0644 completions/parx.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/parx.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/parx $(DESTDIR)$(MANDIR)/man1/parx.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/parx $(DESTDIR)$(ZSHCOMPDIR)/_parx \
	    $(DESTDIR)$(FISHCOMPDIR)/parx.fish

clean: clean-sanitize
	rm -f parx $(OBJS)

.PHONY: all check check-bats asan tsan check-sanitize clean-sanitize bench \
    install uninstall clean

# Reliability gates (tests/README.md): libFuzzer harnesses, the stress
# run and valgrind.  fuzz/run.sh runs the harnesses; make fuzz builds them.
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -pthread \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZERS = fuzz/template-fuzz fuzz/input-fuzz fuzz/parse-fuzz \
    fuzz/joblog-fuzz fuzz/quote-fuzz

fuzz: $(FUZZERS)

fuzz/template-fuzz: fuzz/template_fuzz.c fuzz/common.h src/template.c \
    src/shell.c src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/template_fuzz.c \
	    src/template.c src/shell.c src/util.c

fuzz/quote-fuzz: fuzz/quote_fuzz.c fuzz/common.h src/template.c \
    src/shell.c src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/quote_fuzz.c \
	    src/template.c src/shell.c src/util.c

fuzz/input-fuzz: fuzz/input_fuzz.c fuzz/common.h src/reader.c src/job.c \
    src/template.c src/shell.c src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/input_fuzz.c src/job.c \
	    src/template.c src/shell.c src/util.c

fuzz/parse-fuzz: fuzz/parse_fuzz.c fuzz/common.h src/options.c \
    src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/parse_fuzz.c src/util.c

fuzz/joblog-fuzz: fuzz/joblog_fuzz.c fuzz/common.h src/joblog.c \
    src/shell.c src/io.c src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/joblog_fuzz.c src/joblog.c \
	    src/shell.c src/io.c src/util.c

stress: parx
	PARX=$${PARX:-$(CURDIR)/parx} sh tests/stress.sh

stress-short: parx
	PARX=$${PARX:-$(CURDIR)/parx} sh tests/stress.sh --short

# Representative runs under valgrind (tests/valgrind.sh).
valgrind: parx
	PARX=$${PARX:-$(CURDIR)/parx} sh tests/valgrind.sh

.PHONY: fuzz stress stress-short valgrind
