#!/bin/sh
# The command every peer runs while it believes it holds the lock (bench/failover.ts).
# usage: worker.sh WHO MARKERS ALIVE_FILE
#
# It appends one line, "<unix ns> started <WHO> <pid> <exclusive|overlap>", then sleeps until killed.
# Each worker holds a shared flock on ALIVE_FILE for as long as its process lives; the kernel drops it at
# death, however the process dies. A worker that cannot take the lock exclusively at start therefore knows
# another worker of the same trial is still alive: an overlap.
now=$(date +%s%N)
exec 9>>"$3"
if flock -n -x 9; then alone=exclusive; else alone=overlap; fi
flock -s 9
echo "$now started $1 $$ $alone" >>"$2"
exec sleep infinity
