/*
 * timeline.c - the picture of a run: one lane per job slot, one bar per
 * job from its start to its end, coloured by its outcome, a time axis, a
 * legend and a summary line, as a standalone SVG (no script, nothing
 * loaded from elsewhere).  parx --timeline feeds it the jobs it ran (from
 * the collector), parx-timeline the records of a job log.
 *
 * One thread owns a timeline: in parx the collector (the main thread)
 * adds each finished job and main draws the picture at exit.  A job costs
 * a fixed record plus the start of its command, already XML-escaped and
 * cut to TL_CMDMAX bytes, kept in one arena: memory per job is bounded
 * whatever the command.
 *
 * Drawing: lanes are the jobs' slots (per host), or, when the slots are
 * not known (GNU parallel's log), assigned as parx assigns slots: each job
 * takes the lowest lane free at its start.  Positions are whole tenths of
 * a pixel, so a bar never reaches past the start of the next one in its
 * lane.  Neighbouring bars of one outcome that are each under a pixel wide
 * merge into one bar whose tooltip counts them, so thousands of short jobs
 * stay readable and the file small; a bar still under a pixel gets one,
 * so that every job can be seen.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parx.h"

#define TL_CMDMAX	72	/* bytes of a command shown in a tooltip */
#define TL_TITLEMAX	110	/* bytes of the heading: what fits */
#define TL_HOSTMAX	24	/* bytes of a host name in tooltips */
#define LABELMAX	14	/* bytes of a host name in a lane label */
#define HOSTKEEP	64	/* bytes of a host name kept */
#define OUTCHUNK	(64 * 1024)

/* The page: width, the lane labels on the left, the plot. */
#define WIDTH		1200
#define LEFT		110
#define RIGHT		30
#define PLOTW		(WIDTH - LEFT - RIGHT)
#define TOP		80	/* the first lane */
#define MAXLANES	120	/* lanes drawn; a note counts the others */
#define MAXTICKS	10
#define EPS		0.002	/* seconds: logged times are rounded to ms */
#define START_MAX	1e11	/* a later start is no time (year 5138) */
#define RUNTIME_MAX	1e10

enum { OK, FAIL, SIG };

static const char *const klass[] = { "ok", "fail", "sig" };
static const char *const legend[] = { "succeeded", "failed",
    "timed out or killed by a signal" };

struct rec {
	double			 start;		/* Unix time; 0: not started */
	double			 runtime;
	unsigned long long	 seq;
	size_t			 cmd;		/* offset in the arena */
	int			 slot;		/* 0: not known */
	int			 lane;		/* slot, or assigned (greedy) */
	int			 host;		/* index in hosts[]; 0: here */
	int			 exitval;
	int			 sig;		/* -1: number not known */
	unsigned char		 outcome;
	unsigned char		 timed_out;
};

struct timeline {
	struct rec	*recs;
	size_t		 nrecs;
	size_t		 cap;
	struct strbuf	 text;		/* the commands, NUL-terminated */
	char		**hosts;		/* 0 is this machine, ":" */
	int		 nhosts;
	int		*hash;		/* host index + 1 by name, or 0 */
	size_t		 hashcap;	/* a power of two */
};

/* What the drawing needs to know about the whole run. */
struct layout {
	size_t		 ndrawn;	/* records drawn: the first ones */
	size_t		 nlanes;	/* lanes in all */
	size_t		 nshown;	/* lanes drawn, at most MAXLANES */
	size_t		*lanestart;	/* first record of each shown lane */
	double		 t0;		/* the first start */
	double		 wall;		/* first start to last end */
	double		 step;		/* between ticks */
	int		 nticks;	/* intervals on the axis */
	int		 pitch;		/* lane height */
	int		 barh;
	size_t		 merged;	/* bars that stand for several jobs */
	size_t		 hidden;	/* jobs in lanes not drawn */
	int		 known;		/* lanes are the jobs' slots */
};

/* The output: a buffer written out whenever it holds OUTCHUNK bytes. */
struct out {
	struct strbuf	 sb;
	int		 fd;
	int		 err;		/* errno of a failed write, or 0 */
};

/* The number of signal NAME ("KILL", "SIGKILL", "9"), or -1. */
int
timeline_signum(const char *name)
{
	int	 sig = sig_num(name);

	return sig > 0 ? sig : -1;
}

/*
 * The length of the UTF-8 character at p[0..n) that XML 1.0 may hold, or
 * 0: a byte that starts no such character (a stray or overlong byte, a
 * surrogate, U+FFFE, U+FFFF, past U+10FFFF), or a C0 control character.
 */
static size_t
xml_char(const unsigned char *p, size_t n)
{
	unsigned long	 c;
	size_t		 len, i;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f ? 1 : 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff)
		return 0;
	return len;
}

/*
 * Appends s[0..n) to sb as XML character data of at most max bytes: the
 * markup characters escaped, valid UTF-8 kept, and any other byte (a
 * control character, a byte that is not UTF-8) spelled \xHH (newline \n,
 * TAB \t), so that any bytes give a well-formed document.  What does not
 * fit is cut at a character boundary and "..." (one character) added.
 */
static void
xml_text(struct strbuf *sb, const char *s, size_t n, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 esc[8];
	const char		*rep;
	size_t			 i = 0, len, rlen, used = 0;

	while (i < n) {
		len = xml_char(p + i, n - i);
		rep = (const char *)p + i;
		rlen = len;
		if (len == 0) {
			len = 1;
			if (p[i] == '\n' || p[i] == '\t')
				snprintf(esc, sizeof(esc), "\\%c",
				    p[i] == '\n' ? 'n' : 't');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
			rep = esc;
			rlen = strlen(esc);
		} else if (p[i] == '&')
			rep = "&amp;", rlen = 5;
		else if (p[i] == '<')
			rep = "&lt;", rlen = 4;
		else if (p[i] == '>')
			rep = "&gt;", rlen = 4;
		else if (p[i] == '"')
			rep = "&quot;", rlen = 6;
		if (used + rlen > max) {
			sb_adds(sb, "\xe2\x80\xa6");
			return;
		}
		sb_add(sb, rep, rlen);
		used += rlen;
		i += len;
	}
}

struct timeline *
timeline_new(void)
{
	struct timeline *tl = xcalloc(1, sizeof(*tl));

	tl->hosts = xmalloc(sizeof(*tl->hosts));
	tl->hosts[0] = xstrdup(":");
	tl->nhosts = 1;
	return tl;
}

void
timeline_free(struct timeline *tl)
{
	int i;

	if (tl == NULL)
		return;
	for (i = 0; i < tl->nhosts; i++)
		free(tl->hosts[i]);
	free(tl->hosts);
	free(tl->hash);
	free(tl->recs);
	sb_free(&tl->text);
	free(tl);
}

size_t
timeline_count(const struct timeline *tl)
{
	return tl->nrecs;
}

static size_t
host_hash(const char *h, size_t n)
{
	size_t	 i, v = 2166136261u;

	for (i = 0; i < n; i++)
		v = (v ^ (unsigned char)h[i]) * 16777619u;
	return v;
}

/* Puts host i in the hash table, which has room. */
static void
host_put(struct timeline *tl, int i)
{
	size_t at = host_hash(tl->hosts[i], strlen(tl->hosts[i]));

	for (at &= tl->hashcap - 1; tl->hash[at] != 0;
	    at = (at + 1) & (tl->hashcap - 1))
		;
	tl->hash[at] = i + 1;
}

/*
 * The index of host h[0..n), added when new; ":" (or none) is 0.  A name
 * ends at a NUL byte, and only its first HOSTKEEP bytes count.
 */
static int
host_index(struct timeline *tl, const char *h, size_t n)
{
	size_t	 at;
	int	 i;

	n = h != NULL ? strnlen(h, n < HOSTKEEP ? n : HOSTKEEP) : 0;
	if (n == 0 || (n == 1 && h[0] == ':'))
		return 0;
	at = host_hash(h, n) & (tl->hashcap - 1);
	for (; tl->hashcap > 0 && (i = tl->hash[at]) != 0;
	    at = (at + 1) & (tl->hashcap - 1))
		if (strlen(tl->hosts[i - 1]) == n &&
		    memcmp(tl->hosts[i - 1], h, n) == 0)
			return i - 1;
	tl->hosts = xrealloc(tl->hosts, (tl->nhosts + 1) * sizeof(*tl->hosts));
	tl->hosts[tl->nhosts] = xmalloc(n + 1);
	memcpy(tl->hosts[tl->nhosts], h, n);
	tl->hosts[tl->nhosts][n] = '\0';
	if ((size_t)tl->nhosts * 2 >= tl->hashcap) {
		free(tl->hash);
		tl->hashcap = tl->hashcap ? tl->hashcap * 2 : 16;
		tl->hash = xcalloc(tl->hashcap, sizeof(*tl->hash));
		for (i = 1; i < tl->nhosts; i++)
			host_put(tl, i);
	}
	host_put(tl, tl->nhosts);
	return tl->nhosts++;
}

/* Adds one finished job; the strings are copied (the command cut short). */
void
timeline_add(struct timeline *tl, const struct tljob *j)
{
	struct rec *r;

	if (tl->nrecs == tl->cap) {
		tl->cap = tl->cap ? tl->cap * 2 : 1024;
		tl->recs = xrealloc(tl->recs, tl->cap * sizeof(*tl->recs));
	}
	r = &tl->recs[tl->nrecs++];
	memset(r, 0, sizeof(*r));
	r->seq = j->seq;
	r->start = j->start > 0 && j->start <= START_MAX ? j->start : 0;
	r->runtime = j->runtime > 0 ? j->runtime : 0;
	if (r->runtime > RUNTIME_MAX)
		r->runtime = RUNTIME_MAX;
	r->slot = j->slot > 0 ? j->slot : 0;
	r->host = host_index(tl, j->host, j->hostlen);
	r->exitval = j->exitval;
	r->sig = j->sig;
	r->timed_out = j->timed_out != 0;
	if (r->timed_out || r->sig != 0)
		r->outcome = SIG;
	else
		r->outcome = j->exitval != 0 ? FAIL : OK;
	r->cmd = tl->text.len;
	if (j->cmd != NULL)
		xml_text(&tl->text, j->cmd, j->cmdlen, TL_CMDMAX);
	sb_addc(&tl->text, '\0');
}

/*
 * Rounds t to milliseconds as the job log writes it ("%.3f"), so that the
 * picture parx draws is the one parx-timeline draws from its log.
 */
static double
ms3(double t)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f", t);
	return strtod(buf, NULL);
}

/* Adds a job parx ran (the collector, as the job is done). */
void
timeline_add_job(struct timeline *tl, const struct job *j)
{
	struct tljob tj;

	memset(&tj, 0, sizeof(tj));
	tj.seq = j->seq;
	tj.start = ms3(j->start);
	tj.runtime = ms3(j->runtime);
	tj.slot = j->slot;
	tj.sig = j->termsig;
	tj.timed_out = j->timed_out;
	tj.exitval = tj.sig != 0 || j->timed_out ? -1 : j->status;
	if (j->logcmd != NULL) {
		tj.cmd = j->logcmd;
		tj.cmdlen = strlen(j->logcmd);
	}
	timeline_add(tl, &tj);
}

/* Output: bytes go to a buffer, which is written out in big pieces. */
static void
out_flush(struct out *o, int final)
{
	if (o->sb.len == 0 || (!final && o->sb.len < OUTCHUNK))
		return;
	if (o->err == 0 && io_write_all(o->fd, o->sb.s, o->sb.len) == -1)
		o->err = errno;
	o->sb.len = 0;
}

static void __attribute__((format(printf, 2, 3)))
out_printf(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(&o->sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(o->sb.s + o->sb.len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->sb.len += (size_t)n;
	out_flush(o, 0);
}

static void
out_text(struct out *o, const char *s, size_t max)
{
	xml_text(&o->sb, s, strlen(s), max);
	out_flush(o, 0);
}

/* Rounding without libm, for numbers well inside the range of long long. */
static long long
round_ll(double x)
{
	return x < 0 ? -(long long)(0.5 - x) : (long long)(x + 0.5);
}

static long long
ceil_ll(double x)
{
	long long n = (long long)x;

	return (double)n < x ? n + 1 : n;
}

/* A position in tenths of a pixel, as the shortest decimal. */
static const char *
px(char *buf, long long t)
{
	if (t % 10 == 0)
		snprintf(buf, 24, "%lld", t / 10);
	else
		snprintf(buf, 24, "%s%lld.%lld", t < 0 ? "-" : "",
		    llabs(t / 10), llabs(t % 10));
	return buf;
}

/* A duration for the summary: 0.012 s, 12.345 s, 3m 05s, 2h 01m 00s. */
static void
fmt_span(char *buf, size_t size, double d)
{
	long long s;

	if (d < 59.9995) {
		snprintf(buf, size, "%.3f s", d);
		return;
	}
	s = round_ll(d);
	if (s < 3600)
		snprintf(buf, size, "%lldm %02llds", s / 60, s % 60);
	else
		snprintf(buf, size, "%lldh %02lldm %02llds", s / 3600,
		    s / 60 % 60, s % 60);
}

/* A tick label, t a multiple of the step: 0, 250ms, 1.5s, 2m30s, 1h. */
static void
fmt_tick(char *buf, size_t size, double t)
{
	long long	 ms = round_ll(t * 1000);
	long long	 h = ms / 3600000, m = ms / 60000 % 60;
	long long	 s = ms / 1000 % 60, f = ms % 1000;
	int		 n = 0;

	buf[0] = '\0';
	if (ms == 0) {
		snprintf(buf, size, "0");
		return;
	}
	if (h == 0 && m == 0 && s == 0) {
		snprintf(buf, size, "%lldms", f);
		return;
	}
	if (h > 0)
		n += snprintf(buf + n, size - n, "%lldh", h);
	if (m > 0)
		n += snprintf(buf + n, size - n, "%lldm", m);
	if (s > 0 && f > 0 && h == 0 && m == 0) {
		n += snprintf(buf + n, size - n, "%lld.%03lld", s, f);
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
		snprintf(buf + n, size - n, "s");
	} else if (s > 0)
		snprintf(buf + n, size - n, "%llds", s);
}

/*
 * Lanes.  Records are sorted in place: the drawn ones first (by host, then
 * by start), those that never started last.  Ties are broken down to the
 * arena offset, which is unique, so the picture depends on the input only.
 */

static int
cmp_tail(const struct rec *a, const struct rec *b)
{
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->runtime != b->runtime)
		return a->runtime < b->runtime ? -1 : 1;
	return a->cmd < b->cmd ? -1 : a->cmd > b->cmd;
}

static int
cmp_start(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;

	if ((a->start == 0) != (b->start == 0))
		return a->start == 0 ? 1 : -1;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	return cmp_tail(a, b);
}

static int
cmp_lane(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;

	if ((a->start == 0) != (b->start == 0))
		return a->start == 0 ? 1 : -1;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	if (a->lane != b->lane)
		return a->lane < b->lane ? -1 : 1;
	return cmp_tail(a, b);
}

/* A binary min-heap of lanes, by the time they are free, then number. */
struct slot {
	double	 end;
	int	 lane;
};

static int
slot_less(const struct slot *a, const struct slot *b)
{
	return a->end < b->end || (a->end == b->end && a->lane < b->lane);
}

static void
heap_push(struct slot *h, size_t *n, struct slot s)
{
	size_t		 i = (*n)++, up;
	struct slot	 t;

	h[i] = s;
	for (; i > 0 && slot_less(&h[i], &h[up = (i - 1) / 2]); i = up) {
		t = h[i];
		h[i] = h[up];
		h[up] = t;
	}
}

static struct slot
heap_pop(struct slot *h, size_t *n)
{
	struct slot	 top = h[0], t;
	size_t		 i = 0, c;

	h[0] = h[--*n];
	while ((c = 2 * i + 1) < *n) {
		if (c + 1 < *n && slot_less(&h[c + 1], &h[c]))
			c++;
		if (!slot_less(&h[c], &h[i]))
			break;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
	return top;
}

/*
 * Gives each of the n records (sorted by host, then start) the lowest lane
 * of its host that is free when it starts, as parx hands out slots.  A
 * lane whose job ends within EPS after the start counts as free: logged
 * times are rounded, and a job that follows another in its slot may seem
 * to start a little before it ended.
 */
static void
lanes_greedy(struct rec *r, size_t n)
{
	struct slot	*busy = xmalloc(n * sizeof(*busy));
	struct slot	*idle = xmalloc(n * sizeof(*idle));
	struct slot	 s;
	size_t		 i, nbusy = 0, nidle = 0;
	int		 next = 1;

	for (i = 0; i < n; i++) {
		if (i > 0 && r[i].host != r[i - 1].host) {
			nbusy = nidle = 0;
			next = 1;
		}
		while (nbusy > 0 && busy[0].end <= r[i].start + EPS) {
			s = heap_pop(busy, &nbusy);
			s.end = 0;
			heap_push(idle, &nidle, s);
		}
		r[i].lane = nidle > 0 ? heap_pop(idle, &nidle).lane : next++;
		s.end = r[i].start + r[i].runtime;
		s.lane = r[i].lane;
		heap_push(busy, &nbusy, s);
	}
	free(busy);
	free(idle);
}

static const double steps[] = {
	0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10,
	15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
	43200, 86400
};

/* The tick step: the smallest that needs at most MAXTICKS intervals. */
static void
layout_ticks(struct layout *L)
{
	size_t	 i;
	double	 step = 0;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (L->wall / steps[i] - 1e-9 <= MAXTICKS) {
			step = steps[i];
			break;
		}
	if (step == 0)
		for (step = 86400 * 2; L->wall / step - 1e-9 > MAXTICKS;)
			step *= 10;
	L->step = step;
	L->nticks = (int)ceil_ll(L->wall / step - 1e-9);
	if (L->nticks < 1)
		L->nticks = 1;
}

/* Sorts the records into lanes and sizes the picture. */
static void
layout_make(struct timeline *tl, struct layout *L)
{
	struct rec	*r = tl->recs;
	size_t		 i, n = tl->nrecs;
	double		 end = 0;
	int		 known = 1;

	memset(L, 0, sizeof(*L));
	if (n > 0)
		qsort(r, n, sizeof(*r), cmp_start);
	while (L->ndrawn < n && r[L->ndrawn].start > 0)
		L->ndrawn++;
	for (i = 0; i < L->ndrawn; i++) {
		known &= r[i].slot > 0;
		r[i].lane = r[i].slot;
		if (r[i].start + r[i].runtime > end)
			end = r[i].start + r[i].runtime;
	}
	if (!known)
		lanes_greedy(r, L->ndrawn);
	L->known = known;
	if (L->ndrawn > 0)
		qsort(r, L->ndrawn, sizeof(*r), cmp_lane);
	L->lanestart = xmalloc((MAXLANES + 1) * sizeof(*L->lanestart));
	for (i = 0; i < L->ndrawn; i++)
		if (i == 0 || r[i].host != r[i - 1].host ||
		    r[i].lane != r[i - 1].lane) {
			if (L->nlanes < MAXLANES)
				L->lanestart[L->nshown++] = i;
			else if (L->nlanes == MAXLANES)
				L->hidden = L->ndrawn - i;
			L->nlanes++;
		}
	L->lanestart[L->nshown] = L->ndrawn - L->hidden;
	L->t0 = L->ndrawn > 0 ? r[0].start : 0;
	for (i = 0; i < L->ndrawn; i++)
		if (r[i].start < L->t0)
			L->t0 = r[i].start;
	L->wall = L->ndrawn > 0 ? end - L->t0 : 0;
	layout_ticks(L);
	L->pitch = L->nshown <= 24 ? 20 : 480 / (int)L->nshown;
	if (L->pitch < 4)
		L->pitch = 4;
	L->barh = L->pitch - (L->pitch >= 10 ? 6 : 1);
}

/* Counts over the whole run, for the summary and the legend. */
struct stats {
	size_t			 n[3];		/* jobs by outcome */
	double			 busy;		/* sum of the drawn runtimes */
	const struct rec	*longest;
};

static void
stats_make(const struct timeline *tl, const struct layout *L,
    struct stats *st)
{
	const struct rec	*r;
	size_t			 i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < tl->nrecs; i++) {
		r = &tl->recs[i];
		st->n[r->outcome]++;
		if (i >= L->ndrawn)
			continue;
		st->busy += r->runtime;
		if (st->longest == NULL || r->runtime > st->longest->runtime ||
		    (r->runtime == st->longest->runtime &&
		    r->seq < st->longest->seq))
			st->longest = r;
	}
}

static const char style[] =
"<style>\n"
"text{font:12px sans-serif;fill:#222}\n"
".h{font-size:16px;font-weight:bold}\n"
".l{font-size:10px;fill:#555;text-anchor:end}\n"
".t{font-size:10px;fill:#555;text-anchor:middle}\n"
".bg{fill:#f2f2f2}.grid{stroke:#d8d8d8}.ax{stroke:#666}\n"
".ok{fill:#009e73}.fail{fill:#d55e00}.sig{fill:#7b3294}\n"
"</style>\n";

/* The summary line: jobs, failures, wall time, utilisation, longest. */
static void
write_summary(struct out *o, const struct timeline *tl,
    const struct layout *L, const struct stats *st)
{
	char	 wall[64], lng[64];
	double	 util = 0;

	fmt_span(wall, sizeof(wall), L->wall);
	if (L->wall > 0 && L->nlanes > 0)
		util = st->busy * 100 / (L->wall * (double)L->nlanes);
	if (util > 100)
		util = 100;
	out_printf(o, "<text x=\"10\" y=\"46\">%zu job%s, %zu failed",
	    tl->nrecs, tl->nrecs == 1 ? "" : "s", st->n[FAIL] + st->n[SIG]);
	if (L->ndrawn > 0) {
		fmt_span(lng, sizeof(lng), st->longest->runtime);
		out_printf(o, " \xc2\xb7 wall %s \xc2\xb7 %zu slot%s, %.0f%% "
		    "busy \xc2\xb7 longest #%llu, %s", wall, L->nlanes,
		    L->nlanes == 1 ? "" : "s", util, st->longest->seq, lng);
	}
	out_printf(o, "</text>\n");
}

/* The start of the document: style, heading, summary and legend. */
static void
write_head(struct out *o, const struct timeline *tl, const struct layout *L,
    const struct stats *st, const char *title, int height)
{
	int k;

	out_printf(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\">\n<title>", WIDTH, height,
	    WIDTH, height);
	out_text(o, *title != '\0' ? title : "parx timeline", TL_TITLEMAX);
	out_printf(o, "</title>\n%s<rect width=\"100%%\" height=\"100%%\" "
	    "fill=\"#fff\"/>\n<text class=\"h\" x=\"10\" y=\"24\">", style);
	out_text(o, title, TL_TITLEMAX);
	out_printf(o, "</text>\n");
	write_summary(o, tl, L, st);
	for (k = 0; k < 3; k++)
		out_printf(o, "<rect class=\"%s\" x=\"%d\" y=\"55\" "
		    "width=\"10\" height=\"10\"/><text x=\"%d\" y=\"64\">%s "
		    "(%zu)</text>\n",
		    klass[k], 10 + 170 * k, 24 + 170 * k, legend[k], st->n[k]);
}

/* Lane stripes and labels, the grid, the time axis with its ticks. */
static void
write_axes(struct out *o, const struct timeline *tl, const struct layout *L)
{
	const struct rec	*r;
	char			 a[24], lbl[32];
	size_t			 i, every;
	int			 y, ya = TOP + (int)L->nshown * L->pitch + 4;

	every = L->pitch >= 12 ? 1 : (size_t)((12 + L->pitch - 1) / L->pitch);
	out_printf(o, "<text class=\"l\" x=\"%d\" y=\"%d\">%s</text>\n",
	    LEFT - 6, TOP - 4, L->known ? "slot" : "lane");
	for (i = 0; i < L->nshown; i++) {
		y = TOP + (int)i * L->pitch;
		r = &tl->recs[L->lanestart[i]];
		if (i % 2 == 0)
			out_printf(o, "<rect class=\"bg\" x=\"%d\" y=\"%d\" "
			    "width=\"%d\" height=\"%d\"/>\n", LEFT, y, PLOTW,
			    L->pitch);
		if (i % every != 0)
			continue;
		out_printf(o, "<text class=\"l\" x=\"%d\" y=\"%d\">", LEFT - 6,
		    y + L->pitch / 2 + 4);
		if (r->host != 0) {
			out_text(o, tl->hosts[r->host], LABELMAX);
			out_printf(o, " ");
		}
		snprintf(lbl, sizeof(lbl), "%d", r->lane);
		out_printf(o, "%s</text>\n", lbl);
	}
	for (i = 0; i <= (size_t)L->nticks; i++) {
		px(a, round_ll((double)i * PLOTW * 10 / L->nticks) + LEFT * 10);
		fmt_tick(lbl, sizeof(lbl), (double)i * L->step);
		out_printf(o, "<line class=\"grid\" x1=\"%s\" y1=\"%d\" "
		    "x2=\"%s\" y2=\"%d\"/><text class=\"t\" x=\"%s\" "
		    "y=\"%d\">%s</text>\n", a, TOP, a, ya + 4, a, ya + 16, lbl);
	}
	out_printf(o, "<line class=\"ax\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", LEFT, ya, LEFT + PLOTW, ya);
}

/* One bar: a job, or a run of neighbouring short jobs of one outcome. */
struct bar {
	const struct rec	*r;		/* the first job */
	size_t			 n;
	long long		 xs, xe;	/* tenths of a pixel */
	unsigned long long	 seqlo, seqhi;
	double			 rtlo, rthi;
	int			 thin;		/* under a pixel wide */
};

static long long
tenths(const struct layout *L, double t)
{
	return round_ll((t - L->t0) / (L->step * L->nticks) * PLOTW * 10);
}

static void
write_outcome(struct out *o, const struct rec *r)
{
	char name[32];

	if (r->outcome == OK)
		out_printf(o, "exit 0");
	else if (r->outcome == FAIL)
		out_printf(o, "exit %d", r->exitval);
	else if (r->timed_out)
		out_printf(o, "timed out");
	else if (r->sig > 0)
		out_printf(o, "signal %s", sig_name(r->sig, name,
		    sizeof(name)) + 3);
	else
		out_printf(o, "killed by a signal");
}

/*
 * Writes bar b, placed: one of three pixels or more gives up its last
 * pixel, so that bars in a row stay apart.
 */
static void
write_bar(struct out *o, const struct timeline *tl, const struct bar *b,
    int height)
{
	const struct rec	*r = b->r;
	char			 x[24], w[24];
	long long		 xe = b->xe;

	if (xe - b->xs >= 30)
		xe -= 10;
	out_printf(o, "<rect class=\"%s\" x=\"%s\" width=\"%s\" height=\"%d\">"
	    "<title>", klass[r->outcome], px(x, b->xs), px(w, xe - b->xs),
	    height);
	if (b->n > 1)
		out_printf(o, "%zu jobs, #%llu to #%llu: %.3f to %.3f s each, "
		    "all %s", b->n, b->seqlo, b->seqhi, b->rtlo, b->rthi,
		    legend[r->outcome]);
	else {
		out_printf(o, "#%llu on ", r->seq);
		out_text(o, r->host == 0 ? "local" : tl->hosts[r->host],
		    TL_HOSTMAX);
		out_printf(o, ": %.3f s, ", r->runtime);
		write_outcome(o, r);
		if (tl->text.s[r->cmd] != '\0')
			out_printf(o, "\n%s", tl->text.s + r->cmd);
	}
	out_printf(o, "</title></rect>\n");
}

/* Starts bar b at record r. */
static void
bar_start(const struct layout *L, struct bar *b, const struct rec *r)
{
	b->r = r;
	b->n = 1;
	b->xs = tenths(L, r->start);
	b->xe = tenths(L, r->start + r->runtime);
	if (b->xe < b->xs)
		b->xe = b->xs;
	b->seqlo = b->seqhi = r->seq;
	b->rtlo = b->rthi = r->runtime;
	b->thin = b->xe - b->xs < 10;
}

/* Whether r joins bar b: both under a pixel, close, of one outcome. */
static int
bar_join(const struct layout *L, struct bar *b, const struct rec *r)
{
	long long xs = tenths(L, r->start);
	long long xe = tenths(L, r->start + r->runtime);

	if (!b->thin || r->outcome != b->r->outcome || xe - xs >= 10 ||
	    xs - b->xe >= 10)
		return 0;
	if (xe > b->xe)
		b->xe = xe;
	b->n++;
	if (r->seq < b->seqlo)
		b->seqlo = r->seq;
	if (r->seq > b->seqhi)
		b->seqhi = r->seq;
	if (r->runtime < b->rtlo)
		b->rtlo = r->runtime;
	if (r->runtime > b->rthi)
		b->rthi = r->runtime;
	return 1;
}

/* The next bar of a lane, from record *i up to end; 0 past the end. */
static int
bar_next(const struct timeline *tl, const struct layout *L, size_t *i,
    size_t end, struct bar *b)
{
	if (*i >= end)
		return 0;
	bar_start(L, b, &tl->recs[(*i)++]);
	while (*i < end && bar_join(L, b, &tl->recs[*i]))
		(*i)++;
	return 1;
}

/*
 * Places bar b, given the next bar of its lane (NULL: b is the last) and
 * *floor, where the bar before it ended: b starts no earlier than that,
 * ends no later than the next one starts, and a bar under a pixel is
 * widened to a pixel, so that every job can be seen and hovered, taking
 * the room from the next bar when that one is wide enough to give it
 * (which then starts up to a pixel late).
 */
static void
bar_place(struct bar *b, const struct bar *next, long long *floor)
{
	long long nxs = next != NULL ? next->xs : PLOTW * 10;
	long long nxe = next != NULL ? next->xe : PLOTW * 10 + 10;

	if (b->xs < *floor)
		b->xs = *floor;
	if (nxs < b->xs)
		nxs = b->xs;
	if (b->xe > nxs)
		b->xe = nxs;
	if (b->xe < b->xs)
		b->xe = b->xs;
	if (b->xe - b->xs < 10) {
		b->xe = b->xs + 10;
		if (b->xe > nxe - 10)
			b->xe = nxe - 10 > nxs ? nxe - 10 : nxs;
	}
	*floor = b->xe;
}

/*
 * The bars of shown lane k, in a group placed at the lane.  With o NULL,
 * only counts them.  Returns how many bars stand for several jobs.
 */
static size_t
write_lane(struct out *o, const struct timeline *tl, const struct layout *L,
    size_t k)
{
	size_t		 i = L->lanestart[k], merged = 0;
	struct bar	 cur, next;
	long long	 floor = 0;
	int		 more;

	if (o != NULL)
		out_printf(o, "<g transform=\"translate(%d %d)\">\n", LEFT,
		    TOP + (int)k * L->pitch + (L->pitch - L->barh) / 2);
	bar_next(tl, L, &i, L->lanestart[k + 1], &cur);
	do {
		more = bar_next(tl, L, &i, L->lanestart[k + 1], &next);
		bar_place(&cur, more ? &next : NULL, &floor);
		if (o != NULL)
			write_bar(o, tl, &cur, L->barh);
		merged += cur.n > 1;
		if (more)
			cur = next;
	} while (more);
	if (o != NULL)
		out_printf(o, "</g>\n");
	return merged;
}

/* The notes under the picture, from y on; with o NULL, only counts them. */
static int
write_notes(struct out *o, const struct timeline *tl, const struct layout *L,
    int y)
{
	char	 note[4][200];
	size_t	 undrawn = tl->nrecs - L->ndrawn;
	int	 n = 0, i;

	if (tl->nrecs == 0)
		snprintf(note[n++], sizeof(note[0]), "No job ran.");
	if (undrawn > 0 && tl->nrecs > 0)
		snprintf(note[n++], sizeof(note[0]), "%zu job%s never started "
		    "and %s not drawn.", undrawn, undrawn == 1 ? "" : "s",
		    undrawn == 1 ? "is" : "are");
	if (L->merged > 0)
		snprintf(note[n++], sizeof(note[0]), "%zu bar%s stand%s for "
		    "several jobs, each shorter than a pixel: hover over a bar "
		    "to see its jobs.", L->merged, L->merged == 1 ? "" : "s",
		    L->merged == 1 ? "s" : "");
	if (L->nlanes > L->nshown)
		snprintf(note[n++], sizeof(note[0]), "Only the first %zu of "
		    "%zu lanes are drawn: %zu job%s in the others %s not "
		    "shown.",
		    L->nshown, L->nlanes, L->hidden, L->hidden == 1 ? "" : "s",
		    L->hidden == 1 ? "is" : "are");
	for (i = 0; o != NULL && i < n; i++)
		out_printf(o, "<text x=\"10\" y=\"%d\">%s</text>\n", y + 16 * i,
		    note[i]);
	return n;
}

/*
 * Draws the timeline as SVG to fd.  title (may be empty) heads the
 * picture.  The records are sorted for drawing; the timeline may be freed
 * after, not added to.  Returns 0, or -1 with errno when a write failed.
 */
int
timeline_write(struct timeline *tl, int fd, const char *title)
{
	struct layout	 L;
	struct stats	 st;
	struct out	 o = { { NULL, 0, 0 }, fd, 0 };
	size_t		 k;
	int		 nnotes, y, height;

	layout_make(tl, &L);
	stats_make(tl, &L, &st);
	for (k = 0; k < L.nshown; k++)
		L.merged += write_lane(NULL, tl, &L, k);
	nnotes = write_notes(NULL, tl, &L, 0);
	y = L.ndrawn > 0 ? TOP + (int)L.nshown * L.pitch + 40 : 94;
	height = y + 16 * nnotes - (nnotes > 0 ? 8 : 16);
	write_head(&o, tl, &L, &st, title, height);
	if (L.ndrawn > 0)
		write_axes(&o, tl, &L);
	for (k = 0; k < L.nshown; k++)
		write_lane(&o, tl, &L, k);
	write_notes(&o, tl, &L, y);
	out_printf(&o, "</svg>\n");
	out_flush(&o, 1);
	free(L.lanestart);
	sb_free(&o.sb);
	if (o.err != 0) {
		errno = o.err;
		return -1;
	}
	return 0;
}
