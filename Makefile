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
       src/stop.c src/io.c src/util.c src/timeline.c src/pipe.c \
       src/block.c src/json.c src/results.c src/summary.c src/resource.c \
       src/exec.c src/exec_ssh.c \
       src/exec_slurm.c src/slurm_submit.c
OBJS = $(SRCS:.c=.o)

# parx-timeline draws a run from its job log, with parx's drawing code.
TL_SRCS = src/parx-timeline.c src/tlread.c src/timeline.c src/io.c \
       src/util.c
TL_OBJS = $(TL_SRCS:.c=.o)

all: parx parx-timeline

parx: $(OBJS)
	$(CC) $(PARX_LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

parx-timeline: $(TL_OBJS)
	$(CC) $(PARX_LDFLAGS) -o $@ $(TL_OBJS) $(LDLIBS)

src/%.o: src/%.c src/parx.h
	$(CC) $(PARX_CFLAGS) $(CPPFLAGS) -c -o $@ $<

src/exec.o src/exec_ssh.o src/exec_slurm.o src/slurm_submit.o: src/exec.h

# Runs the bats suite against ./parx and ./parx-timeline (or $PARX and
# $PARX_TIMELINE), then lints the man pages.
check: parx parx-timeline tests/.bats-ok
	PARX=$${PARX:-$(CURDIR)/parx} \
	    PARX_TIMELINE=$${PARX_TIMELINE:-$(CURDIR)/parx-timeline} \
	    $(BATS) tests
	PARX=$${PARX:-$(CURDIR)/parx} sh tests/stress.sh --short
	@sh tests/lint-man.sh

tests/.bats-ok:
	@sh tests/bootstrap-bats.sh
	@touch $@

# Sanitizer builds live in their own folders so they never mix objects.
asan:
	$(MAKE) -s clean-sanitize
	$(MAKE) parx-asan parx-timeline-asan
	PARX=$(CURDIR)/parx-asan PARX_TIMELINE=$(CURDIR)/parx-timeline-asan \
	    ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $(MAKE) check-bats

tsan:
	$(MAKE) parx-tsan parx-timeline-tsan
	PARX=$(CURDIR)/parx-tsan PARX_TIMELINE=$(CURDIR)/parx-timeline-tsan \
	    TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
	    $(MAKE) check-bats

check-bats: tests/.bats-ok
	$(BATS) tests

check-sanitize: asan tsan

parx-asan: $(SRCS) src/parx.h src/exec.h
	clang -O1 -g -std=c11 -D_GNU_SOURCE -pthread $(VERSION_DEF) \
	    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer -o $@ $(SRCS)

parx-tsan: $(SRCS) src/parx.h src/exec.h
	clang -O1 -g -std=c11 -D_GNU_SOURCE -pthread $(VERSION_DEF) \
	    -fsanitize=thread \
	    -o $@ $(SRCS)

parx-timeline-asan: $(TL_SRCS) src/parx.h
	clang -O1 -g -std=c11 -D_GNU_SOURCE -pthread $(VERSION_DEF) \
	    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer -o $@ $(TL_SRCS)

parx-timeline-tsan: $(TL_SRCS) src/parx.h
	clang -O1 -g -std=c11 -D_GNU_SOURCE -pthread $(VERSION_DEF) \
	    -fsanitize=thread -o $@ $(TL_SRCS)

clean-sanitize:
	rm -f parx-asan parx-tsan parx-timeline-asan parx-timeline-tsan

bench: parx
	sh bench/run.sh

# -S against GNU parallel -S and a bare ssh loop, on two loopback sshd.
bench-ssh: parx
	sh bench/ssh.sh

# --slurm against a bare srun loop, --slurm-submit against one array task
# per job, on a single-node Slurm on loopback (root).
bench-slurm: parx
	bash bench/slurm.sh

# Both programs, their man pages and their completions.
install: parx parx-timeline
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 parx parx-timeline $(DESTDIR)$(BINDIR)/
	install -m 0644 man/parx.1 man/parx-timeline.1 \
	    $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 completions/parx.bash $(DESTDIR)$(BASHCOMPDIR)/parx
	install -m 0644 completions/parx-timeline.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/parx-timeline
	install -m 0644 completions/_parx completions/_parx-timeline \
	    $(DESTDIR)$(ZSHCOMPDIR)/
	install -m 0644 completions/parx.fish completions/parx-timeline.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/parx $(DESTDIR)$(BINDIR)/parx-timeline \
	    $(DESTDIR)$(MANDIR)/man1/parx.1 \
	    $(DESTDIR)$(MANDIR)/man1/parx-timeline.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/parx $(DESTDIR)$(BASHCOMPDIR)/parx-timeline \
	    $(DESTDIR)$(ZSHCOMPDIR)/_parx $(DESTDIR)$(ZSHCOMPDIR)/_parx-timeline \
	    $(DESTDIR)$(FISHCOMPDIR)/parx.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/parx-timeline.fish

clean: clean-sanitize
	rm -f parx parx-timeline $(OBJS) $(TL_OBJS)

.PHONY: all check check-bats asan tsan check-sanitize clean-sanitize bench \
    bench-ssh bench-slurm install uninstall clean

# Reliability gates (tests/README.md): libFuzzer harnesses, the stress
# run and valgrind.  fuzz/run.sh runs the harnesses; make fuzz builds them.
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -pthread \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZERS = fuzz/template-fuzz fuzz/input-fuzz fuzz/parse-fuzz \
    fuzz/joblog-fuzz fuzz/timeline-fuzz fuzz/pipe-fuzz fuzz/quote-fuzz

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
    src/shell.c src/json.c src/io.c src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/joblog_fuzz.c src/joblog.c \
	    src/shell.c src/json.c src/io.c src/util.c

fuzz/timeline-fuzz: fuzz/timeline_fuzz.c fuzz/common.h src/tlread.c \
    src/timeline.c src/io.c src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/timeline_fuzz.c src/tlread.c \
	    src/timeline.c src/io.c src/util.c

fuzz/pipe-fuzz: fuzz/pipe_fuzz.c fuzz/common.h src/pipe.c src/block.c \
    src/io.c src/util.c src/parx.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/pipe_fuzz.c src/block.c \
	    src/io.c src/util.c

stress: parx
	PARX=$${PARX:-$(CURDIR)/parx} sh tests/stress.sh

stress-short: parx
	PARX=$${PARX:-$(CURDIR)/parx} sh tests/stress.sh --short

# Representative runs under valgrind (tests/valgrind.sh).
valgrind: parx parx-timeline
	PARX=$${PARX:-$(CURDIR)/parx} \
	    PARX_TIMELINE=$${PARX_TIMELINE:-$(CURDIR)/parx-timeline} \
	    sh tests/valgrind.sh

.PHONY: fuzz stress stress-short valgrind

# The version is written in one place, the file VERSION; the programs get it
# as PARX_VERSION.  The release tarball and the Debian package are named
# after it (debian/changelog must agree: tests/dist.bats checks).
VERSION := $(shell cat VERSION 2>/dev/null)
VERSION_DEF = -DPARX_VERSION='"$(VERSION)"'
PARX_CFLAGS += $(VERSION_DEF)
FUZZ_CFLAGS += $(VERSION_DEF)
src/options.o parx-asan parx-tsan fuzz/parse-fuzz: VERSION
src/parx-timeline.o parx-timeline-asan parx-timeline-tsan: VERSION

version:
	@echo $(VERSION)

# make dist: parx-VERSION.tar.gz and its SHA-256 in DISTDIR, holding the
# files git tracks (as they are in the working tree) but DIST_EXCLUDE, under
# parx-VERSION/.  Owners, modes and times are fixed, so the same tree gives
# the same bytes.
DISTNAME = parx-$(VERSION)
DISTDIR = .
DIST_EXCLUDE = ^\.gitignore$$|^\.ci/

dist:
	@test "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$$(pwd -P)" || \
	    { echo 'make dist: needs the git checkout of parx:' \
	    'it packs the files git tracks' >&2; exit 1; }
	@test -z "$$(git status --porcelain)" || \
	    echo 'make dist: warning: the tree has changes not committed;' \
	    'tracked files go in as they are now, untracked ones not' >&2
	mkdir -p $(DISTDIR)
	git ls-files -z | grep -zvE '$(DIST_EXCLUDE)' | \
	    tar --null -T - --owner=0 --group=0 --numeric-owner \
	    --mode=a+rX,u+w,go-w --mtime=@$$(git log -1 --format=%ct) \
	    --transform='s,^,$(DISTNAME)/,' -I 'gzip -9n' \
	    -cf $(DISTDIR)/$(DISTNAME).tar.gz
	cd $(DISTDIR) && sha256sum $(DISTNAME).tar.gz >$(DISTNAME).tar.gz.sha256
	@echo "$(DISTDIR)/$(DISTNAME).tar.gz"

# make deb: the Debian package, built with dpkg-buildpackage from the
# release tarball unpacked in DEBDIR (the tests run unless
# DEB_BUILD_OPTIONS=nocheck); make deb-deps installs what that needs.
DEBDIR = build-deb
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

deb:
	rm -rf $(DEBDIR)/$(DISTNAME)
	$(MAKE) -s dist DISTDIR=$(DEBDIR) >/dev/null
	tar -xzf $(DEBDIR)/$(DISTNAME).tar.gz -C $(DEBDIR)
	cd $(DEBDIR)/$(DISTNAME) && dpkg-buildpackage -us -uc -b
	@ls $(DEBDIR)/parx*_$(VERSION)_*.deb

deb-deps:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends dpkg-dev fakeroot lintian
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq \
	    --no-install-recommends ./

.PHONY: version dist deb deb-deps
