#!/usr/bin/env bash
# slurm.sh - jobs on a Slurm cluster: parx --slurm against a bare srun
# loop in the same allocation, and parx --slurm-submit against one array
# task per job.  Run by `make bench-slurm` (as root); see bench/README.md.
#
# A single-node cluster of tests/slurm-cluster.sh (4 CPUs) on 127.0.0.1.
#   steps     in `salloc -n4`, N jobs of `true` (BENCH_SLURM_STEPS, 200):
#             floor-1   a shell loop of `srun --exact -n1 -N1 -c1 -Q -Q
#                       --input=none true`, one at a time
#             parx-1    seq N | parx --slurm -j1 true
#             floor-4   four such loops at once, N/4 each
#             parx-4    seq N | parx --slurm true (4 slots)
#   array     from outside, M jobs of `true` (BENCH_SLURM_ARRAY, 1000):
#             packed    seq M | parx --slurm-submit true (100 per task)
#             per-job   seq M | parx --slurm-submit --slurm-chunk 1 true
#             bare      sbatch --wait --array=0-(M-1) --wrap true (Slurm
#                       alone, one task per job, nothing collected)
# in rounds (BENCH_ROUNDS, 3); a time is the median over the rounds, a
# ratio the median of the ratios within each round.  BENCH_SLURM_PART=steps
# or array runs one part only (one task per job takes about 11 minutes for
# 1,000 jobs here: Slurm starts the tasks of an array a few at a time).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
PARX=${PARX:-$root/parx}
[ -x "$PARX" ] || { echo "slurm.sh: $PARX: no parx binary" >&2; exit 1; }
N=${BENCH_SLURM_STEPS:-200}
M=${BENCH_SLURM_ARRAY:-1000}
rounds=${BENCH_ROUNDS:-3}
part=${BENCH_SLURM_PART:-all}

dir=$(mktemp -d /tmp/parx-bench-slurm.XXXXXX)
cleanup()
{
	"$root/tests/slurm-cluster.sh" stop "$dir" || :
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$root/tests/slurm-cluster.sh" start "$dir" 4
# A copy: a rebuild while this runs must not change what is measured.
cp "$PARX" "$dir/parx"
PARX=$dir/parx
SLURM_CONF=$dir/slurm.conf
export SLURM_CONF PARX N
mkdir -p "$here/results" "$dir/work"
out=$here/results/slurm.txt
: >"$out"
cd "$dir/work"

# secs CMD...: the wall-clock seconds CMD takes.
secs()
{
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}

median()
{
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

say()
{
	printf '%s\n' "$*" | tee -a "$out"
}

# The steps part runs inside one allocation, timed there.
steps_round()
{
	salloc -n4 --quiet bash -c '
	secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null
	    t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
	loop() { for i in $(seq "$1"); do srun --exact -n1 -N1 -c1 -Q -Q \
	    --input=none true; done; }
	four() { for k in 1 2 3 4; do loop $((N / 4)) & done; wait; }
	echo floor-1 $(secs loop "$N")
	echo parx-1 $(secs sh -c "seq $N | \"$PARX\" --slurm -j1 true")
	echo floor-4 $(secs four)
	echo parx-4 $(secs sh -c "seq $N | \"$PARX\" --slurm true")
	'
}

array_round()
{
	echo packed "$(secs sh -c "seq $M | '$PARX' --slurm-submit true")"
	echo per-job "$(secs sh -c \
	    "seq $M | '$PARX' --slurm-submit --slurm-chunk 1 true")"
	echo bare "$(secs sbatch --wait --quiet --array=0-$((M - 1)) \
	    -o /dev/null --wrap true)"
}

for r in $(seq "$rounds"); do
	[ "$part" = array ] || steps_round
	[ "$part" = steps ] || array_round
done >"$dir/raw"

say "parx $("$PARX" --version | cut -d' ' -f2), $(srun --version)," \
    "$(nproc) CPUs, $rounds rounds"
# med KEY: the median time of KEY; ratio A B: the median of A/B by round.
med()
{
	awk -v k="$1" '$1 == k { print $2 }' "$dir/raw" | median
}
ratio()
{
	paste <(awk -v k="$1" '$1 == k { print $2 }' "$dir/raw") \
	    <(awk -v k="$2" '$1 == k { print $2 }' "$dir/raw") |
	    awk '{ printf "%.3f\n", $1 / $2 }' | median
}
if [ "$part" != array ]; then
	say "--slurm, $N steps of true:"
	say "  one at a time: srun loop $(med floor-1)s, parx $(med parx-1)s," \
	    "ratio $(ratio parx-1 floor-1)"
	say "  four at a time: srun loops $(med floor-4)s, parx" \
	    "$(med parx-4)s, ratio $(ratio parx-4 floor-4)"
fi
if [ "$part" != steps ]; then
	say "--slurm-submit, $M jobs of true:"
	say "  100 per task $(med packed)s; one task per job: parx" \
	    "$(med per-job)s ($(ratio per-job packed)x the time), bare" \
	    "sbatch array $(med bare)s ($(ratio bare packed)x)"
fi
