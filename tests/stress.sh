#!/bin/sh
# tests/stress.sh [--short] - runs thousands of jobs through parx and checks
# every byte they print.
#
# Each job is a small generator (compiled from the C below) that prints a
# pseudo-random amount (0 to 1 MB, most of it small) of deterministic
# content seeded by its item number: lines "J<item>:<n>:<payload>" on
# stdout and a few "E<item>:<n>:<payload>" on stderr, written in chunks of
# random size with random pauses; the last line may lack its newline.  A
# checker regenerates what each job must have printed and reads parx's
# output:
#
#   group modes (default, -k, --tag): each job's stdout and stderr are one
#       contiguous piece, byte for byte, exactly once; with -k in input
#       order; with --tag every line carries the job's item;
#   --line-buffer: every line is whole, belongs to one job, and each job's
#       lines come in order, exactly once, with none missing;
#   --results DIR (with the default mode, and -k): besides the above, each
#       job's DIR/SEQ holds its seven files, stdout and stderr byte for
#       byte what the job wrote.
#
# The same runs are repeated with fates: some jobs kill themselves with
# SIGKILL, SIGTERM, SIGINT or SIGUSR1 mid-output, some stop writing and
# wait until --timeout kills them, some exit 3.  Their partial output must
# appear exactly once and be exactly what they wrote before dying, parx
# must name each timed-out job, and its exit status must count the
# failures.  No temporary file may be left behind.
#
# The binary is $PARX, else ./parx.  STRESS_JOBS, STRESS_SEED and STRESS_J
# override the number of jobs per run, the seed and -j.  Prints one
# summary line; exits non-zero on the first failing run.
set -u

short=0
[ "${1:-}" = --short ] && short=1
top=$(cd "$(dirname "$0")/.." && pwd)
parx=${PARX:-$top/parx}
case $parx in
/*)	;;
*)	parx=$PWD/$parx ;;
esac
if [ ! -x "$parx" ]; then
	echo "stress: no parx binary at $parx: run make first" >&2
	exit 2
fi
seed=${STRESS_SEED:-20240611}
jobs=${STRESS_J:-12}
if [ $short = 1 ]; then
	n=${STRESS_JOBS:-500}
	nf=${STRESS_JOBS:-300}
	modes="group keep line tag results"
else
	n=${STRESS_JOBS:-3000}
	nf=${STRESS_JOBS:-2000}
	modes="group keep line tag line+keep line+tag keep+tag results"
	modes="$modes keep+results line+results"
fi
timeout=3

work=$(mktemp -d "${TMPDIR:-/tmp}/parx-stress.XXXXXX") || exit 2
trap '[ -n "${STRESS_KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

cat >"$work/gen.c" <<'EOF'
/*
 * gen job SEED FATES ITEM: be job ITEM.
 * gen check SEED N FATES FLAGS OUT ERR STATUS: check parx's output.
 * gen dump SEED FATES ITEM J|E: what job ITEM prints on stdout or stderr.
 * gen results SEED N FATES DIR: check --results DIR.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { FATE_OK, FATE_EXIT, FATE_KILL, FATE_TERM, FATE_INT, FATE_USR1, FATE_TIMEOUT };
static const char *const fatename[] = { "ok", "exit 3", "SIGKILL",
    "SIGTERM", "SIGINT", "SIGUSR1", "timeout" };

struct plan {
	size_t	 size;		/* stdout bytes aimed at */
	int	 fate;
	int	 nerr;		/* stderr lines */
	uint64_t cutr;		/* where a fate strikes, as a fraction */
	uint64_t rs;		/* seed of the writing pattern */
};

static uint64_t
mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
plan_job(uint64_t seed, long item, int fates, struct plan *p)
{
	uint64_t s = seed * 1000003 + (uint64_t)item, r;

	r = mix(&s) % 1000;
	if (r < 20)
		p->size = 128 * 1024 + mix(&s) % (896 * 1024 + 1);
	else if (r < 120)
		p->size = 8192 + mix(&s) % (120 * 1024);
	else if (r < 200)
		p->size = 0;
	else
		p->size = 1 + mix(&s) % 8192;
	p->nerr = (int)(mix(&s) % 3);
	r = mix(&s) % 1000;
	p->fate = FATE_OK;
	if (fates) {
		if (r < 15)
			p->fate = FATE_KILL;
		else if (r < 25)
			p->fate = FATE_TERM;
		else if (r < 30)
			p->fate = FATE_INT;
		else if (r < 35)
			p->fate = FATE_USR1;
		else if (r < 50)
			p->fate = FATE_TIMEOUT;
		else if (r < 60)
			p->fate = FATE_EXIT;
	}
	p->cutr = mix(&s);
	p->rs = mix(&s);
}

/* A position not inside a "J<item>:<n>:" header. */
static size_t
fix_cut(const char *b, size_t len, size_t k)
{
	size_t ls = k, i;
	int colons = 0;

	while (ls > 0 && b[ls - 1] != '\n')
		ls--;
	if (ls == k)
		return k;
	for (i = ls; i < len && colons < 2; i++)
		colons += b[i] == ':';
	return k < i ? i : k;
}

static const char alpha[] =
    "abcdefghiklmnopqrstuvwxyz0123456789 .,;-+=_/ABCDFGHIKLMNOPQRSTUVWXYZ";

/*
 * What job item writes on stream 'J' (stdout) or 'E' (stderr), up to
 * where its fate strikes.  Malloc'd; *len gets its length.
 */
static char *
content(uint64_t seed, long item, int fates, int stream, size_t *len)
{
	struct plan p;
	uint64_t s;
	size_t cap, n = 0, pl, i, want;
	char *b;
	int line = 0;

	plan_job(seed, item, fates, &p);
	s = p.rs ^ (stream == 'E' ? 0x5555 : 0);
	want = stream == 'J' ? p.size : 0;
	cap = want + 128 * 1024 + 64;
	b = malloc(cap);
	for (;;) {
		if (stream == 'J' ? n >= want : line >= p.nerr)
			break;
		uint64_t r = mix(&s) % 1000;

		pl = stream == 'E' ? r % 60 : r < 900 ? r % 80 :
		    r < 990 ? 80 + mix(&s) % 4000 : 4000 + mix(&s) % 96000;
		if (n + pl + 64 > cap) {
			cap = (n + pl + 64) * 2;
			b = realloc(b, cap);
		}
		n += (size_t)sprintf(b + n, "%c%ld:%d:", stream, item, ++line);
		for (i = 0; i < pl; i++)
			b[n++] = alpha[mix(&s) % (sizeof(alpha) - 1)];
		b[n++] = '\n';
	}
	if (stream == 'J' && n > want)
		n = fix_cut(b, n, want);
	if (stream == 'J' && p.fate >= FATE_KILL)
		n = fix_cut(b, n, n == 0 ? 0 : (size_t)(p.cutr % (n + 1)));
	*len = n;
	return b;
}

static void
put(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(99);
		p += w;
		n -= (size_t)w;
	}
}

static void
nap(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
job(uint64_t seed, int fates, long item)
{
	struct plan p;
	char *out, *err;
	size_t nout, nerr, at = 0, k;
	uint64_t s;
	long paused = 0, us;

	plan_job(seed, item, fates, &p);
	out = content(seed, item, fates, 'J', &nout);
	err = content(seed, item, fates, 'E', &nerr);
	s = p.rs ^ 0xabcdef;
	put(2, err, nerr);
	if (mix(&s) % 10 < 3)
		nap((long)(mix(&s) % 20000));
	while (at < nout) {
		k = mix(&s) % 4 == 0 ? 1 + mix(&s) % 65536 :
		    1 + mix(&s) % 4096;
		if (k > nout - at)
			k = nout - at;
		put(1, out + at, k);
		at += k;
		if (mix(&s) % 10 == 0 && paused < 150000) {
			us = (long)(mix(&s) % 3000);
			nap(us);
			paused += us;
		}
	}
	switch (p.fate) {
	case FATE_EXIT:
		return 3;
	case FATE_KILL:
		raise(SIGKILL);
		break;
	case FATE_TERM:
		raise(SIGTERM);
		break;
	case FATE_INT:
		raise(SIGINT);
		break;
	case FATE_USR1:
		raise(SIGUSR1);
		break;
	case FATE_TIMEOUT:
		for (;;)
			pause();
	}
	return 0;
}

/* The checker. */
static uint64_t seed;
static long njobs;
static int fates, ordered, linewise, tagged;
static int errors;
static long ntimeout_seen;
static char *seen_timeout;

#define FAIL(...) do {							\
	fprintf(stderr, "stress: ");					\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	if (++errors >= 10)						\
		exit(1);						\
} while (0)

static const char *
map(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd == -1 || fstat(fd, &st) == -1) {
		perror(path);
		exit(2);
	}
	*len = (size_t)st.st_size;
	if (*len == 0)
		return "";
	p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror(path);
		exit(2);
	}
	close(fd);
	return p;
}

/* content() with "ITEM\t" before each line under --tag. */
static char *
expect(long item, int stream, size_t *len)
{
	size_t n, i, o = 0, lines = 0;
	char *c = content(seed, item, fates, stream, &n), *t, tag[32];
	int tl;

	if (!tagged || n == 0) {
		*len = n;
		return c;
	}
	tl = snprintf(tag, sizeof(tag), "%ld\t", item);
	for (i = 0; i < n; i++)
		lines += c[i] == '\n';
	t = malloc(n + (lines + 1) * (size_t)tl);
	for (i = 0; i < n; i++) {
		if (i == 0 || c[i - 1] == '\n') {
			memcpy(t + o, tag, (size_t)tl);
			o += (size_t)tl;
		}
		t[o++] = c[i];
	}
	free(c);
	*len = o;
	return t;
}

/* Shows where output differs from what a job should have printed. */
static void
diff(const char *what, long item, const char *got, size_t glen,
    const char *want, size_t wlen)
{
	struct plan p;
	size_t i;

	plan_job(seed, item, fates, &p);
	for (i = 0; i < glen && i < wlen && got[i] == want[i]; i++)
		;
	FAIL("%s of job %ld (%s) differs at byte %zu of %zu: got '%.20s' "
	    "want '%.20s'", what, item, fatename[p.fate], i, wlen,
	    i < glen ? got + i : "<end>", i < wlen ? want + i : "<end>");
}

/* "parx: job N: timed out after Ts\n" for a job fated to time out. */
static size_t
message(const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	size_t len = nl ? (size_t)(nl - p) + 1 : n;
	long item;
	struct plan pl;
	char tail[64];

	if (sscanf(p, "parx: job %ld: timed out after %60[^\n]", &item,
	    tail) == 2 && item >= 1 && item <= njobs) {
		plan_job(seed, item, fates, &pl);
		if (pl.fate != FATE_TIMEOUT)
			FAIL("job %ld reported as timed out", item);
		else if (seen_timeout[item]++)
			FAIL("job %ld reported twice as timed out", item);
		else
			ntimeout_seen++;
		return len;
	}
	FAIL("unexpected message: %.*s", (int)(len > 200 ? 200 : len), p);
	return len;
}

/* Reads "[ITEM\t]X<item>:" at p; returns the item or -1. */
static long
header(const char *p, size_t n, int stream)
{
	long item, tag = -1;
	char *e;
	char buf[48];
	size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;

	memcpy(buf, p, k);
	buf[k] = '\0';
	p = buf;
	if (tagged) {
		tag = strtol(p, &e, 10);
		if (e == p || *e != '\t')
			return -1;
		p = e + 1;
	}
	if (*p != stream)
		return -1;
	item = strtol(p + 1, &e, 10);
	if (e == p + 1 || *e != ':' || item < 1 || item > njobs)
		return -1;
	if (tagged && tag != item)
		return -1;
	return item;
}

/* Group modes: each job's stream is one piece, exactly once. */
/*
 * At b[*pos]: skips a parx message on stderr (returns 0), or returns the
 * job number of the line there; -1 (a failure) when it is neither.
 */
static long
piece(const char *b, size_t len, size_t *pos, size_t *total, int stream)
{
	size_t k;
	long item;

	if (stream == 'E' && len - *pos >= 6 &&
	    memcmp(b + *pos, "parx: ", 6) == 0) {
		k = message(b + *pos, len - *pos);
		*pos += k;
		*total += k;
		return 0;
	}
	if ((item = header(b + *pos, len - *pos, stream)) == -1)
		FAIL("%s: no job line at byte %zu: '%.30s'",
		    stream == 'J' ? "stdout" : "stderr", *pos, b + *pos);
	return item;
}

static size_t
check_group(const char *b, size_t len, int stream)
{
	char *seen = calloc((size_t)njobs + 1, 1);
	long item, last = 0, i;
	size_t pos = 0, wl, total = 0;
	char *want;

	while (pos < len && errors == 0) {
		if ((item = piece(b, len, &pos, &total, stream)) == 0)
			continue;
		if (item == -1)
			break;
		if (seen[item]++)
			FAIL("job %ld printed twice on %s", item,
			    stream == 'J' ? "stdout" : "stderr");
		if (ordered && item < last)
			FAIL("job %ld after job %ld under -k", item, last);
		last = item;
		want = expect(item, stream, &wl);
		if (wl > len - pos || memcmp(b + pos, want, wl) != 0)
			diff(stream == 'J' ? "stdout" : "stderr", item, b + pos,
			    len - pos, want, wl);
		free(want);
		pos += wl;
		total += wl;
	}
	for (i = 1; i <= njobs && errors == 0; i++) {
		want = expect(i, stream, &wl);
		if (wl > 0 && !seen[i])
			FAIL("job %ld: %zu bytes of %s missing", i, wl,
			    stream == 'J' ? "stdout" : "stderr");
		free(want);
	}
	free(seen);
	return total;
}

/* --line-buffer: whole lines, each job's in order, all of them. */
static size_t
check_lines(const char *b, size_t len, int stream)
{
	size_t *cur = calloc((size_t)njobs + 1, sizeof(*cur));
	size_t *wl = calloc((size_t)njobs + 1, sizeof(*wl));
	char **want = calloc((size_t)njobs + 1, sizeof(*want));
	char *done = calloc((size_t)njobs + 1, 1), tag[32];
	size_t pos = 0, ll, total = 0;
	const char *nl;
	long item, i;
	int tl;

	while (pos < len && errors == 0) {
		if ((item = piece(b, len, &pos, &total, stream)) == 0)
			continue;
		if (item == -1)
			break;
		if (done[item]) {
			FAIL("job %ld: a line after its end", item);
			break;
		}
		if (want[item] == NULL) {
			int save = tagged;

			tagged = 0;
			want[item] = expect(item, stream, &wl[item]);
			tagged = save;
		}
		tl = tagged ? snprintf(tag, sizeof(tag), "%ld\t", item) : 0;
		nl = memchr(want[item] + cur[item], '\n', wl[item] - cur[item]);
		ll = nl ? (size_t)(nl - want[item] - cur[item]) + 1 :
		    wl[item] - cur[item];
		if ((size_t)tl + ll > len - pos ||
		    memcmp(b + pos + tl, want[item] + cur[item], ll) != 0) {
			diff("line", item, b + pos + tl, len - pos - tl,
			    want[item] + cur[item], ll);
			break;
		}
		pos += (size_t)tl + ll;
		total += (size_t)tl + ll;
		cur[item] += ll;
		if (cur[item] == wl[item]) {
			done[item] = 1;
			free(want[item]);
			want[item] = NULL;
		}
	}
	for (i = 1; i <= njobs && errors == 0; i++) {
		if (done[i])
			continue;
		if (want[i] == NULL) {
			int save = tagged;

			tagged = 0;
			want[i] = expect(i, stream, &wl[i]);
			tagged = save;
		}
		if (cur[i] != wl[i])
			FAIL("job %ld: %s has %zu of its %zu bytes", i,
			    stream == 'J' ? "stdout" : "stderr", cur[i], wl[i]);
		free(want[i]);
		want[i] = NULL;
	}
	free(cur);
	free(wl);
	free(want);
	free(done);
	return total;
}

static int
check(char **av)
{
	const char *flags, *out, *err;
	size_t olen, elen, ob, eb;
	long i, nfail = 0, nkill = 0, ntime = 0, want, status;
	struct plan p;

	seed = strtoull(av[0], NULL, 10);
	njobs = atol(av[1]);
	fates = atoi(av[2]);
	flags = av[3];
	ordered = strchr(flags, 'k') != NULL;
	linewise = strchr(flags, 'l') != NULL;
	tagged = strchr(flags, 't') != NULL;
	out = map(av[4], &olen);
	err = map(av[5], &elen);
	status = atol(av[6]);
	seen_timeout = calloc((size_t)njobs + 1, 1);

	if (linewise && !ordered) {
		ob = check_lines(out, olen, 'J');
		eb = check_lines(err, elen, 'E');
	} else {
		ob = check_group(out, olen, 'J');
		eb = check_group(err, elen, 'E');
	}
	for (i = 1; i <= njobs; i++) {
		plan_job(seed, i, fates, &p);
		nfail += p.fate != FATE_OK;
		nkill += p.fate >= FATE_KILL && p.fate < FATE_TIMEOUT;
		ntime += p.fate == FATE_TIMEOUT;
	}
	if (errors == 0 && ntimeout_seen != ntime)
		FAIL("%ld timeouts reported, %ld expected", ntimeout_seen,
		    ntime);
	want = nfail > 100 ? 101 : nfail;
	if (status != want)
		FAIL("exit status %ld, expected %ld (%ld jobs failed)", status,
		    want, nfail);
	if (ob + eb != olen + elen && errors == 0)
		FAIL("%zu bytes not accounted for", olen + elen - ob - eb);
	printf("%ld %zu %zu %ld %ld\n", njobs, olen, elen, nkill, ntime);
	return errors != 0;
}

/*
 * --results DIR: each job's DIR/ITEM has its seven files, stdout and
 * stderr exactly what it wrote; DIR holds nothing else.
 */
static int
results(uint64_t sd, long n, int f, const char *dir)
{
	static const char *const files[] = { "cmd", "exitval", "runtime",
	    "signal", "starttime", "stderr", "stdout" };
	char path[4096];
	const char *got;
	size_t glen, wlen, k;
	long item, entries = 0;
	struct stat st;
	char *want;
	DIR *d;

	for (item = 1; item <= n; item++) {
		for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
			snprintf(path, sizeof(path), "%s/%ld/%s", dir, item,
			    files[k]);
			if (stat(path, &st) == -1)
				break;
		}
		if (k < sizeof(files) / sizeof(files[0])) {
			FAIL("job %ld: %s: %s", item, path, strerror(errno));
			continue;
		}
		for (k = 0; k < 2; k++) {
			snprintf(path, sizeof(path), "%s/%ld/%s", dir, item,
			    k == 0 ? "stdout" : "stderr");
			got = map(path, &glen);
			want = content(sd, item, f, k == 0 ? 'J' : 'E', &wlen);
			if (glen != wlen || memcmp(got, want, wlen) != 0)
				FAIL("job %ld: %s is not what it wrote", item,
				    path);
			free(want);
			if (glen > 0)
				munmap((void *)got, glen);
		}
	}
	if ((d = opendir(dir)) == NULL)
		FAIL("%s: %s", dir, strerror(errno));
	while (readdir(d) != NULL)
		entries++;
	closedir(d);
	if (entries != n + 2)
		FAIL("%s holds %ld entries, not %ld", dir, entries - 2, n);
	return errors != 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "job") == 0)
		return job(strtoull(argv[2], NULL, 10), atoi(argv[3]),
		    atol(argv[4]));
	if (argc == 9 && strcmp(argv[1], "check") == 0)
		return check(argv + 2);
	if (argc == 6 && strcmp(argv[1], "results") == 0)
		return results(strtoull(argv[2], NULL, 10), atol(argv[3]),
		    atoi(argv[4]), argv[5]);
	if (argc == 6 && strcmp(argv[1], "dump") == 0) {
		size_t n;
		char *c = content(strtoull(argv[2], NULL, 10), atol(argv[4]),
		    atoi(argv[3]), argv[5][0], &n);

		put(1, c, n);
		return 0;
	}
	fprintf(stderr, "usage: gen job SEED FATES ITEM | "
	    "gen check SEED N FATES FLAGS OUT ERR STATUS | "
	    "gen dump SEED FATES ITEM J|E | "
	    "gen results SEED N FATES DIR\n");
	return 2;
}
EOF

if ! ${CC:-cc} -O2 -std=c99 -o "$work/gen" "$work/gen.c"; then
	echo "stress: cannot compile the job generator" >&2
	exit 2
fi

# check_results SEED FATES N OPTIONS: each job's entry in $work/res holds
# its seven files, and exactly what it wrote.
check_results()
{
	if ! "$work/gen" results "$1" "$3" "$2" "$work/res"; then
		echo "stress: FAILED: parx -j $jobs$4 (seed $1, $3 jobs," \
		    "fates $2): --results" >&2
		exit 1
	fi
}

# run MODE FATES N: one parx run, checked.
totjobs=0 totout=0 toterr=0 totkill=0 tottime=0 runs=0
run()
{
	mode=$1 f=$2 cnt=$3 opt= flags= t=
	case $mode in
	*keep*)	opt="$opt -k" flags=${flags}k ;;
	esac
	case $mode in
	*line*)	opt="$opt --line-buffer" flags=${flags}l ;;
	esac
	case $mode in
	*tag*)	opt="$opt --tag" flags=${flags}t ;;
	esac
	[ "$f" = 1 ] && t="--timeout $timeout"
	s=$((seed + runs))
	tmp=$work/tmp
	rm -rf "$tmp" "$work/res"
	mkdir "$tmp"
	case $mode in
	*results*) opt="$opt --results $work/res" ;;
	esac
	# Output goes through a pipe, as in a pipeline.
	{ seq 1 "$cnt" | TMPDIR=$tmp "$parx" -j "$jobs" $opt $t \
	    "$work/gen" job "$s" "$f" 2>"$work/err"
	    echo $? >"$work/status"; } | cat >"$work/out"
	st=$(cat "$work/status")
	res=$("$work/gen" check "$s" "$cnt" "$f" "${flags:-g}" \
	    "$work/out" "$work/err" "$st")
	rc=$?
	if [ $rc != 0 ]; then
		[ $rc -gt 128 ] && echo "stress: the checker died (status $rc)" >&2
		echo "stress: FAILED: parx -j $jobs$opt $t (seed $s," \
		    "$cnt jobs, fates $f, parx exit $st)" >&2
		exit 1
	fi
	if [ -n "$(ls -A "$tmp")" ]; then
		echo "stress: FAILED: temporary files left behind:" \
		    "$(ls -A "$tmp")" >&2
		exit 1
	fi
	case $mode in
	*results*) check_results "$s" "$f" "$cnt" "$opt $t" ;;
	esac
	set -- $res
	totjobs=$((totjobs + $1))
	totout=$((totout + $2))
	toterr=$((toterr + $3))
	totkill=$((totkill + $4))
	tottime=$((tottime + $5))
	runs=$((runs + 1))
}

start=$(date +%s)
for m in $modes; do
	run "$m" 0 "$n"
done
for m in $modes; do
	run "$m" 1 "$nf"
done
end=$(date +%s)
echo "stress: ok: $runs runs ($(echo $modes | tr ' ' ,), each also with" \
    "fates), $totjobs jobs, $((totout + toterr)) bytes checked" \
    "($totout stdout, $toterr stderr), $totkill jobs killed by signals" \
    "and $tottime by --timeout mid-output, -j $jobs, seed $seed," \
    "$((end - start)) s"
