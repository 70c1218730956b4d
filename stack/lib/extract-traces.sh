#!/usr/bin/env bash
# Print the ACA-Py trace events found in agent logs as NDJSON (one plain event
# object per line, the JSON text exactly as ACA-Py wrote it), for --trace-to
# log. ACA-Py writes each event as
#   <date> <time>,<ms> <logger> INFO  <tag> <json>
# usage: stack/lib/extract-traces.sh [--tag TAG] LOG...
set -euo pipefail
tag=acapy.events
if [[ "${1:-}" == --tag ]]; then
	tag="$2"
	shift 2
fi
(($#)) || { echo "usage: $0 [--tag TAG] LOG..." >&2; exit 2; }
etag="$(printf '%s' "$tag" | sed 's/[][\.*^$/]/\\&/g')"
sed -n "s/^.* INFO  $etag \\({.*}\\)\$/\\1/p" "$@"
