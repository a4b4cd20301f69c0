# fish completion for parx-timeline(1).  The options follow the longopts[]
# table in src/parx-timeline.c; tests/docs.bats fails when one is missing.
# The job log, the one argument, completes as a file name.

complete -c parx-timeline -s o -l output -r -F \
    -d 'write the picture to FILE, - for standard output'
complete -c parx-timeline -l title -x -d 'the heading of the picture'
complete -c parx-timeline -s h -l help -d 'print the help and exit'
complete -c parx-timeline -s V -l version -d 'print the version and exit'
