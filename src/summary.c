/*
 * summary.c - the failure summary: when stderr is a terminal, or with
 * --summary, a run in which jobs failed ends with
 *
 *	parx: F of T jobs failed
 *	parx: job SEQ: OUTCOME: COMMAND		(up to SHOWN of them)
 *
 * OUTCOME is exit N, signal NAME, timed out after D, killed by
 * --limit-cpu after Ns, or could not start;
 * the COMMAND is cut to one short line.
 * The jobs shown are the failed ones with the lowest sequence numbers,
 * in order, so the list is the same whatever the completion order.
 * Runs in the collector (main) thread; memory stays SHOWN entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parx.h"

#define SHOWN	10
#define CMDMAX	160	/* bytes of a command shown */

static struct failure {
	unsigned long long	 seq;
	char			*line;	/* "parx: job SEQ: OUTCOME: COMMAND" */
} shown[SHOWN];
static int nshown;

/*
 * The command, on one line (a newline spelled \n, as in the job log),
 * and cut after CMDMAX bytes, at a character boundary.
 */
static void
add_cmd(struct strbuf *sb, const char *cmd)
{
	size_t start = sb->len, cut;

	for (; *cmd != '\0'; cmd++) {
		if (*cmd == '\n')
			sb_add(sb, "\\n", 2);
		else
			sb_addc(sb, *cmd);
	}
	if (sb->len - start <= CMDMAX)
		return;
	cut = start + CMDMAX - 3;
	while (cut > start && (sb->s[cut] & 0xc0) == 0x80)
		cut--;
	sb->len = cut;
	sb_adds(sb, "...");
}

static char *
describe(const struct job *j)
{
	struct strbuf sb = { 0 };
	char buf[128], name[32];

	if (j->nostart)
		snprintf(buf, sizeof(buf), "could not start");
	else if (j->timed_out)
		snprintf(buf, sizeof(buf), "timed out after %gs", j->timeout);
	else if (j->limit == LIMIT_CPU)
		snprintf(buf, sizeof(buf), "killed by --limit-cpu after %lds",
		    opts.limit_cpu);
	else if (j->termsig != 0)
		snprintf(buf, sizeof(buf), "signal %s",
		    sig_name(j->termsig, name, sizeof(name)));
	else
		snprintf(buf, sizeof(buf), "exit %d", j->status);
	snprintf(name, sizeof(name), "%llu", j->seq);
	sb_adds(&sb, "parx: job ");
	sb_adds(&sb, name);
	sb_adds(&sb, ": ");
	sb_adds(&sb, buf);
	if (j->cmdline != NULL && *j->cmdline != '\0') {
		sb_adds(&sb, ": ");
		add_cmd(&sb, j->cmdline);
	}
	sb_addc(&sb, '\n');
	return sb.s;
}

/* A failed job: kept when it is among the SHOWN lowest seqs so far. */
void
summary_add(const struct job *j)
{
	int i;

	if (nshown == SHOWN && j->seq > shown[SHOWN - 1].seq)
		return;
	if (nshown == SHOWN)
		free(shown[--nshown].line);
	for (i = nshown; i > 0 && shown[i - 1].seq > j->seq; i--)
		shown[i] = shown[i - 1];
	shown[i].seq = j->seq;
	shown[i].line = describe(j);
	nshown++;
}

/* At the end of the run: the summary, when jobs failed. */
void
summary_print(unsigned long long failed, unsigned long long done)
{
	int i;

	if (failed > 0) {
		output_msgf("parx: %llu of %llu job%s failed\n", failed, done,
		    done == 1 ? "" : "s");
		for (i = 0; i < nshown; i++)
			output_msg(shown[i].line, strlen(shown[i].line));
		if (failed > (unsigned long long)nshown)
			output_msgf("parx: (%llu more not shown)\n",
			    failed - (unsigned long long)nshown);
	}
	for (i = 0; i < nshown; i++)
		free(shown[i].line);
	nshown = 0;
}
