/*
 * timeline_fuzz.c - libFuzzer harness for src/tlread.c and src/timeline.c:
 * every line of the input is read as a tab-separated and as a JSON job log
 * line (tlread_tsv, tlread_json), the records found are added to a
 * timeline (timeline_add), and the picture is drawn (timeline_write).
 *
 * Input: a selector byte (bit 0: also add records with the slot the byte
 * gives, so slot lanes and greedy lanes are both drawn), then the lines.
 * Checks: the picture is valid UTF-8 with no control character but
 * newlines; every '&' starts one of the four entities written; every '<'
 * starts one of the elements the picture is made of, so no byte of a
 * command or host can make markup; it ends with </svg>.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/parx.h"
#include "common.h"

static const char *const tags[] = {
	"?xml ", "svg ", "/svg>", "title>", "/title>", "style>", "/style>",
	"rect ", "/rect>", "text ", "/text>", "line ", "g ", "/g>", NULL
};
static const char *const entities[] = {
	"&amp;", "&lt;", "&gt;", "&quot;", NULL
};

static int
starts(const char *p, const char *end, const char *const *list)
{
	int i;

	for (i = 0; list[i] != NULL; i++)
		if ((size_t)(end - p) >= strlen(list[i]) &&
		    memcmp(p, list[i], strlen(list[i])) == 0)
			return 1;
	return 0;
}

/* The length of the UTF-8 character at p, or 0 when it is not one. */
static size_t
utf8(const unsigned char *p, const unsigned char *end)
{
	size_t	 len, i;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe ||
	    c == 0xffff)
		return 0;
	return len;
}

static void
check_picture(const char *s, size_t n)
{
	const char	*p = s, *end = s + n;
	size_t		 len;

	CHECK(n > 7 && memcmp(end - 7, "</svg>\n", 7) == 0, "no </svg> at end");
	while (p < end) {
		len = utf8((const unsigned char *)p, (const unsigned char *)end);
		CHECK(len > 0, "not UTF-8 at byte %zu", (size_t)(p - s));
		CHECK(len > 1 || *p == '\n' || ((unsigned char)*p >= 0x20 &&
		    *p != 0x7f), "control character at byte %zu",
		    (size_t)(p - s));
		CHECK(*p != '&' || starts(p, end, entities),
		    "a bare & at byte %zu", (size_t)(p - s));
		CHECK(*p != '<' || starts(p + 1, end, tags),
		    "markup from the input at byte %zu: %.40s", (size_t)(p - s),
		    p);
		p += len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeline	*tl;
	struct tlbufs	 b;
	struct tljob	 j;
	const char	*p, *end, *nl;
	char		*out;
	int		 sel, fd;
	off_t		 n;

	if (size < 1)
		return 0;
	sel = data[0];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	memset(&b, 0, sizeof(b));
	tl = timeline_new();
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (tlread_tsv(p, (size_t)(nl - p), &j) == 0) {
			CHECK(j.seq > 0, "seq 0 accepted");
			timeline_add(tl, &j);
		}
		if (tlread_json(p, (size_t)(nl - p), &j, &b) == 0) {
			CHECK(j.seq > 0 && j.start >= 0 && j.runtime >= 0,
			    "a JSON record out of range");
			timeline_add(tl, &j);
			if (sel & 1) {
				j.slot = sel >> 1;
				timeline_add(tl, &j);
			}
		}
	}
	if ((fd = memfd_create("timeline", MFD_CLOEXEC)) == -1)
		abort();
	CHECK(timeline_write(tl, fd, sel & 2 ? "" : "t<&>") == 0,
	    "timeline_write failed");
	n = lseek(fd, 0, SEEK_END);
	if (n < 0 || (out = malloc((size_t)n + 1)) == NULL ||
	    pread(fd, out, (size_t)n, 0) != n)
		abort();
	check_picture(out, (size_t)n);
	free(out);
	close(fd);
	timeline_free(tl);
	tlbufs_free(&b);
	return 0;
}
