/*
 * job.c - making and freeing jobs, and what a job has to say.
 *
 * The reader makes a job; the collector frees it.  A job's items live in
 * one allocation with the job so that making one costs a single malloc
 * (plus one for columns under --colsep).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parx.h"

struct job *
job_new(unsigned long long seq, char **items, size_t *lens, int n)
{
	struct job *j;
	size_t bytes = 0;
	char *p;
	int i;

	for (i = 0; i < n; i++)
		bytes += lens[i] + 1;
	j = xmalloc(sizeof(*j) + n * (sizeof(char *) + sizeof(size_t)) +
	    bytes);
	memset(j, 0, sizeof(*j));
	j->seq = seq;
	j->nitems = n;
	j->items = (char **)(j + 1);
	j->lens = (size_t *)(j->items + n);
	p = (char *)(j->lens + n);
	for (i = 0; i < n; i++) {
		memcpy(p, items[i], lens[i]);
		p[lens[i]] = '\0';
		if (memchr(p, '\0', lens[i]) != NULL)
			j->has_nul = 1;
		j->items[i] = p;
		j->lens[i] = lens[i];
		p += lens[i] + 1;
	}
	j->ncols = n;
	j->cols = j->items;
	j->collens = j->lens;
	j->wakefd = -1;
	outbuf_init(&j->sink[0].buf);
	outbuf_init(&j->sink[1].buf);
	return j;
}

/*
 * Adds a line "parx: MESSAGE" to what the collector prints on stderr
 * after the job's own output.  The one way a job reports a problem.
 */
void
job_errorf(struct job *j, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory");
	if (j->errmsg != NULL)
		sb_adds(&sb, j->errmsg);
	sb_adds(&sb, "parx: ");
	sb_add(&sb, msg, (size_t)n);
	sb_addc(&sb, '\n');
	free(msg);
	free(j->errmsg);
	j->errmsg = sb.s;
}

/* The job failed with status (126: could not run, 127: not found). */
void
job_failed(struct job *j, int status)
{
	j->status = status;
	j->failed = 1;
	j->nostart = 1;
}

/*
 * The job is final: its --pipe input goes back to the pool (a retry needs
 * it until then), and a --round-robin job takes no more blocks.
 */
void
job_input_free(struct job *j)
{
	if (j->rr) {
		j->rr = 0;
		block_rr_quit(-1);
	}
	block_free(j->block);
	j->block = NULL;
}

/* Before another attempt: only the last one's output and messages count. */
void
job_reset(struct job *j)
{
	int s;

	for (s = 0; s < 2; s++) {
		outbuf_free(&j->sink[s].buf);
		sb_free(&j->sink[s].pend);
	}
	free(j->errmsg);
	j->errmsg = NULL;
	j->status = j->termsig = j->timed_out = j->failed = 0;
	j->nostart = j->requeue = 0;
	j->limit = LIMIT_NONE;
	j->timeout = 0;
	j->sent = 0;
	j->maxrss_kb = 0;
	j->user_cpu = j->sys_cpu = 0;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	if (j->block != NULL || j->rr)
		job_input_free(j);
	job_reset(j);
	if (j->cols != j->items)
		free(j->cols);
	free(j->cmdline);
	free(j->logcmd);
	free(j->logline);
	free(j->argvbuf);
	free(j->tag);
	free(j);
}
