#!/usr/bin/env bash
# no_shell.sh - no program of vs ever runs a shell or another program:
# neither the sources (common/, worker/, producer/, broker/) nor the
# built programs (their dynamic imports) use system(), popen(), exec*(),
# posix_spawn() or fork(). Job paths and names come from a shared broker;
# nothing of them may ever reach a command line.
set -euo pipefail
: "${VS_BIN:?}" "${VS_SRC:?}"
calls='system|popen|execl|execlp|execle|execv|execvp|execvpe|posix_spawn|posix_spawnp|fork|vfork'
found=$(cd "$VS_SRC" && grep -rnE "\b($calls)[[:space:]]*\(" common worker producer broker \
        --include='*.c' --include='*.h' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)
[[ -z $found ]] || { echo "FAIL (no_shell): in the sources:"$'\n'"$found" >&2; exit 1; }
for p in vs-worker vs-produce vs-broker; do
    [[ -x $VS_BIN/$p ]] || { echo "FAIL (no_shell): no $VS_BIN/$p" >&2; exit 1; }
    imp=$(nm -D --undefined-only "$VS_BIN/$p" | awk '{ print $NF }' | sed 's/@.*//' |
          grep -xE "$calls" || true)
    [[ -z $imp ]] || { echo "FAIL (no_shell): $p imports $imp" >&2; exit 1; }
done
echo "ok: no shell, no exec, no fork in the sources or the programs"
