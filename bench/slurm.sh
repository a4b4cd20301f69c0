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
# in rounds (BENCH_ROUNDS, 3); a figure is the median over the rounds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
PARX=${PARX:-$root/parx}
[ -x "$PARX" ] || { echo "slurm.sh: $PARX: no parx binary" >&2; exit 1; }
N=${BENCH_SLURM_STEPS:-200}
M=${BENCH_SLURM_ARRAY:-1000}
rounds=${BENCH_ROUNDS:-3}

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
	steps_round
	array_round
done >"$dir/raw"

say "parx $("$PARX" --version | cut -d' ' -f2), $(srun --version), " \
    "$(nproc) CPUs, $rounds rounds, medians"
for k in floor-1 parx-1 floor-4 parx-4; do
	eval "t_${k%%-*}_${k##*-}=$(awk -v k=$k '$1 == k { print $2 }' \
	    "$dir/raw" | median)"
done
for k in packed per-job bare; do
	eval "t_${k//-/_}=$(awk -v k=$k '$1 == k { print $2 }' "$dir/raw" |
	    median)"
done
say "--slurm, $N steps of true:"
say "  one at a time: srun loop ${t_floor_1}s, parx ${t_parx_1}s," \
    "ratio $(echo "scale=3; $t_parx_1 / $t_floor_1" | bc)"
say "  four at a time: srun loops ${t_floor_4}s, parx ${t_parx_4}s," \
    "ratio $(echo "scale=3; $t_parx_4 / $t_floor_4" | bc)"
say "--slurm-submit, $M jobs of true:"
say "  100 per task ${t_packed}s; one task per job: parx ${t_per_job}s" \
    "($(echo "scale=1; $t_per_job / $t_packed" | bc)x slower)," \
    "bare sbatch array ${t_bare}s ($(echo "scale=1; $t_bare / \
    $t_packed" | bc)x slower)"
