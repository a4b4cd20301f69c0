/*
 * job.c - making and freeing jobs.
 *
 * The reader makes a job; the collector frees it.  A job's items live in
 * one allocation with the job so that making one costs a single malloc
 * (plus one for columns under --colsep).
 */
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
	j->status = 0;
	outbuf_init(&j->out);
	outbuf_init(&j->err);
	return j;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	outbuf_free(&j->out);
	outbuf_free(&j->err);
	if (j->cols != j->items)
		free(j->cols);
	free(j->errmsg);
	free(j->cmdline);
	free(j->tag);
	free(j);
}
