/*
 * bar.c - the progress line of --bar, on stderr.
 *
 * The main thread calls bar_init before any other thread exists; after
 * that only the collector thread calls in: bar_update as each job
 * finishes, bar_clear before it writes job output, bar_finish at the end.
 * So nothing here needs a lock.  On a terminal one line is redrawn in
 * place at most ten times a second and cleared at the end; elsewhere (a
 * log file, CI) a full line goes out at most once a second, and a final
 * one at the end.  Nothing here writes to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

#define BAR_TTY_INTERVAL	0.1	/* seconds between redraws */
#define BAR_LOG_INTERVAL	1.0	/* seconds between lines off a tty */
#define BAR_WIDTH		79	/* keeps the line from wrapping */

static int	 bar_tty;	/* stderr is a terminal */
static int	 bar_drawn;	/* a line is on the terminal */
static double	 bar_start;
static double	 bar_last;	/* when the last line went out */

/*
 * Formats seconds as M:SS, or H:MM:SS from an hour on.  Elapsed time is
 * rounded down, like a clock; an ETA up, so it shows 0:00 only at the end.
 */
static void
fmt_duration(char *buf, size_t sz, double secs, int roundup)
{
	unsigned long long	 t;

	if (!(secs >= 0))
		secs = 0;
	if (secs > 359999999.0)
		secs = 359999999.0;
	t = (unsigned long long)secs;
	if (roundup && t < secs)
		t++;
	if (t >= 3600)
		snprintf(buf, sz, "%llu:%02llu:%02llu", t / 3600,
		    t / 60 % 60, t % 60);
	else
		snprintf(buf, sz, "%llu:%02llu", t / 60, t % 60);
}

/* Writes the progress text, without any terminal control, into buf. */
static size_t
bar_text(char *buf, size_t sz, double t, unsigned long long done,
    unsigned long long failed, unsigned long long total, int total_known)
{
	char	 el[32], eta[32];
	double	 elapsed = t - bar_start, rate = 0;
	size_t	 n;
	int	 r;

	if (elapsed > 0)
		rate = done / elapsed;
	if (done > total)
		total_known = 0;
	fmt_duration(el, sizeof(el), elapsed, 0);
	if (total_known)
		r = snprintf(buf, sz, "parx: %llu/%llu %llu%% ", done, total,
		    total > 0 ? (unsigned long long)(done * 100.0 / total) :
		    100);
	else
		r = snprintf(buf, sz, "parx: %llu/? ", done);
	n = r > 0 ? (size_t)r : 0;
	if (n >= sz)
		return sz - 1;
	r = snprintf(buf + n, sz - n, "%.1f jobs/s elapsed %s", rate, el);
	n += r > 0 ? (size_t)r : 0;
	if (n < sz && total_known && done > 0 && done <= total) {
		fmt_duration(eta, sizeof(eta), elapsed / done * (total - done),
		    1);
		r = snprintf(buf + n, sz - n, " ETA %s", eta);
		n += r > 0 ? (size_t)r : 0;
	}
	if (n < sz && failed > 0) {
		r = snprintf(buf + n, sz - n, " failed %llu", failed);
		n += r > 0 ? (size_t)r : 0;
	}
	return n < sz ? n : sz - 1;
}

static void
bar_draw(double t, unsigned long long done, unsigned long long failed,
    unsigned long long total, int total_known)
{
	char	 buf[256];
	size_t	 n;

	if (bar_tty) {
		buf[0] = '\r';
		n = 1 + bar_text(buf + 1, BAR_WIDTH + 1, t, done, failed,
		    total, total_known);
		memcpy(buf + n, "\033[K", 3);
		n += 3;
		bar_drawn = 1;
	} else {
		n = bar_text(buf, sizeof(buf) - 1, t, done, failed, total,
		    total_known);
		buf[n++] = '\n';
	}
	(void)io_write_all(STDERR_FILENO, buf, n);
	bar_last = t;
}

void
bar_init(void)
{
	bar_tty = isatty(STDERR_FILENO);
	bar_start = clock_mono();
	bar_last = bar_start;
	/* On a terminal the bar shows at once; a log line waits. */
	if (bar_tty)
		bar_draw(bar_start, 0, 0, 0, 0);
}

void
bar_update(unsigned long long done, unsigned long long failed,
    unsigned long long total, int total_known)
{
	double	 t = clock_mono();

	if (t - bar_last < (bar_tty ? BAR_TTY_INTERVAL : BAR_LOG_INTERVAL))
		return;
	bar_draw(t, done, failed, total, total_known);
}

/*
 * Takes the line off the terminal before the collector writes job output,
 * so that the output does not follow the progress text on the same line.
 * The next bar_update that is due draws it again.
 */
void
bar_clear(void)
{
	if (bar_tty && bar_drawn) {
		(void)io_write_all(STDERR_FILENO, "\r\033[K", 4);
		bar_drawn = 0;
	}
}

void
bar_finish(unsigned long long done, unsigned long long failed,
    unsigned long long total)
{
	if (bar_tty) {
		bar_clear();
		return;
	}
	bar_draw(clock_mono(), done, failed, total, 1);
}
