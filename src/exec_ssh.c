/*
 * exec_ssh.c - the ssh executor: jobs on other machines (-S, --slf).
 *
 * The system ssh (or --ssh CMD) runs everything, so the user's config,
 * keys and agent apply; rsync moves files, over the same connections.
 *
 * Connections.  Each host gets one shared connection (ControlMaster)
 * per MUX_SESSIONS of its slots (sshd allows 10 sessions on one
 * connection by default), its socket in a private 0700 directory under
 * $TMPDIR.  Every ssh parx runs says ControlMaster=auto and
 * ControlPersist=60, so the first one to a socket makes the master,
 * a master that died is made again by the next job, and a master that
 * parx could not close (parx was killed) goes away after a minute idle.
 * At the end parx removes its files on the host and closes the masters
 * (ssh -O exit).
 *
 * Set-up (one ssh per host, in parallel, PROBE_TIMEOUT at most): a perl
 * script, sent hex-encoded so that no remote shell (sh, csh, fish)
 * interprets a byte of it, makes parx's directory there (mkdir 0700 under
 * its $TMPDIR or /tmp), writes the job wrapper into it, makes the
 * --workdir, checks for rsync if files move, and says how many CPUs the
 * host has.  Then the other masters are opened, and the --basefile files
 * sent.
 *
 * A job.  The remote command line is `exec perl DIR/w r ID xHEX`: HEX
 * holds the working directory, the environment (PARX_SEQ, PARX_SLOT,
 * --env) and the job's argv, so the remote shell sees only safe
 * characters and never interprets an item.  The wrapper (w, below) runs
 * the argv as parx would locally: in a process group of its own, stdin
 * from /dev/null, stdout and stderr those of the session (kept apart: no
 * tty).  The wrapper's own stdin is a pipe from parx, the job's lifeline:
 * to end the job (timeout, Ctrl-C, --halt now, closed stdout) parx writes
 * the signal number on it and closes it (the attempt's end hook, called
 * by run.c); when it closes without one (parx or its ssh killed, the
 * connection lost) the wrapper takes it as SIGTERM.  Either way the
 * wrapper signals the job's group and sends SIGKILL to what is left of it
 * a second later, then exits, so run.c sees ssh end once nothing of the
 * job is left there.
 *
 * Judging.  ssh exits 255 when it fails, and also when the job exits 255
 * or a signal kills it.  So the wrapper leaves a note in DIR/s.ID in those
 * two cases, and when ssh gives 255 parx asks for the note: there, the
 * job's status; not there, or the host cannot be reached, the host failed
 * (exec.c requeues the job).
 *
 * Files.  --transferfile before the job and --return after it are rsync
 * -R runs (-s: names travel in rsync's protocol, so any byte works)
 * relative to the working directory, or to / for absolute names (a /./
 * in a name starts its relative part); --cleanup removes both there,
 * unless a return failed, which fails the job and keeps what it did not
 * bring back.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

#define MUX_SESSIONS	8	/* jobs per shared connection */
#define PERSIST		"60"	/* ControlPersist, seconds */
#define PROBE_TIMEOUT	10.0	/* seconds to set a host up */
#define CONTROL_TIMEOUT	10.0	/* status notes, clean-ups, closing */
#define LOGIN_MAX	255
#define ARG_MAX1	131072	/* Linux: one argument, NUL included */
#define CMD_ROOM	512	/* the wrapper's path, the attempt's id */

extern char **environ;

/* A host's ssh side. */
struct sshhost {
	char	*user;		/* or NULL */
	char	*name;		/* host name or address */
	char	*port;		/* or NULL */
	char	*rname;		/* the name as rsync wants it: [v6] */
	int	 nmasters;	/* masters opened */
	char	*rdir;		/* parx's directory there, once set up */
	char	*rwork;		/* the jobs' directory there; "": home */
	char	**old;		/* earlier ones, which jobs may still use */
	int	 nold;
};

static struct {
	char		**ssh;		/* --ssh words; [0] is a path */
	int		  nssh;
	char		 *rsync;	/* where rsync is, when files move */
	char		 *dir;		/* the control sockets */
	char		**env;		/* --env: VAR=value */
	int		  nenv;
	const char	 *workdir;	/* as asked: "" home, "..." per run */
	char		 *work;		/* ...with "." made a path */
	struct tmpl	**tf;		/* --transferfile */
	struct tmpl	**rt;		/* --return */
	struct strbuf	  setup;	/* the set-up command, but its args */
	struct strbuf	  whex;		/* the wrapper, hex-encoded */
	/* --slf: the file as last read */
	struct stat	  slfst;
	int		  slfok;
	unsigned	  ids;
} sx;

static const struct executor exec_ssh;
static void slf_refresh(void);

/*
 * The set-up script: perl -e, its arguments hex-encoded behind an x:
 * the directory to reuse (or none), the working directory, whether rsync
 * is needed, whether to count the CPUs, the wrapper.
 */
static const char setup_pl[] =
"my ($want, $wd, $rs, $nc, $w) = map { pack 'H*', substr $_, 1 } @ARGV;\n"
"my $dir;\n"
"if (length $want && -d $want && -O _) {\n"
"	$dir = $want;\n"
"} else {\n"
"	my $t = $ENV{TMPDIR};\n"
"	$t = '/tmp' unless defined $t && $t =~ m{^/[-A-Za-z0-9_./]+$} &&\n"
"	    -d $t && -w _;\n"
"	for (1 .. 99) {\n"
"		my $d = \"$t/parx.\" . join '', map {\n"
"		    ('a' .. 'z', 0 .. 9)[rand 36] } 1 .. 10;\n"
"		if (mkdir $d, 0700) { $dir = $d; last }\n"
"	}\n"
"	defined $dir or die \"parx: cannot make a directory in $t: $!\\n\";\n"
"}\n"
"open my $f, '>', \"$dir/w\" or die \"parx: cannot write $dir/w: $!\\n\";\n"
"print $f $w;\n"
"close $f or die \"parx: cannot write $dir/w: $!\\n\";\n"
"$wd = \"$dir/work\" if $wd eq '...';\n"
"if (length $wd && !-d $wd) {\n"
"	require File::Path;\n"
"	eval { File::Path::mkpath($wd) };\n"
"	-d $wd or die \"parx: cannot make directory $wd\\n\";\n"
"}\n"
"die \"parx: rsync not found there (needed to move files)\\n\"\n"
"    if $rs && !grep { -x \"$_/rsync\" } split /:/, $ENV{PATH};\n"
"my $n = 0;\n"
"for ($nc ? ('nproc', 'getconf _NPROCESSORS_ONLN', 'sysctl -n hw.ncpu') :\n"
"    ()) {\n"
"	$n = int(`$_ 2>/dev/null` || 0);\n"
"	last if $n > 0;\n"
"}\n"
"print 'parx ', ($n > 0 ? $n : 1), ' x', unpack('H*', $dir), ' x',\n"
"    unpack('H*', $wd), \"\\n\";\n";

/*
 * The wrapper, DIR/w.  w r ID xHEX runs a job (see the top of this file);
 * w s ID prints and removes its note; w c xHEX removes files (HEX: the
 * working directory, then the names); w x xHEX does that and removes DIR.
 * It loads no module on the way of a job, to start fast.
 */
static const char wrapper_pl[] =
"# parx's wrapper for remote jobs (exec_ssh.c in parx).\n"
"my $mode = shift;\n"
"(my $dir = $0) =~ s{/[^/]*$}{};\n"
"sub blob { my @f = split /\\0/, pack('H*', substr $_[0], 1), -1;\n"
"    pop @f; @f }\n"
"sub now { eval { require Time::HiRes; Time::HiRes::time() } || time }\n"
"sub note { my $m; open $m, '>', \"$dir/s.$_[0]\" and print $m \"$_[1]\\n\" }\n"
"# Whether group $_[0] has a process that is not a zombie.\n"
"sub live {\n"
"	my $d;\n"
"	return kill 0, -$_[0] unless opendir $d, '/proc';\n"
"	for (readdir $d) {\n"
"		my $f;\n"
"		next unless /^\\d+$/ && open $f, '<', \"/proc/$_/stat\";\n"
"		my @s = split ' ', (<$f> =~ /.*\\)\\s*(.*)/)[0];\n"
"		return 1 if $s[2] == $_[0] && $s[0] ne 'Z';\n"
"	}\n"
"	0;\n"
"}\n"
"if ($mode eq 's') {\n"
"	open my $m, '<', \"$dir/s.$ARGV[0]\" or exit 1;\n"
"	print <$m>;\n"
"	unlink \"$dir/s.$ARGV[0]\";\n"
"	exit 0;\n"
"}\n"
"if ($mode eq 'c' || $mode eq 'x') {\n"
"	my ($wd, @f) = blob($ARGV[0]);\n"
"	my ($in, $bad) = (!length $wd || chdir $wd, 0);\n"
"	for (@f) {\n"
"		next if !$in && !m{^/} or unlink $_ or !-e $_ && !-l $_;\n"
"		print STDERR \"parx: cannot remove $_: $!\\n\";\n"
"		$bad = 1;\n"
"	}\n"
"	if ($mode eq 'x') {\n"
"		chdir '/';\n"
"		require File::Path;\n"
"		File::Path::rmtree($dir);\n"
"	}\n"
"	exit $bad;\n"
"}\n"
"my ($id, $hex) = @ARGV;\n"
"my ($wd, $ne, @a) = blob($hex);\n"
"my @env = splice @a, 0, $ne;\n"
"pipe my $cr, my $cw or die \"parx: pipe: $!\\n\";\n"
"$SIG{CHLD} = sub { syswrite $cw, 'c' };\n"
"my $pid = fork;\n"
"if (!defined $pid) { print STDERR \"parx: cannot fork: $!\\n\"; exit 126 }\n"
"if (!$pid) {\n"
"	$SIG{CHLD} = 'DEFAULT';\n"
"	setpgrp 0, 0;\n"
"	open STDIN, '<', '/dev/null';\n"
"	if (length $wd && !chdir $wd) {\n"
"		print STDERR \"parx: cannot change to directory $wd: $!\\n\";\n"
"		exit 126;\n"
"	}\n"
"	for (@env) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v }\n"
"	{ exec { $a[0] } @a }\n"
"	my ($e, $m) = ($! + 0, \"$!\");\n"
"	print STDERR $e == 2 ? \"parx: $a[0]: command not found\\n\" :\n"
"	    \"parx: $a[0]: $m\\n\";\n"
"	exit($e == 2 ? 127 : 126);\n"
"}\n"
"setpgrp $pid, $pid;\n"
"my ($sig, $kill, $killed, $st, $rin, $poll) = (0, undef, 0, 0, '', .005);\n"
"vec($rin, 0, 1) = 1;\n"
"vec($rin, fileno $cr, 1) = 1;\n"
"for (;;) {\n"
"	if (waitpid($pid, 1) == $pid) { $st = $?; last }\n"
"	# SIGCHLD ends select, but Perl runs its handler between steps: one\n"
"	# that comes just before select is seen at the timeout.\n"
"	my $t = $poll;\n"
"	$poll *= 2 if $poll < .5;\n"
"	if (defined $kill) {\n"
"		my $k = $kill - now();\n"
"		$t = $k < 0 ? 0 : $k < $t ? $k : $t;\n"
"	}\n"
"	my $n = select(my $r = $rin, undef, undef, $t);\n"
"	sysread $cr, my $b, 64 if $n > 0 && vec($r, fileno $cr, 1);\n"
"	if ($n > 0 && vec($r, 0, 1)) {\n"
"		# parx ends the job: a signal number, or the session closed.\n"
"		my $b = '';\n"
"		if (!sysread STDIN, $b, 64) { vec($rin, 0, 1) = 0 }\n"
"		if (!$sig) {\n"
"			$sig = $b =~ /(\\d+)/ && $1 > 0 && $1 < 65 ? $1 : 15;\n"
"			kill $sig, -$pid;\n"
"			$kill = now() + 1;\n"
"		}\n"
"	}\n"
"	if (defined $kill && now() >= $kill) {\n"
"		kill 9, -$pid;\n"
"		($kill, $killed) = (undef, 1);\n"
"	}\n"
"}\n"
"if ($sig) {\n"
"	# Ended by parx: what is left of the group goes within a second.\n"
"	select undef, undef, undef, 0.02 while !$killed && live($pid) &&\n"
"	    now() < $kill;\n"
"	kill 9, -$pid;\n"
"	exit 255;\n"
"}\n"
"# What the job left in its group goes when the session does.\n"
"if (kill(0, -$pid) && live($pid) && defined(my $g = fork)) {\n"
"	if (!$g) {\n"
"		open STDOUT, '>', '/dev/null';\n"
"		open STDERR, '>&', \\*STDOUT;\n"
"		1 while sysread STDIN, my $b, 64;\n"
"		kill 15, -$pid;\n"
"		sleep 1;\n"
"		kill 9, -$pid;\n"
"		exit 0;\n"
"	}\n"
"}\n"
"if ($st & 127) { note($id, 'k ' . ($st & 127)); exit 255 }\n"
"$st >>= 8;\n"
"note($id, 'e 255') if $st == 255;\n"
"exit $st;\n";

static void
hex_add(struct strbuf *sb, const char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	sb_grow(sb, n * 2);
	for (i = 0; i < n; i++) {
		sb->s[sb->len++] = digits[(unsigned char)p[i] >> 4];
		sb->s[sb->len++] = digits[(unsigned char)p[i] & 15];
	}
	sb->s[sb->len] = '\0';
}

/* Appends " x" and s hex-encoded: an argument no shell interprets. */
static void
hex_arg(struct strbuf *sb, const char *s, size_t n)
{
	sb_adds(sb, " x");
	hex_add(sb, s, n);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes "xHEX" from p (up to a blank or the end); NULL if malformed. */
static char *
hex_decode(const char *p, const char **end)
{
	struct strbuf sb = { 0 };
	int a, b;

	if (*p++ != 'x')
		return NULL;
	for (; (a = hexval(p[0])) >= 0 && (b = hexval(p[1])) >= 0; p += 2)
		sb_addc(&sb, a * 16 + b);
	sb_add(&sb, "", 0);
	*end = p;
	return sb.s;
}

/* A login: [N/][USER@]HOST[:PORT], or [N/]: for this machine. */
struct login {
	int		 given;
	int		 local;
	char		*user;
	char		*name;
	char		*port;
	const char	*text;		/* without N/ */
};

static int
name_ok(const char *p, size_t n, const char *more)
{
	size_t i;

	if (n == 0 || p[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || strchr(more, p[i]) != NULL))
			return 0;
	return 1;
}

/* The host[:port] part; 0, or -1 when it is malformed. */
static int
login_host(const char *p, struct login *l)
{
	const char *e, *colon;
	long v;

	if (*p == '[') {
		if ((e = strchr(p, ']')) == NULL ||
		    !name_ok(p + 1, (size_t)(e - p - 1), ":.%"))
			return -1;
		l->name = strndup(p + 1, (size_t)(e - p - 1));
		colon = e[1] == ':' ? e + 1 : e[1] == '\0' ? NULL : p;
		if (colon == p)
			return -1;
	} else {
		colon = strchr(p, ':');
		/* An IPv6 address without brackets has no port. */
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;
		e = colon != NULL ? colon : p + strlen(p);
		if (!name_ok(p, (size_t)(e - p), colon == NULL ? "._-:" :
		    "._-"))
			return -1;
		l->name = strndup(p, (size_t)(e - p));
	}
	/* A name with colons is an IPv6 address. */
	if (strchr(l->name, ':') != NULL &&
	    strspn(l->name, "0123456789abcdefABCDEF:.%") != strlen(l->name))
		return -1;
	if (colon != NULL) {
		if (parse_count(colon + 1, 1, 65535, &v) == -1 ||
		    colon[1] == '+' || colon[1] == '0')
			return -1;
		l->port = xstrdup(colon + 1);
	}
	return 0;
}

static void
login_free(struct login *l)
{
	free(l->user);
	free(l->name);
	free(l->port);
	memset(l, 0, sizeof(*l));
}

/* Parses s (NUL-terminated); 0, or -1 (l freed) when it is malformed. */
static int
login_parse(const char *s, struct login *l)
{
	const char *p = s, *at;
	long v;

	memset(l, 0, sizeof(*l));
	if (strlen(s) > LOGIN_MAX)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		;
	if (*p == '/' && p > s) {
		char num[16];

		if (p - s >= (ptrdiff_t)sizeof(num))
			return -1;
		memcpy(num, s, (size_t)(p - s));
		num[p - s] = '\0';
		if (parse_count(num, 1, 100000, &v) == -1)
			return -1;
		l->given = (int)v;
		p++;
	} else
		p = s;
	l->text = p;
	if (strcmp(p, ":") == 0) {
		l->local = 1;
		return 0;
	}
	if ((at = strchr(p, '@')) != NULL) {
		if (!name_ok(p, (size_t)(at - p), "._+-$"))
			return -1;
		l->user = strndup(p, (size_t)(at - p));
		p = at + 1;
	}
	if (login_host(p, l) == -1) {
		login_free(l);
		return -1;
	}
	return 0;
}

/* Lock held, or before threads.  Adds the host of l (taken). */
static struct host *
login_add(struct login *l)
{
	struct sshhost *sh;
	struct strbuf sb = { 0 };
	struct host *h;

	if ((h = host_find(l->text)) != NULL || l->local) {
		if (h == NULL)
			h = host_add(l->text, &exec_local, l->given, NULL);
		else
			h->listed = 1;
		login_free(l);
		return h;
	}
	sh = xcalloc(1, sizeof(*sh));
	sh->user = l->user;
	sh->name = l->name;
	sh->port = l->port;
	if (strchr(sh->name, ':') != NULL) {
		sb_addc(&sb, '[');
		sb_adds(&sb, sh->name);
		sb_adds(&sb, "]");
		sh->rname = sb.s;
	} else
		sh->rname = xstrdup(sh->name);
	h = host_add(l->text, &exec_ssh, l->given, sh);
	memset(l, 0, sizeof(*l));
	return h;
}

/* Each login of a comma-separated list: fn(login, line, arg). */
static int
logins_each(const char *list, int (*fn)(const char *, long, void *),
    long line, void *arg)
{
	const char *p = list, *e;
	char *one;
	int rc = 0;

	for (;;) {
		e = strchr(p, ',');
		one = e != NULL ? strndup(p, (size_t)(e - p)) : xstrdup(p);
		if (one == NULL)
			fatal("out of memory");
		rc = fn(one, line, arg);
		free(one);
		if (rc != 0 || e == NULL)
			return rc;
		p = e + 1;
	}
}

static int
add_cmdline(const char *s, long line, void *arg)
{
	struct login l;

	(void)line;
	(void)arg;
	if (login_parse(s, &l) == -1)
		usage_error("invalid login '%s' for -S (expected "
		    "[N/][USER@]HOST[:PORT], or : for this machine)", s);
	login_add(&l)->pinned = 1;
	return 0;
}

/* Splits cmd into words as sh would: blanks, '...', "...", backslash. */
int
split_words(const char *cmd, char ***words, int *n)
{
	struct strbuf w = { 0 };
	const char *p = cmd;
	int in = 0, q = 0;

	*words = NULL;
	*n = 0;
	for (;; p++) {
		if (q == 0 && (*p == ' ' || *p == '\t' || *p == '\n' ||
		    *p == '\0')) {
			if (in) {
				sb_add(&w, "", 0);
				*words = xrealloc(*words, (*n + 2) *
				    sizeof(**words));
				(*words)[(*n)++] = w.s;
				(*words)[*n] = NULL;
				memset(&w, 0, sizeof(w));
			}
			in = 0;
			if (*p == '\0')
				return 0;
			continue;
		}
		in = 1;
		if (*p == '\0')
			break;	/* an unclosed quote */
		if (q == 0 && (*p == '\'' || *p == '"'))
			q = *p;
		else if (q != 0 && *p == q)
			q = 0;
		else if (q != '\'' && *p == '\\' && p[1] != '\0')
			sb_addc(&w, *++p);
		else
			sb_addc(&w, *p);
	}
	sb_free(&w);
	return -1;
}

/* The program of a command: a path, or found in PATH; else a usage error. */
static char *
program(const char *name, const char *what)
{
	struct stat st;
	char *path;

	if (strchr(name, '/') == NULL) {
		if ((path = spawn_path(name)) == NULL)
			usage_error("%s: %s: command not found", what, name);
		return path;
	}
	if (stat(name, &st) == -1)
		usage_error("%s: %s: %s", what, name, strerror(errno));
	if (!S_ISREG(st.st_mode) || access(name, X_OK) == -1)
		usage_error("%s: %s: not an executable file", what, name);
	return xstrdup(name);
}

/*
 * -X, -m: a job's command line travels hex-encoded in one argument of
 * ssh, which Linux limits to ARG_MAX1 bytes; jobs are packed to fit it.
 */
static void
pack_limit(void)
{
	long room = (ARG_MAX1 - CMD_ROOM) / 2 - 64;
	int i;

	if (opts.workdir != NULL)
		room -= (long)strlen(opts.workdir) + 1;
	for (i = 0; i < opts.nenvs; i++)
		if (getenv(opts.envs[i]) != NULL)
			room -= (long)(strlen(opts.envs[i]) +
			    strlen(getenv(opts.envs[i])) + 2);
	if (room < 4096)
		room = 4096;
	if (opts.pack != PACK_NONE && (opts.maxchars <= 0 ||
	    opts.maxchars > room))
		opts.maxchars = room;
}

/* --ssh, rsync, --env, --workdir, the templates: checked once. */
static void
ssh_options(void)
{
	char *cwd, *home;
	const char *e;
	size_t n;
	int i;

	if (split_words(opts.ssh != NULL ? opts.ssh : "ssh", &sx.ssh,
	    &sx.nssh) == -1 || sx.nssh == 0)
		usage_error("--ssh: '%s' is not a command", opts.ssh);
	e = sx.ssh[0];
	sx.ssh[0] = program(e, "--ssh");
	free((char *)e);
	if (opts.ntransfers > 0 || opts.nreturns > 0 || opts.nbasefiles > 0)
		sx.rsync = program("rsync", "--transferfile, --return and "
		    "--basefile need rsync");
	for (i = 0; i < opts.nbasefiles; i++)
		if (access(opts.basefiles[i], R_OK) == -1)
			usage_error("--basefile: cannot read %s: %s",
			    opts.basefiles[i], strerror(errno));
	for (i = 0; i < opts.nenvs; i++) {
		e = opts.envs[i];
		n = strlen(e);
		if (n == 0 || strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_") != n ||
		    (e[0] >= '0' && e[0] <= '9'))
			usage_error("--env: '%s' is not a variable name", e);
		if (getenv(e) == NULL)
			continue;
		sx.env = xrealloc(sx.env, (sx.nenv + 1) * sizeof(*sx.env));
		if (asprintf(&sx.env[sx.nenv++], "%s=%s", e, getenv(e)) < 0)
			fatal("out of memory");
	}
	pack_limit();
	sx.workdir = opts.workdir != NULL ? opts.workdir : "";
	if (opts.workdir != NULL && *opts.workdir == '\0')
		usage_error("--workdir needs a directory");
	if (strcmp(sx.workdir, ".") == 0) {
		/* The same place relative to the home directory, as GNU's. */
		if ((cwd = getcwd(NULL, 0)) == NULL)
			fatal("cannot find the current directory");
		home = getenv("HOME");
		n = home != NULL ? strlen(home) : 0;
		if (n > 1 && strncmp(cwd, home, n) == 0 && cwd[n] == '/')
			memmove(cwd, cwd + n + 1, strlen(cwd + n + 1) + 1);
		else if (n > 0 && strcmp(cwd, home) == 0)
			cwd[0] = '\0';
		sx.work = cwd;
		sx.workdir = cwd;
	}
}

/*
 * Reads the --slf file: its logins, one or more a line (commas), '#'
 * comments.  Calls fn(login, line, arg) for each; stops at fn's
 * non-zero.  Returns -1 with errno when the file cannot be read.
 */
static int
slf_read(int (*fn)(const char *, long, void *), void *arg, struct stat *st)
{
	char *line = NULL, *p, *e;
	size_t cap = 0;
	long lineno = 0;
	FILE *fp;
	int rc = 0;

	if ((fp = fopen(opts.slf, "re")) == NULL)
		return -1;
	if (fstat(fileno(fp), st) == -1 || S_ISDIR(st->st_mode)) {
		rc = S_ISDIR(st->st_mode) ? EISDIR : errno;
		fclose(fp);
		errno = rc;
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, fp) != -1) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		e = p + strlen(p);
		while (e > p && strchr(" \t\r\n", e[-1]) != NULL)
			*--e = '\0';
		if (*p != '\0')
			rc = logins_each(p, fn, lineno, arg);
	}
	free(line);
	fclose(fp);
	return 0;
}

static int
add_slf_start(const char *s, long line, void *arg)
{
	struct login l;

	(void)arg;
	if (login_parse(s, &l) == -1)
		usage_error("%s:%ld: invalid login '%s' (expected "
		    "[N/][USER@]HOST[:PORT], or : for this machine)", opts.slf,
		    line, s);
	login_add(&l);
	return 0;
}

/* The logins of the --slf file as read again. */
struct slfset {
	struct login	*l;
	int		 n;
};

static int
add_slf_later(const char *s, long line, void *arg)
{
	struct slfset *set = arg;
	struct login l;

	if (login_parse(s, &l) == -1) {
		host_msg("%s:%ld: invalid login '%s' (left out)", opts.slf,
		    line, s);
		return 0;
	}
	l.text = xstrdup(l.text);	/* s goes */
	set->l = xrealloc(set->l, (set->n + 1) * sizeof(*set->l));
	set->l[set->n++] = l;
	return 0;
}

static void
unlist_dropped(struct host *h, void *arg)
{
	struct slfset *set = arg;
	int i;

	if (h->pinned)
		return;
	for (i = 0; i < set->n; i++)
		if (strcmp(set->l[i].text, h->login) == 0)
			return;
	host_unlist(h);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * A worker, at most once a second (exec.c): when the --slf file changed,
 * its new hosts join (set up first) and the hosts it no longer lists get
 * no new job.
 */
static void
slf_refresh(void)
{
	struct slfset set = { NULL, 0 };
	struct stat st;
	int i;

	if (stat(opts.slf, &st) == 0 && sx.slfok && same_file(&st, &sx.slfst))
		return;
	if (slf_read(add_slf_later, &set, &st) == -1) {
		if (sx.slfok)
			host_msg("--slf: cannot read %s: %s (keeping its "
			    "hosts)", opts.slf, strerror(errno));
		sx.slfok = 0;
		free(set.l);
		return;
	}
	sx.slfok = 1;
	sx.slfst = st;
	hosts_lock();
	hosts_each(unlist_dropped, &set);
	for (i = 0; i < set.n; i++) {
		char *text = (char *)set.l[i].text;

		login_add(&set.l[i]);
		free(text);
	}
	hosts_unlock();
	free(set.l);
}

/* Main thread, before anything runs: the hosts of -S and --slf. */
void
ssh_init(void)
{
	int i;

	ssh_options();
	exec_register(&exec_ssh);
	for (i = 0; i < opts.nlogins; i++)
		logins_each(opts.logins[i], add_cmdline, 0, NULL);
	if (opts.slf != NULL) {
		if (slf_read(add_slf_start, NULL, &sx.slfst) == -1)
			usage_error("--slf: cannot read %s: %s", opts.slf,
			    strerror(errno));
		sx.slfok = 1;
		if (!exec_hosts())
			usage_error("--slf: %s names no host", opts.slf);
		exec_refresh_hook(slf_refresh);
	}
}

/*
 * Main thread, before hosts are set up: the private directory of the
 * control sockets (a socket's path must be short and free of the
 * characters ssh would expand), and the set-up command.
 */
static void
ssh_start(void)
{
	const char *t = opts.tmpdir;
	struct strbuf sb = { 0 };
	char **names;
	int i, n;

	/* The file templates, with --header's names (read by now). */
	reader_names(&names, &n);
	sx.tf = xcalloc(opts.ntransfers + 1, sizeof(*sx.tf));
	for (i = 0; i < opts.ntransfers; i++)
		sx.tf[i] = tmpl_new_string(opts.transfers[i], names, n);
	sx.rt = xcalloc(opts.nreturns + 1, sizeof(*sx.rt));
	for (i = 0; i < opts.nreturns; i++)
		sx.rt[i] = tmpl_new_string(opts.returns[i], names, n);
	if (strlen(t) > 60 || strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789/._-") != strlen(t))
		t = "/tmp";
	sb_adds(&sb, t);
	sb_adds(&sb, "/parx-ssh.XXXXXX");
	if (mkdtemp(sb.s) == NULL)
		fatal("cannot make a directory in %s: %s", t,
		    strerror(errno));
	sx.dir = sb.s;
	sb_adds(&sx.setup, "exec perl -e 'eval pack q(H*), q(");
	hex_add(&sx.setup, setup_pl, sizeof(setup_pl) - 1);
	sb_adds(&sx.setup, "); die $@ if $@'");
	hex_add(&sx.whex, wrapper_pl, sizeof(wrapper_pl) - 1);
}

static void
word(struct argv *av, const char *s)
{
	argv_word_begin(av);
	argv_word_add(av, s, strlen(s));
	argv_word_end(av);
}

/* The control socket of h's connection number group. */
static void
ctl_path(char *buf, size_t size, const struct host *h, int group)
{
	snprintf(buf, size, "%s/%d-%d", sx.dir, h->index, group);
}

/* The ssh command to h over its connection number group, but the host. */
static void
ssh_words(struct argv *av, const struct host *h, int group)
{
	const struct sshhost *sh = h->priv;
	char ctl[PATH_MAX];
	int i;

	ctl_path(ctl, sizeof(ctl), h, group);
	argv_reset(av);
	for (i = 0; i < sx.nssh; i++)
		word(av, sx.ssh[i]);
	word(av, "-T");
	word(av, "-S");
	word(av, ctl);
	word(av, "-o");
	word(av, "ControlMaster=auto");
	word(av, "-o");
	word(av, "ControlPersist=" PERSIST);
	if (sh->port != NULL) {
		word(av, "-p");
		word(av, sh->port);
	}
	if (sh->user != NULL) {
		word(av, "-l");
		word(av, sh->user);
	}
}

/* The ssh command that runs cmd (remote shell words) on h. */
static char **
ssh_argv(struct argv *av, const struct host *h, int group, const char *cmd)
{
	const struct sshhost *sh = h->priv;

	ssh_words(av, h, group);
	word(av, "--");
	word(av, sh->name);
	word(av, cmd);
	return argv_finish(av);
}

/* Quotes w for rsync's -e, which splits at blanks and honours quotes. */
static void
rsync_quote(struct strbuf *sb, const char *w)
{
	sb_addc(sb, '\'');
	for (; *w != '\0'; w++)
		if (*w == '\'')
			sb_adds(sb, "'\"'\"'");
		else
			sb_addc(sb, *w);
	sb_addc(sb, '\'');
}

/* rsync -e: the ssh command to h, over connection number group. */
static void
rsync_rsh(struct strbuf *sb, struct argv *tmp, const struct host *h,
    int group)
{
	char **v;

	ssh_words(tmp, h, group);
	v = argv_finish(tmp);
	sb->len = 0;
	for (; *v != NULL; v++) {
		if (sb->len > 0)
			sb_addc(sb, ' ');
		rsync_quote(sb, *v);
	}
	sb_add(sb, "", 0);
}

/*
 * Runs rsync: src (NUL-separated, n of them) to dst, over h's connection
 * group.  Returns the helper's status (-2 when parx stopped it) and, on
 * failure, *why.
 */
static int
rsync_run(struct exec_ctx *x, const struct host *h, int group,
    const struct strbuf *src, int n, const char *dst, char **why)
{
	struct helper hp;
	const char *p;
	int i, rc;

	memset(&hp, 0, sizeof(hp));
	rsync_rsh(&x->sb[3], &x->hv, h, group);
	argv_reset(&x->hv);
	word(&x->hv, sx.rsync);
	word(&x->hv, "-s");
	word(&x->hv, "-rlptDR");
	word(&x->hv, "-e");
	word(&x->hv, x->sb[3].s);
	word(&x->hv, "--");
	for (p = src->s, i = 0; i < n; i++, p += strlen(p) + 1)
		word(&x->hv, p);
	word(&x->hv, dst);
	hp.argv = argv_finish(&x->hv);
	if (helper_run(&hp, 1, 0, 1) == -1)
		rc = -2;
	else if ((rc = hp.status) != 0)
		*why = helper_why(&hp);
	helper_free(&hp);
	return rc;
}

/* Whether path p goes to / there rather than to the working directory. */
static int
is_abs(const char *p)
{
	return p[0] == '/' && strstr(p, "/./") == NULL;
}

/* Where file p (as sent) is there, relative to the working directory. */
static const char *
remote_name(const char *p)
{
	const char *m = strstr(p, "/./");

	return m != NULL ? m + 3 : p;
}

/*
 * Sends the n files (NUL-separated in files) to h: relative ones to the
 * working directory, absolute ones to the same place.  Returns rsync's
 * status (see rsync_run).
 */
static int
files_to(struct exec_ctx *x, const struct host *h, int group,
    const struct strbuf *files, int n, char **why)
{
	const struct sshhost *sh = h->priv;
	struct strbuf *part = &x->sb[1], dst = { 0 };
	const char *p;
	int abs, i, k, rc = 0;

	for (abs = 0; abs < 2 && rc == 0; abs++) {
		part->len = 0;
		for (p = files->s, k = i = 0; i < n; i++, p += strlen(p) + 1)
			if (is_abs(p) == abs) {
				sb_add(part, p, strlen(p) + 1);
				k++;
			}
		if (k == 0)
			continue;
		dst.len = 0;
		sb_adds(&dst, sh->rname);
		sb_adds(&dst, !abs ? ":" : ":/");
		if (!abs)
			sb_adds(&dst, sh->rwork[0] != '\0' ? sh->rwork : ".");
		sb_add(&dst, "", 0);
		rc = rsync_run(x, h, group, part, k, dst.s, why);
	}
	sb_free(&dst);
	return rc;
}

/* Why the set-up answer of h is not what parx expects; 0 if it is. */
static int
setup_answer(struct host *h, const char *out, char **why)
{
	struct sshhost *sh = h->priv;
	const char *p;
	char *dir, *work;
	int n;

	if (sscanf(out, "parx %d ", &n) != 1 || n < 1 ||
	    (p = strchr(out + 5, ' ')) == NULL ||
	    (dir = hex_decode(p + 1, &p)) == NULL) {
		*why = xstrdup("unexpected answer to the set-up");
		return -1;
	}
	work = *p == ' ' ? hex_decode(p + 1, &p) : NULL;
	/* The remote shell sees dir: it must be plain. */
	if (work == NULL || dir[0] != '/' || strspn(dir,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "/._-") != strlen(dir)) {
		free(dir);
		free(work);
		*why = xstrdup("unexpected answer to the set-up");
		return -1;
	}
	h->ncpu = n;
	if (sh->rdir != NULL && strcmp(sh->rdir, dir) == 0 &&
	    strcmp(sh->rwork, work) == 0) {
		free(dir);
		free(work);
		return 0;
	}
	/* Jobs still running there may use the old ones: they stay. */
	if (sh->rdir != NULL) {
		sh->old = xrealloc(sh->old, (sh->nold + 2) * sizeof(*sh->old));
		sh->old[sh->nold++] = sh->rdir;
		sh->old[sh->nold++] = sh->rwork;
	}
	sh->rdir = dir;
	sh->rwork = work;
	return 0;
}

/* Opens h's masters but the first, in parallel; failures do not matter. */
static void
open_masters(struct host *h)
{
	struct sshhost *sh = h->priv;
	int want = (host_slots(h) + MUX_SESSIONS - 1) / MUX_SESSIONS, k, n;
	struct helper *hp;
	struct argv *av;

	if (sh->nmasters < 1)
		sh->nmasters = 1;
	if ((n = want - sh->nmasters) <= 0)
		return;
	hp = xcalloc(n, sizeof(*hp));
	av = xcalloc(n, sizeof(*av));
	for (k = 0; k < n; k++)
		hp[k].argv = ssh_argv(&av[k], h, sh->nmasters + k, "exit 0");
	helper_run(hp, n, PROBE_TIMEOUT, 1);
	for (k = 0; k < n; k++) {
		helper_free(&hp[k]);
		argv_free(&av[k]);
	}
	free(hp);
	free(av);
	sh->nmasters = want;
}

/* Sends the --basefile files to h; 0, or -1 with *why. */
static int
send_basefiles(struct host *h, char **why)
{
	struct exec_ctx x;
	struct strbuf files = { 0 };
	char *err = NULL;
	int i, rc, k;

	memset(&x, 0, sizeof(x));
	for (i = 0; i < opts.nbasefiles; i++)
		sb_add(&files, opts.basefiles[i], strlen(opts.basefiles[i]) + 1);
	rc = files_to(&x, h, 0, &files, opts.nbasefiles, &err);
	if (rc != 0 && asprintf(why, "cannot send the base files: %s",
	    err != NULL ? err : "interrupted") < 0)
		fatal("out of memory");
	free(err);
	sb_free(&files);
	argv_free(&x.hv);
	for (k = 0; k < 4; k++)
		sb_free(&x.sb[k]);
	return rc == 0 ? 0 : -1;
}

/*
 * Sets h up (exec.c's setup hook): the first master and the probe in one
 * ssh, then the other masters and the base files.
 */
static int
ssh_setup(struct host *h, char **why)
{
	struct sshhost *sh = h->priv;
	struct strbuf cmd = { 0 };
	struct argv av = { 0 };
	struct helper hp;
	const char *rs = opts.ntransfers > 0 || opts.nreturns > 0 ||
	    opts.nbasefiles > 0 ? "1" : "";
	int rc = 0;

	sb_add(&cmd, sx.setup.s, sx.setup.len);
	hex_arg(&cmd, sh->rdir != NULL ? sh->rdir : "",
	    sh->rdir != NULL ? strlen(sh->rdir) : 0);
	hex_arg(&cmd, sx.workdir, strlen(sx.workdir));
	hex_arg(&cmd, rs, strlen(rs));
	/* The CPUs count only when no N/ says how many jobs. */
	hex_arg(&cmd, "1", h->given > 0 ? 0 : 1);
	sb_adds(&cmd, " x");
	sb_add(&cmd, sx.whex.s, sx.whex.len);
	sb_add(&cmd, "", 0);
	memset(&hp, 0, sizeof(hp));
	hp.argv = ssh_argv(&av, h, 0, cmd.s);
	if (helper_run(&hp, 1, PROBE_TIMEOUT, 1) == -1)
		rc = -1;	/* parx stops: nothing to say */
	else if (hp.status == 127)
		*why = xstrdup("perl not found there (parx needs it)");
	else if (hp.status != 0)
		*why = helper_why(&hp);
	else if (setup_answer(h, hp.out.s != NULL ? hp.out.s : "", why) == 0)
		*why = NULL;
	helper_free(&hp);
	argv_free(&av);
	sb_free(&cmd);
	if (rc == -1 || *why != NULL)
		return -1;
	sh->nmasters = sh->nmasters < 1 ? 1 : sh->nmasters;
	open_masters(h);
	return opts.nbasefiles > 0 ? send_basefiles(h, why) : 0;
}

/* Expands the templates t (n of them) for j: NUL-separated into out. */
static int
expand_files(struct exec_ctx *x, struct tmpl **t, int n,
    const struct job *j, struct strbuf *out)
{
	int i, k = 0;

	out->len = 0;
	for (i = 0; i < n; i++) {
		tmpl_expand(t[i], j, j->slot, &x->tv);
		if (x->tv.v[0][0] == '\0')
			continue;
		sb_add(out, x->tv.v[0], strlen(x->tv.v[0]) + 1);
		k++;
	}
	return k;
}

/* Before the attempt: --transferfile. */
static int
ssh_before(struct exec_ctx *x, struct job *j, struct host *h)
{
	char *why = NULL;
	int n, rc;

	if (opts.ntransfers == 0 ||
	    (n = expand_files(x, sx.tf, opts.ntransfers, j, &x->sb[2])) == 0)
		return ATT_OK;
	rc = files_to(x, h, host_group(x, MUX_SESSIONS), &x->sb[2], n, &why);
	if (rc == 0)
		return ATT_OK;
	if (rc == -2)
		return ATT_STOP;
	if (rc == 255) {
		x->why = why;
		return ATT_HOST;
	}
	job_errorf(j, "job %llu: cannot send files to %s: %s", j->seq,
	    h->login, why);
	job_failed(j, 126);
	free(why);
	return ATT_FAIL;
}

/* run.c ends the job: the signal goes down the lifeline, which closes. */
static int
ssh_end(struct attempt *at, int sig)
{
	char buf[16];
	int n;

	if (at->fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", sig);
	(void)!write(at->fd, buf, (size_t)n);
	close(at->fd);
	at->fd = -1;
	return 0;
}

static void
blob_add(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s) + 1);
}

/* The attempt's command: ssh, and the wrapper there running the argv. */
static int
ssh_command(struct exec_ctx *x, struct job *j, struct host *h,
    struct attempt *at)
{
	const struct sshhost *sh = h->priv;
	struct strbuf *blob = &x->sb[0], *cmd = &x->sb[1];
	char num[64];
	int p[2], i;

	snprintf(x->id, sizeof(x->id), "%llu.%u", j->seq,
	    __atomic_add_fetch(&sx.ids, 1, __ATOMIC_RELAXED));
	blob->len = 0;
	blob_add(blob, sh->rwork);
	snprintf(num, sizeof(num), "%d", sx.nenv + 2);
	blob_add(blob, num);
	snprintf(num, sizeof(num), "PARX_SEQ=%llu", j->seq);
	blob_add(blob, num);
	snprintf(num, sizeof(num), "PARX_SLOT=%d", j->slot);
	blob_add(blob, num);
	for (i = 0; i < sx.nenv; i++)
		blob_add(blob, sx.env[i]);
	for (i = 0; at->argv[i] != NULL; i++)
		blob_add(blob, at->argv[i]);
	cmd->len = 0;
	sb_adds(cmd, "exec perl ");
	sb_adds(cmd, sh->rdir);
	sb_adds(cmd, "/w r ");
	sb_adds(cmd, x->id);
	hex_arg(cmd, blob->s, blob->len);
	if (cmd->len >= ARG_MAX1) {
		job_errorf(j, "job %llu: command too long for ssh (%zu bytes "
		    "encoded; at most %d)", j->seq, cmd->len, ARG_MAX1 - 1);
		job_failed(j, 126);
		return ATT_FAIL;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		job_errorf(j, "job %llu: cannot make a pipe: %s", j->seq,
		    strerror(errno));
		job_failed(j, 126);
		return ATT_FAIL;
	}
	at->argv = ssh_argv(&x->av, h, host_group(x, MUX_SESSIONS), cmd->s);
	at->fd_in = p[0];
	at->fd = p[1];
	at->end = ssh_end;
	return ATT_OK;
}

/* Runs cmd on h through a helper; its status, or -2 if parx stopped. */
static int
ssh_control(struct exec_ctx *x, const struct host *h, const char *cmd,
    struct helper *hp)
{
	memset(hp, 0, sizeof(*hp));
	hp->argv = ssh_argv(&x->hv, h, host_group(x, MUX_SESSIONS), cmd);
	if (helper_run(hp, 1, CONTROL_TIMEOUT, 1) == -1)
		return -2;
	return hp->status;
}

/*
 * ssh said 255: the job's status, or its host's failure?  The wrapper's
 * note says (see the top of this file).
 */
static int
ssh_status(struct exec_ctx *x, struct job *j, struct host *h)
{
	const struct sshhost *sh = h->priv;
	struct strbuf *cmd = &x->sb[1];
	struct helper hp;
	char line[512];
	int rc, sig, v = ATT_OK;

	exec_last_line(&j->sink[1].buf, line, sizeof(line));
	cmd->len = 0;
	sb_adds(cmd, "exec perl ");
	sb_adds(cmd, sh->rdir);
	sb_adds(cmd, "/w s ");
	sb_adds(cmd, x->id);
	rc = ssh_control(x, h, cmd->s, &hp);
	if (rc == -2)
		v = ATT_STOP;
	else if (rc == 0 && hp.out.s != NULL &&
	    sscanf(hp.out.s, "k %d", &sig) == 1 && sig > 0 && sig < NSIG) {
		j->status = -1;
		j->termsig = sig;
		j->failed = 1;
	} else if (rc != 0 || hp.out.s == NULL ||
	    strncmp(hp.out.s, "e 255", 5) != 0) {
		v = ATT_HOST;
		x->why = line[0] != '\0' ? xstrdup(line) : rc == 255 ?
		    helper_why(&hp) : xstrdup("the connection was lost");
	}
	helper_free(&hp);
	return v;
}

/*
 * After the job: --return.  A file that does not come back fails the
 * job (ATT_FAIL: nothing is cleaned up), the others still come; a host
 * that cannot be reached fails the host.
 */
static int
ssh_returns(struct exec_ctx *x, struct job *j, struct host *h)
{
	const struct sshhost *sh = h->priv;
	struct strbuf *src = &x->sb[1];
	const char *p;
	char *why = NULL;
	int i, n, rc, v = ATT_OK, failed = 0;

	n = expand_files(x, sx.rt, opts.nreturns, j, &x->sb[2]);
	for (p = x->sb[2].s, i = 0; i < n && v == ATT_OK;
	    i++, p += strlen(p) + 1) {
		src->len = 0;
		sb_adds(src, sh->rname);
		sb_addc(src, ':');
		if (p[0] != '/' && sh->rwork[0] != '\0') {
			sb_adds(src, sh->rwork);
			sb_adds(src, "/./");
		}
		sb_add(src, p, strlen(p) + 1);
		rc = rsync_run(x, h, host_group(x, MUX_SESSIONS), src, 1,
		    p[0] == '/' ? "/" : ".", &why);
		if (rc == -2)
			v = ATT_STOP;
		else if (rc == 255) {
			x->why = why;
			why = NULL;
			v = ATT_HOST;
		} else if (rc != 0) {
			job_errorf(j, "job %llu: cannot bring %s back from "
			    "%s: %s", j->seq, p, h->login, why);
			/* It ran: not job_failed, which says it did not. */
			if (j->status == 0 && j->termsig == 0)
				j->status = 255;
			j->failed = 1;
			failed = 1;
		}
		free(why);
		why = NULL;
	}
	return v == ATT_OK && failed ? ATT_FAIL : v;
}

/* After the job and its returns: --cleanup removes the files there. */
static void
ssh_cleanup(struct exec_ctx *x, struct job *j, struct host *h)
{
	const struct sshhost *sh = h->priv;
	struct strbuf *blob = &x->sb[0], *cmd = &x->sb[1];
	struct helper hp;
	const char *p;
	char *why;
	int i, n, rc;

	blob->len = 0;
	blob_add(blob, sh->rwork);
	n = expand_files(x, sx.tf, opts.ntransfers, j, &x->sb[2]);
	for (p = x->sb[2].s, i = 0; i < n; i++, p += strlen(p) + 1)
		blob_add(blob, remote_name(p));
	n = expand_files(x, sx.rt, opts.nreturns, j, &x->sb[2]);
	for (p = x->sb[2].s, i = 0; i < n; i++, p += strlen(p) + 1)
		blob_add(blob, p);
	cmd->len = 0;
	sb_adds(cmd, "exec perl ");
	sb_adds(cmd, sh->rdir);
	sb_adds(cmd, "/w c");
	hex_arg(cmd, blob->s, blob->len);
	if ((rc = ssh_control(x, h, cmd->s, &hp)) != 0 && rc != -2) {
		why = helper_why(&hp);
		job_errorf(j, "job %llu: cannot clean up on %s: %s", j->seq,
		    h->login, why);
		free(why);
	}
	helper_free(&hp);
}

/*
 * After the attempt: its lifeline goes; a 255 is judged; files come back
 * and go away.
 */
static int
ssh_after(struct exec_ctx *x, struct job *j, struct host *h,
    struct attempt *at)
{
	int v;

	close(at->fd_in);
	if (at->fd >= 0)
		close(at->fd);
	at->fd_in = at->fd = -1;
	if (j->interrupted)
		return ATT_OK;
	if (j->status == 255 && !j->timed_out &&
	    (v = ssh_status(x, j, h)) != ATT_OK)
		return v;
	if (opts.nreturns > 0 && (v = ssh_returns(x, j, h)) != ATT_OK)
		return v;
	if (opts.cleanup)
		ssh_cleanup(x, j, h);
	return ATT_OK;
}

/*
 * End of the run (main thread, no job running): parx's files there go
 * (with --cleanup, the base files too), then the masters close.
 */
static void
ssh_teardown(struct host *h)
{
	struct sshhost *sh = h->priv;
	struct strbuf cmd = { 0 }, blob = { 0 };
	struct helper *hp;
	struct argv *av;
	char ctl[PATH_MAX];
	int i, n = sh->nmasters, k;

	if (sh->rdir != NULL && h->state != H_DOWN) {
		/* Its name is plain (the set-up made it so): rm is quicker. */
		if (!opts.cleanup || opts.nbasefiles == 0) {
			sb_adds(&cmd, "exec rm -rf -- ");
			sb_adds(&cmd, sh->rdir);
		} else {
			blob_add(&blob, sh->rwork);
			for (i = 0; i < opts.nbasefiles; i++)
				blob_add(&blob,
				    remote_name(opts.basefiles[i]));
			sb_adds(&cmd, "exec perl ");
			sb_adds(&cmd, sh->rdir);
			sb_adds(&cmd, "/w x");
			hex_arg(&cmd, blob.s, blob.len);
		}
		hp = xcalloc(1, sizeof(*hp));
		av = xcalloc(1, sizeof(*av));
		hp->argv = ssh_argv(av, h, 0, cmd.s);
		helper_run(hp, 1, CONTROL_TIMEOUT, 0);
		helper_free(hp);
		argv_free(av);
		free(hp);
		free(av);
	}
	if (sx.dir != NULL && n > 0) {
		hp = xcalloc(n, sizeof(*hp));
		av = xcalloc(n, sizeof(*av));
		for (k = 0; k < n; k++) {
			argv_reset(&av[k]);
			for (i = 0; i < sx.nssh; i++)
				word(&av[k], sx.ssh[i]);
			ctl_path(ctl, sizeof(ctl), h, k);
			word(&av[k], "-S");
			word(&av[k], ctl);
			word(&av[k], "-O");
			word(&av[k], "exit");
			word(&av[k], sh->name);
			hp[k].argv = argv_finish(&av[k]);
		}
		helper_run(hp, n, CONTROL_TIMEOUT, 0);
		for (k = 0; k < n; k++) {
			helper_free(&hp[k]);
			argv_free(&av[k]);
		}
		free(hp);
		free(av);
	}
	sb_free(&cmd);
	sb_free(&blob);
	free(sh->user);
	free(sh->name);
	free(sh->port);
	free(sh->rname);
	free(sh->rdir);
	free(sh->rwork);
	for (i = 0; i < sh->nold; i++)
		free(sh->old[i]);
	free(sh->old);
	free(sh);
}

/* The very end: the private directory goes, with what is left in it. */
static void
ssh_finish(void)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;
	int i;

	if (sx.dir != NULL && (d = opendir(sx.dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", sx.dir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
		rmdir(sx.dir);
	}
	free(sx.dir);
	sx.dir = NULL;
	for (i = 0; i < sx.nssh; i++)
		free(sx.ssh[i]);
	free(sx.ssh);
	for (i = 0; i < sx.nenv; i++)
		free(sx.env[i]);
	free(sx.env);
	for (i = 0; sx.tf != NULL && i < opts.ntransfers; i++)
		tmpl_free(sx.tf[i]);
	for (i = 0; sx.rt != NULL && i < opts.nreturns; i++)
		tmpl_free(sx.rt[i]);
	free(sx.tf);
	free(sx.rt);
	free(sx.rsync);
	free(sx.work);
	sb_free(&sx.setup);
	sb_free(&sx.whex);
}

static const struct executor exec_ssh = {
	"ssh", 1, ssh_start, ssh_setup, ssh_before, ssh_command, ssh_after,
	ssh_teardown, ssh_finish
};
