#!/usr/bin/env bash
# bad_sidecar.sh - vs-produce --dry-run refuses a malformed sidecar (SPEC
# §2): not JSON, version 2, overlapping or reversed intervals, no
# analyzed_duration. Each must give a non-zero exit, no job on stdout, and
# one line on stderr naming the sidecar (and, for a bad interval, its
# index), whether the sidecar is found in the folder or given by --vad-json.
. "$(dirname "$0")/lib.sh"

for sc in "$FIX"/bad/sidecars/*.vad.json; do
    name=$(basename "$sc" .vad.json)
    for how in folder option; do
        dir=$TMP/$name-$how
        mkdir -p "$dir"
        ln -s "$FIX/angles/angle1.mp4" "$dir/angle1.mp4"
        args=(--folder "$dir" -o "$TMP/out-$name-$how" --dry-run)
        if [[ $how == folder ]]; then
            cp "$sc" "$dir/"
        else
            cp "$sc" "$TMP/"
            args+=(--vad-json "$TMP/$name.vad.json")
        fi
        rc=0
        "$VS_BIN/vs-produce" "${args[@]}" >"$TMP/out" 2>"$TMP/err" || rc=$?
        ((rc != 0)) || fail "$name ($how): vs-produce exited 0"
        [[ ! -s $TMP/out ]] || fail "$name ($how): vs-produce printed on stdout: $(head -c 200 "$TMP/out")"
        lines=$(wc -l <"$TMP/err")
        [[ $lines == 1 ]] || { cat "$TMP/err" >&2; fail "$name ($how): $lines lines on stderr, expected 1"; }
        grep -qF "$name.vad.json" "$TMP/err" || { cat "$TMP/err" >&2; fail "$name ($how): the reason does not name the sidecar"; }
        case $name in
        overlap | reversed)
            grep -Eq '\[1\]|interval #?1\b|index 1\b' "$TMP/err" ||
                { cat "$TMP/err" >&2; fail "$name ($how): the reason does not name interval 1"; } ;;
        esac
        note "$name ($how): exit $rc: $(cat "$TMP/err")"
    done
done
