#!/usr/bin/env bats
# Replacement strings: {} {.} {/} {//} {/.} {#} {%}, their {N...} forms,
# -I STR, brace groups that are not replacement strings (SPEC 4, 13.6).

load helpers

@test "the table of SPEC 4 for dir/sub/file.tar.gz" {
	run -0 --separate-stderr parx -k args {} {.} {/} {//} {/.} \
	    ::: dir/sub/file.tar.gz
	expect 'dir/sub/file.tar.gz|dir/sub/file.tar|file.tar.gz|dir/sub|file.tar'
	expect_err
}

@test "ordinary paths, as GNU parallel gives them" {
	run -0 --separate-stderr parx -k args {} {.} {/} {//} {/.} \
	    ::: /usr/lib/x.so a/b.c dir.d/file /usr a//b
	expect '/usr/lib/x.so|/usr/lib/x|x.so|/usr/lib|x' \
	    'a/b.c|a/b|b.c|a|b' \
	    'dir.d/file|dir.d/file|file|dir.d|file' \
	    '/usr|/usr|usr|/|usr' \
	    'a//b|a//b|b|a|b'
}

@test "{/} and {//} follow POSIX basename and dirname: trailing slashes" {
	run -0 --separate-stderr parx -k args {/} {//} {/.} ::: a/b/ usr/ a/b.c//
	expect 'b|a|b' 'usr|.|usr' 'b.c|a|b'
}

@test "{/} and {//} of / are /" {
	run -0 --separate-stderr parx -k args {/} {//} ::: / ///
	expect '/|/' '/|/'
}

@test "{//} of a name without a slash is ." {
	run -0 --separate-stderr parx -k args {//} {/} {.} ::: file file.c
	expect '.|file|file' '.|file.c|file'
}

@test "a leading dot is not an extension" {
	run -0 --separate-stderr parx -k args {.} {/.} \
	    ::: .bashrc dir/.bashrc dir/.bashrc.bak .a.b
	expect '.bashrc|.bashrc' 'dir/.bashrc|.bashrc' \
	    'dir/.bashrc|.bashrc' '.a|.a'
}

@test "{.} removes only the last extension, of the basename only" {
	run -0 --separate-stderr parx -k args {.} {/.} ::: a.b.c x.y/z
	expect 'a.b|a.b' 'x.y/z|z'
}

@test "replacement strings inside larger words" {
	run -0 --separate-stderr parx -k args pre{/.}.out {//}/new-{/} \
	    '#{#}#' ::: d/f.txt
	expect 'pref.out|d/new-f.txt|#1#'
}

@test "{N} forms pick item N of several sources" {
	run -0 --separate-stderr parx -k \
	    args {1} {2} {1.} {2/} {1//} {2/.} {2//} \
	    ::: dir/a.tar.gz ::: x/y.z
	expect 'dir/a.tar.gz|x/y.z|dir/a.tar|y.z|dir|y|x'
}

@test "{N} forms pick item N of a job under -n" {
	run -0 --separate-stderr parx -k -n 3 args {3/} {2.} {1//} {3/.} \
	    ::: a/b.c d/e.f g/h.i
	expect 'h.i|d/e|a|h'
}

@test "a whole-word {} is one word per item; embedded {} joins with spaces" {
	run -0 --separate-stderr parx -k args {} x{}y ::: a 'b c' ::: 1
	expect 'a|1|xa 1y' 'b c|1|xb c 1y'
}

@test "{} repeated, and next to other replacement strings" {
	run -0 --separate-stderr parx -k args {}{} {}{#} {.}{/} ::: a.b
	expect 'a.ba.b|a.b1|aa.b'
}

@test "{#} is the sequence number in input order" {
	run -0 --separate-stderr parx -k -j3 args {#} {} ::: a b c d
	expect '1|a' '2|b' '3|c' '4|d'
	seq 5 >in
	run -0 --separate-stderr parx -k -n 2 args {#} <in
	expect 1 2 3
}

@test "{#} counts from 1 again in a new run (it is deterministic)" {
	printf 'x\ny\n' >in
	run -0 --separate-stderr parx -k -j2 args {#} <in
	expect 1 2
	run -0 --separate-stderr parx -k -j2 args {#} <in
	expect 1 2
}

@test "{%} with -j1 is always 1" {
	run -0 --separate-stderr parx -k -j1 args {%} ::: a b c
	expect 1 1 1
}

@test "{%} is within 1..N and never shared by two running jobs" {
	mkdir slots
	# A job holds its slot's directory while it runs: mkdir fails if a
	# running job already has it.
	seq 24 >in
	run -0 --separate-stderr parx -j4 -c '
	    mkdir slots/{%} || { echo "slot {%} taken"; exit 1; }
	    sleep 0.02
	    rmdir slots/{%}
	    echo {%}' <in
	same 24 "${#lines[@]}" "number of jobs"
	bad=$(printf '%s\n' "${lines[@]}" | grep -vx '[1-4]' || true)
	same "" "$bad" "slots outside 1..4"
}

@test "-I STR stands for {}" {
	run -0 --separate-stderr parx -k -I XX args XX pre-XX-post ::: a 'b c'
	expect 'a|pre-a-post' 'b c|pre-b c-post'
	run -0 --separate-stderr parx -k -I % args x%y ::: a
	expect 'xay'
}

@test "-I STR replaces only {}: {} is plain text then, {.} {#} still work" {
	run -0 --separate-stderr parx -k -I XX args {} XX {.} {#} {/} ::: d/a.b
	expect '{}|d/a.b|d/a|1|a.b'
}

@test "-I STR: items are appended only when no replacement string occurs" {
	run -0 --separate-stderr parx -k -I XX args foo ::: a
	expect 'foo|a'
	run -0 --separate-stderr parx -k -I XX args {#} ::: a
	expect '1'
	run -0 --separate-stderr parx -k -I XX args {} ::: a
	expect '{}|a'
}

@test "-I STR with stdin and -c" {
	printf 'a b\n' >in
	run -0 --separate-stderr parx -k -I @@ -c 'args @@ x@@' <in
	expect 'a b|xa b'
}

@test "brace groups that are not replacement strings are left as they are" {
	run -0 --separate-stderr parx -k \
	    args '{print $1}' '{x}' '{' '}' '{{}}' '{ }' '{/x}' '{1a}' ::: a
	expect '{print $1}|{x}|{|}|{a}|{ }|{/x}|{1a}'
}

@test "a template of only unknown brace groups still gets the items appended" {
	run -0 --separate-stderr parx -k args '{x}' ::: a
	expect '{x}|a'
}

@test "-c: unknown brace groups reach the shell untouched" {
	run -0 --separate-stderr parx -k -c 'f() { echo "f:$1"; }; f {}' ::: a
	expect 'f:a'
}
