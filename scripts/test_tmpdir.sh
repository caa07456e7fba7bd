#!/usr/bin/env bash
# Prints where the test run keeps its temporary files: a folder on a RAM-backed tmpfs (/dev/shm)
# when there is one with room, else nothing (the system's temporary folder is used).
# The deploy tests create and delete tens of thousands of files (venvs, Zappa's package copies,
# unpacked zips): on tmpfs that takes a fraction of the time it takes on a disk. Docker gives
# containers a 64 MB /dev/shm, too small: the threshold leaves them on disk.
set -euo pipefail
shm=/dev/shm
need_kib=$((3 * 1024 * 1024))
[ -d "$shm" ] && [ -w "$shm" ] || exit 0
[ "$(stat -f -c %T "$shm" 2>/dev/null)" = tmpfs ] || exit 0
avail_kib="$(df -Pk "$shm" | awk 'NR == 2 {print $4}')"
[ "${avail_kib:-0}" -ge "$need_kib" ] || exit 0
dir="$shm/writing-sessions-tests-$(id -u)"
mkdir -p "$dir" && chmod 700 "$dir" && echo "$dir"
