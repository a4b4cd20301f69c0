# fish completion for parx(1).  The options follow the longopts[] table in
# src/options.c; tests/docs.bats fails when one is missing.

# Reads the command line up to the cursor and sets __parx_st to where the
# token being completed is:
#   options   before the command (a word here is the command)
#   script    after -c SCRIPT (only ::: or :::: may follow)
#   command   right after --
#   args      an argument of the command
#   items     after ::: (items, often file names)
#   files     after :::: (files of items)
# and __parx_ci to the index of the command word in (commandline -opc).
function __parx_scan
    set -l words (commandline -opc)
    set -l long_arg delimiter arg-file max-args max-lines max-chars colsep \
        header shell jobs max-procs timeout retries halt delay joblog \
        joblog-format timeline tmpdir tagstring results block block-size \
        recend recstart load memfree nice limit-mem limit-cpu limit-files \
        retry-delay retry-on sshlogin slf ssh env workdir transferfile tf \
        return trc basefile slurm-cpus slurm-opts slurm-dir slurm-chunk
    set -l long_all $long_arg null link xargs no-run-if-empty shuf plus \
        fail-fast dry-run verbose resume resume-failed retry-failed bar \
        summary no-summary group line-buffer lb ungroup keep-order tag help \
        version pipe pipe-part round-robin cat fifo cleanup slurm \
        slurm-submit slurm-keep
    set -l expect 0
    set -l ddash 0
    set -l script 0
    set -g __parx_st options
    set -g __parx_ci 0
    set -l i 1
    set -e words[1]
    for w in $words
        set i (math $i + 1)
        if test $__parx_st != options
            switch $w
                case ::: :::+
                    set __parx_st items
                case :::: ::::+
                    set __parx_st files
            end
            continue
        end
        if test $expect = 1
            set expect 0
            continue
        end
        if test $ddash = 1
            set __parx_st args
            set __parx_ci $i
            continue
        end
        switch $w
            case --
                set ddash 1
            case '--?*'
                set -l name (string replace -r -- '^--([^=]*).*' '$1' $w)
                set -l hit (string match -- $name $long_all)
                or set hit (string match -- "$name*" $long_all)
                test (count $hit) -eq 1; or continue
                test $hit = shell; and set script 1
                if contains -- $hit $long_arg; and not string match -q -- '*=*' $w
                    set expect 1
                end
            case '-?*'
                # A cluster such as -kj4: an option that takes an argument
                # ends it, and takes the next word when it is last.
                set -l chars (string split '' -- (string sub -s 2 -- $w))
                for k in (seq (count $chars))
                    if contains -- $chars[$k] a c d E I j L n N P s S
                        test $chars[$k] = c; and set script 1
                        test $k -eq (count $chars); and set expect 1
                        break
                    end
                end
            case ::: :::+
                set __parx_st items
                set __parx_ci $i
            case :::: ::::+
                set __parx_st files
                set __parx_ci $i
            case '*'
                set __parx_st args
                set __parx_ci $i
        end
    end
    if test $__parx_st = options
        if test $ddash = 1 -a $expect = 0
            set __parx_st command
        else if test $script = 1
            set __parx_st script
        end
    end
end

# True when the token being completed is in one of the states given.
function __parx_is
    __parx_scan
    contains -- $__parx_st $argv
end

# Completes the command's arguments the way that command completes them.
function __parx_complete_args
    set -l token (commandline -ct)
    if string match -q -- ':*' $token
        printf '%s\t%s\n' ::: 'items follow' :::: 'files of items follow'
        return
    end
    set -l words (commandline -opc)
    set -l sub (string escape -- $words[$__parx_ci..-1])
    complete -C "$sub $token"
end

function __parx_delimiters
    printf '%s\t%s\n' '\n' 'newline (the default)' '\t' TAB '\0' \
        'NUL byte, like -0' , comma : colon ';' semicolon '|' 'vertical bar'
end

function __parx_jobs
    set -l n (getconf _NPROCESSORS_ONLN 2>/dev/null)
    and printf '%s\t%s\n' $n 'the number of CPUs (the default)'
    printf '%s\n' 1 2 4 8
    printf '%s\t%s\n' 0 'as many as the limits allow' 50% 'half the CPUs' \
        +1 'one more than the CPUs' -1 'one less than the CPUs'
end

# What may follow the options.
complete -c parx -n '__parx_is options script command args' -f
complete -c parx -n '__parx_is options command' -a '(__fish_complete_command)'
complete -c parx -n '__parx_is script' -a ::: -d 'items follow'
complete -c parx -n '__parx_is script' -a :::: -d 'files of items follow'
complete -c parx -n '__parx_is args' -a '(__parx_complete_args)'
complete -c parx -n '__parx_is items files; and not string match -q -- ":*" (commandline -ct)' -F
complete -c parx -n '__parx_is items files; and string match -q -- ":*" (commandline -ct)' -f
complete -c parx -n '__parx_is items files' -a ::: -d 'items follow'
complete -c parx -n '__parx_is items files' -a :::: -d 'files of items follow'

# Input.
complete -c parx -n '__parx_is options script' -s 0 -l null \
    -d 'items are separated by NUL bytes'
complete -c parx -n '__parx_is options script' -s d -l delimiter -x \
    -a '(__parx_delimiters)' -d 'items are separated by byte C'
complete -c parx -n '__parx_is options script' -s a -l arg-file -r -F \
    -d 'read items from FILE'
complete -c parx -n '__parx_is options script' -l link \
    -d 'pair sources element by element'
complete -c parx -n '__parx_is options script' -s n -l max-args -x \
    -d 'put up to N items in each job'
complete -c parx -n '__parx_is options script' -s L -l max-lines -x \
    -d 'put N input lines in each job'
complete -c parx -n '__parx_is options script' -s X \
    -d 'as many items per job as fit, words with {} repeated'
complete -c parx -n '__parx_is options script' -s m -l xargs \
    -d 'as many items per job as fit'
complete -c parx -n '__parx_is options script' -s s -l max-chars -x \
    -d 'at most N bytes of command line per job'
complete -c parx -n '__parx_is options script' -s r -l no-run-if-empty \
    -d 'accepted: empty input runs nothing'
complete -c parx -n '__parx_is options script' -s E -x \
    -d 'stop reading at an item equal to STR'
complete -c parx -n '__parx_is options script' -l colsep -x \
    -d 'split items into columns at REGEX'
complete -c parx -n '__parx_is options script' -l header -x -a ': 1 2' \
    -d 'the first line names the columns (--pipe: N records atop each block)'
complete -c parx -n '__parx_is options script' -l shuf \
    -d 'run the jobs in random order'

# Blocks of data.
complete -c parx -n '__parx_is options script' -l pipe \
    -d "stdin is data: give blocks of it to the jobs' stdin"
complete -c parx -n '__parx_is options script' -l pipe-part \
    -d "give blocks of the -a FILE to the jobs' stdin"
complete -c parx -n '__parx_is options script' -l block -x \
    -a '1M 10M 100M 1G -1 -4' -d 'blocks of about SIZE bytes'
complete -c parx -n '__parx_is options script' -l block-size -x \
    -a '1M 10M 100M 1G -1 -4' -d 'blocks of about SIZE bytes'
complete -c parx -n '__parx_is options script' -s N -x \
    -d 'blocks of N records (without --pipe: as -n)'
complete -c parx -n '__parx_is options script' -l recend -x \
    -a '\\\\n \\\\0' -d 'records end with STR'
complete -c parx -n '__parx_is options script' -l recstart -x \
    -a '\\>' -d 'records start with STR'
complete -c parx -n '__parx_is options script' -l round-robin \
    -d 'start at most -j jobs, each takes block after block'
complete -c parx -n '__parx_is options script' -l cat \
    -d '{} is a file holding the block'
complete -c parx -n '__parx_is options script' -l fifo \
    -d '{} is a named pipe the block is written to'

# The command.
complete -c parx -n '__parx_is options script' -s I -x \
    -d 'use STR instead of {} in the command'
complete -c parx -n '__parx_is options script' -s i \
    -d 'use STR (attached) or {} instead of {}, as xargs'
complete -c parx -n '__parx_is options script' -l plus \
    -d 'accepted: the --plus replacement strings always work'
complete -c parx -n '__parx_is options script' -s c -l shell -x \
    -d 'run SCRIPT with /bin/sh -c'

# Running.
complete -c parx -n '__parx_is options script' -s j -l jobs -x \
    -a '(__parx_jobs)' -d 'run N jobs at once'
complete -c parx -n '__parx_is options script' -s P -l max-procs -x \
    -a '(__parx_jobs)' -d 'run N jobs at once'
complete -c parx -n '__parx_is options script' -l timeout -x \
    -a '100ms 500ms 1s 5s 30s 1m 5m 1h 200%' \
    -d 'kill a job running longer than D'

complete -c parx -n '__parx_is options script' -l retries -x \
    -d 'run a failed job up to N more times'
complete -c parx -n '__parx_is options script' -l halt -x \
    -a 'never soon,fail=1 now,fail=1 soon,success=1 now,success=1 soon,done=1 soon,fail=10% now,fail=10%' \
    -d 'when to stop early'
complete -c parx -n '__parx_is options script' -l fail-fast \
    -d 'same as --halt now,fail=1'
complete -c parx -n '__parx_is options script' -l delay -x \
    -a '100ms 500ms 1s 5s' -d 'wait D between starting two jobs'
complete -c parx -n '__parx_is options script' -l dry-run \
    -d 'print the commands, run nothing'
complete -c parx -n '__parx_is options script' -s t -l verbose \
    -d 'print each command to stderr as it starts'
complete -c parx -n '__parx_is options script' -l joblog -r -F \
    -d 'append a line per finished job to FILE'
complete -c parx -n '__parx_is options script' -l joblog-format -x \
    -a 'json\t"JSON lines" tsv\t"GNU parallel\'s format"' \
    -d 'format of the job log'
complete -c parx -n '__parx_is options script' -l resume \
    -d 'skip jobs the joblog shows as done'
complete -c parx -n '__parx_is options script' -l resume-failed \
    -d 'skip jobs the joblog shows as succeeded'
complete -c parx -n '__parx_is options script' -l retry-failed \
    -d 'run the failed jobs of the joblog again'
complete -c parx -n '__parx_is options script' -l bar \
    -d 'show progress on stderr'
complete -c parx -n '__parx_is options script' -l timeline -r -F \
    -d 'draw the run as an SVG timeline in FILE at the end'
complete -c parx -n '__parx_is options script' -l tmpdir -x \
    -a '(__fish_complete_directories)' -d 'keep spilled output in DIR'
complete -c parx -n '__parx_is options script' -l summary \
    -d 'list failed jobs at the end'
complete -c parx -n '__parx_is options script' -l no-summary \
    -d 'no list of failed jobs at the end'
complete -c parx -n '__parx_is options script' -l retry-delay -x \
    -a '100ms 1s 1s,1m 5s,5m' -d 'wait D before a retry, doubling up to MAX'
complete -c parx -n '__parx_is options script' -l retry-on -x \
    -a 'timeout signal nostart 1-255' -d 'retry only these outcomes'

# Resources.
complete -c parx -n '__parx_is options script' -l load -x \
    -d 'start jobs only below load N (or N% of the CPUs)'
complete -c parx -n '__parx_is options script' -l memfree -x \
    -a '256M 512M 1G 2G 4G' -d 'start jobs only while SIZE is free'
complete -c parx -n '__parx_is options script' -l nice -x \
    -a '5 10 19' -d 'run jobs at niceness N'
complete -c parx -n '__parx_is options script' -l limit-mem -x \
    -a '256M 512M 1G 2G 4G' -d 'limit each job process to SIZE of address space'
complete -c parx -n '__parx_is options script' -l limit-cpu -x \
    -a '1s 10s 1m 10m 1h' -d 'limit each job process to D of CPU time'
complete -c parx -n '__parx_is options script' -l limit-files -x \
    -a '64 256 1024 4096' -d 'limit each job process to N open files'

# Output.
complete -c parx -n '__parx_is options script' -l group \
    -d "print each job's output in one piece (default)"
complete -c parx -n '__parx_is options script' -l line-buffer \
    -d 'pass output on as it comes, in whole lines'
complete -c parx -n '__parx_is options script' -l lb \
    -d 'pass output on as it comes, in whole lines'
complete -c parx -n '__parx_is options script' -s u -l ungroup \
    -d 'let jobs write straight to the output'
complete -c parx -n '__parx_is options script' -s k -l keep-order \
    -d 'print results in input order'
complete -c parx -n '__parx_is options script' -l tag \
    -d "prefix output lines with the job's items"
complete -c parx -n '__parx_is options script' -l tagstring -x \
    -d 'prefix output lines with STR'
complete -c parx -n '__parx_is options script' -l results -r -F \
    -d 'keep outputs and statuses in DIR or FILE.jsonl, .csv, .tsv'

# Other machines.
complete -c parx -n '__parx_is options script' -s S -l sshlogin -x \
    -a '(__fish_print_hostnames) :' -d 'run the jobs on these hosts over ssh'
complete -c parx -n '__parx_is options script' -l slf -r -F \
    -d 'read the hosts from FILE'
complete -c parx -n '__parx_is options script' -l ssh -x \
    -a '(__fish_complete_command)' -d 'use CMD instead of ssh'
complete -c parx -n '__parx_is options script' -l env -x \
    -a '(set -n)' -d 'give the jobs on hosts the variable VAR'
complete -c parx -n '__parx_is options script' -l workdir -x \
    -a '(__fish_complete_directories) ...' -d 'run the jobs on hosts in DIR'
complete -c parx -n '__parx_is options script' -l transferfile -r -F \
    -d 'copy FILE to the host before each job'
complete -c parx -n '__parx_is options script' -l tf -r -F \
    -d 'copy FILE to the host before each job'
complete -c parx -n '__parx_is options script' -l return -r -F \
    -d 'copy FILE back from the host after each job'
complete -c parx -n '__parx_is options script' -l cleanup \
    -d 'remove the copied files on the host after each job'
complete -c parx -n '__parx_is options script' -l trc -r -F \
    -d 'same as --tf {} --return FILE --cleanup'
complete -c parx -n '__parx_is options script' -l basefile -r -F \
    -d 'copy FILE to every host once'

# Slurm.
complete -c parx -n '__parx_is options script' -l slurm \
    -d 'run each job as a Slurm job step (under salloc/sbatch)'
complete -c parx -n '__parx_is options script' -l slurm-submit \
    -d 'run the jobs as one Slurm array job (login node)'
complete -c parx -n '__parx_is options script' -l slurm-cpus -x \
    -d 'CPUs for each step or array task'
complete -c parx -n '__parx_is options script' -l slurm-opts -x \
    -d 'options for sbatch'
complete -c parx -n '__parx_is options script' -l slurm-dir -x \
    -a '(__fish_complete_directories)' -d 'make the run directory in DIR'
complete -c parx -n '__parx_is options script' -l slurm-chunk -x \
    -d 'put N jobs in each array task'
complete -c parx -n '__parx_is options script' -l slurm-keep \
    -d 'keep the run directory'

complete -c parx -n '__parx_is options script' -s h -l help \
    -d 'print the help and exit'
complete -c parx -n '__parx_is options script' -s V -l version \
    -d 'print the version and exit'
