#!/usr/bin/env bash
# The collector's fault matrix: `medload collect --es` between agents (a
# bounded POSTing client, tests/tools/ackcount.py) and a real OpenSearch
# and Elasticsearch, through the faults a spool must survive: the engine
# SIGKILLed mid-flush, the engine down when the collector starts, 429
# answers, 429 on every _bulk item (a write block), slow answers, SIGTERM
# while a _bulk hangs, a full disk under the spool, and ten SIGKILLs of
# the collector restarted on the same spool. In every case each event
# answered 200 must be indexed exactly once (document ids are digests of
# the stored line) and the index must hold exactly what the spool holds.
# OpenSearch gets every case; Elasticsearch the ones where the engine
# itself answers (the outage, the write block, the SIGKILLs), the others
# being the collector's own. Prints the table of README.md's Reliability.
# env: MEDLOAD_FAULT_ENGINES (default "opensearch elasticsearch"),
#      MEDLOAD_FAULT_CASES (default: the cases above, by name).
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="${MEDLOAD:-$MEDLOAD_REPO/medload}"
T=$(mktemp -d)
ack="$MEDLOAD_REPO/tests/tools/ackcount.py"
src="$MEDLOAD_REPO/tests/data/acapy-1.7.0-traces.ndjson"
run="medload-traces-faults$$"
all_cases="outage 429 blocked slow stop full kill9"
es_cases="outage blocked kill9"
engine="" es="" idx="" W="" cpid="" kpid="" curl_c="" mnt="" failed=0 bad="" ncases=0
pids=() engines_used=()
cleanup() {
	set +e
	for p in $cpid $kpid; do kill -9 "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[[ -n "$mnt" ]] && umount "$mnt" 2>/dev/null
	for e in "${engines_used[@]}"; do
		local u
		u="$("$STACK/$e" url)"
		# Leave the engine running for the next tests.
		curl -s -o /dev/null "$u" || "$STACK/$e" start >/dev/null 2>&1
		curl -s -XDELETE "$u/$run-*" >/dev/null
		curl -s "$u/_index_template" | jq -r '.index_templates[].name' |
			grep "^medload-$run-" | while read -r t; do
			curl -s -XDELETE "$u/_index_template/$t" >/dev/null
		done
	done
	rm -rf "$T"
}
trap cleanup EXIT
freeport() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# collector CASE SPOOL URL [ARGS]: starts `medload collect` forwarding
# SPOOL to URL, index $idx-CASE; sets cpid and curl_c (its URL).
collector() {
	local name=$1 spool=$2 url=$3 port
	shift 3
	port=$(freeport)
	"$M" collect --listen "127.0.0.1:$port" -o "$spool" --es "$url" \
		--index "$idx-$name" --drain 2s "$@" 2>>"$W/$name.err" &
	cpid=$!
	curl_c="http://127.0.0.1:$port"
	waitfor 10 curl -sf -o /dev/null "$curl_c/_status" ||
		fail "$engine $name: the collector did not start: $(tail -3 "$W/$name.err")"
}
pending() { curl -s --max-time 2 "$curl_c/_status" | jq -e '.pending_bytes == 0' >/dev/null; }
# drain CASE: waits (60 s at most) until the spool is forwarded, stops
# the collector.
drain() {
	local t0=$SECONDS
	waitfor 60 pending || note "$1: $(curl -s "$curl_c/_status" | jq .pending_bytes) bytes still pending after 60 s"
	note "$engine $1: forwarded $((SECONDS - t0)) s after the last fault"
	kill -TERM "$cpid"
	wait "$cpid" || note "$engine $1: the collector exited with $?"
	cpid=""
}
# proxy NAME ARGS: the fault proxy in front of the engine; sets purl.
proxy() {
	local name=$1 port
	shift
	port=$(freeport)
	python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$es" --port "$port" \
		--log "$W/$name.proxy" --lifetime 200 "$@" >"$W/$name.pout" 2>&1 &
	pids+=($!)
	purl="http://127.0.0.1:$port"
	waitfor 10 grep -qs ready "$W/$name.pout" || fail "$engine $name: the proxy did not start"
}
unproxy() { kill "${pids[-1]}"; unset 'pids[-1]'; }
# post CASE N [ARGS]: N events from 4 agents to the collector at curl_c;
# the acknowledged ids go to a new CASE.acked.K file, the client's
# summary line to CASE.posts.
post() {
	local name=$1 n=$2 k
	shift 2
	k=$(find "$W" -name "$name.acked.*" | wc -l)
	python3 "$ack" post --url "$curl_c/acapy.events" --count "$n" --prefix "$idx-$name-$k-" \
		--acked "$W/$name.acked.$k" --source "$src" --deadline 60 "$@" >>"$W/$name.posts"
}
engine_kill() {
	kill -9 "$(cat "${MEDLOAD_STACK_DIR:-$MEDLOAD_REPO/.stack}/$engine/$engine.pid")"
	while curl -s -o /dev/null --max-time 1 "$es"; do sleep 0.2; done
}
engine_start() {
	"$STACK/$engine" start >>"$W/engine.log" 2>&1 ||
		fail "$engine did not restart: $(tail -3 "$W/engine.log")"
}

# verdict CASE FAULT [UNACKED_OK]: counts acknowledged against indexed
# events and adds a row to the table. Documents never acknowledged
# (stored, then the answer died with the collector) are allowed with
# UNACKED_OK only. A case sets bad to a reason when it failed otherwise.
verdict() {
	local name=$1 fault=$2 ok=${3:-} r refused pass=PASS
	r=$(python3 "$ack" check --es "$es" --index "$idx-$name" --prefix "$idx-$name-" \
		--spool "$W/$name/spool.ndjson" --acked "$W/$name".acked.*) ||
		fail "$engine $name: check failed"
	refused=$(jq -s '[.[].other | to_entries[].value] | add // 0' "$W/$name.posts")
	jq -e --arg ok "$ok" '.acked > 0 and .lost == 0 and .duplicates == 0 and
		.strangers == 0 and .unreadable == 0 and
		($ok != "" or (.unacked == 0 and .docs == .acked))' <<<"$r" >/dev/null || pass=FAIL
	[[ -z "$bad" ]] || { pass=FAIL; note "$engine $name: $bad"; }
	bad=""
	[[ $pass == PASS ]] || failed=$((failed + 1))
	ncases=$((ncases + 1))
	jq -r --arg e "$engine" --arg c "$name" --arg f "$fault" --arg p "$pass" \
		--argjson x "$refused" --arg s "$((SECONDS - start_at))" \
		'"| \($e) | \($c) | \($f) | \(.acked) | \($x) | \(.docs) | \(.lost) | \(.duplicates) | \(.unacked) | \($s) s | \($p) |"' \
		<<<"$r" >>"$T/table"
	note "$engine $name: $r"
}
begin() { start_at=$SECONDS; mkdir -p "$W/$1"; }
# spool_readable FILE: medload analyze refuses no line of the spool.
spool_readable() {
	"$M" analyze --format json "$1" 2>/dev/null | jq -e '.events.rejected == 0' >/dev/null ||
		bad="analyze rejects lines of the spool"
}

# 1. The engine is SIGKILLed while a spool is being flushed (600 events
# in about 20 small batches, slowed to 0.2 s each by the proxy); while it is
# down a second collector starts and takes 300 events; the engine comes
# back. Two rows: killed (the first collector) and down (the second).
case_outage() {
	begin killed
	proxy killed --match 'POST /_bulk' --delay 0.2
	collector killed "$W/killed/spool.ndjson" "$purl" --batch-bytes 25000
	local kurl=$curl_c
	kpid=$cpid
	post killed 600
	waitfor 30 bash -c "[[ \$(grep -c '_bulk[^ ]* -> 200' '$W/killed.proxy') -ge 3 ]]" ||
		fail "$engine killed: the flush did not start (proxy: $(tail -n 3 "$W/killed.proxy" 2>/dev/null | tr '\n' ' '); collector: $(tail -n 3 "$W/killed.err" | tr '\n' ' '); status: $(curl -s --max-time 2 "$kurl/_status" | head -c 600))"
	engine_kill
	mkdir -p "$W/down"
	collector down "$W/down/spool.ndjson" "$es"
	post down 300
	sleep 1
	engine_start
	drain down
	cpid=$kpid curl_c=$kurl kpid=""
	drain killed
	unproxy
	verdict killed "$engine SIGKILLed mid-flush, restarted"
	verdict down "$engine down when the collector starts, up 1 s after the events"
}

# 2. The first six _bulk requests get 429 with Retry-After: 1: more than
# one request's retries, so the forwarder's own retry is needed too.
case_429() {
	begin 429
	proxy 429 --match 'POST /_bulk' --fail-first 6 --status 429 --retry-after 1
	collector 429 "$W/429/spool.ndjson" "$purl" --batch-bytes 50000
	post 429 300
	drain 429
	unproxy
	verdict 429 "six _bulk answers 429 (Retry-After: 1)"
}

# 3. The index refuses writes for 3 s (the block a full disk puts on it):
# _bulk answers 200 with a 429 for every item.
case_blocked() {
	begin blocked
	collector blocked "$W/blocked/spool.ndjson" "$es"
	post blocked 20
	waitfor 30 pending || fail "$engine blocked: the first events were not forwarded"
	curl -s -XPUT -H 'Content-Type: application/json' "$es/$idx-blocked/_settings" \
		-d '{"index.blocks.read_only_allow_delete": true}' >/dev/null
	post blocked 280
	sleep 3
	curl -s "$curl_c/_status" | jq -e '.forward_error | test("refused for now")' >/dev/null ||
		bad="/_status does not say why forwarding waits: $(curl -s "$curl_c/_status")"
	curl -s -XPUT -H 'Content-Type: application/json' "$es/$idx-blocked/_settings" \
		-d '{"index.blocks.read_only_allow_delete": null}' >/dev/null
	drain blocked
	verdict blocked "index write block for 3 s: 429 on each _bulk item"
}

# 4. Slow answers: every _bulk waits 1 s at the proxy; the agents' POSTs
# must not wait for it.
case_slow() {
	begin slow
	proxy slow --match 'POST /_bulk' --delay 1
	collector slow "$W/slow/spool.ndjson" "$purl" --batch-bytes 50000
	post slow 300
	drain slow
	unproxy
	local slowest
	slowest=$(jq -s 'map(.slowest_ms) | max' "$W/slow.posts")
	((slowest < 1000)) || bad="an agent waited $slowest ms"
	verdict slow "every _bulk answered 1 s late (slowest agent POST: $slowest ms)"
}

# 5. SIGTERM while a _bulk hangs (20 s at the proxy): the collector exits
# once --drain (2 s) is over, and a new one on the same spool, straight to
# the engine, sends the rest (the hung request lands later: same ids).
case_stop() {
	begin stop
	proxy stop --match 'POST /_bulk' --delay 20
	collector stop "$W/stop/spool.ndjson" "$purl"
	post stop 300
	sleep 1
	local t0=$SECONDS took
	kill -TERM "$cpid"
	wait "$cpid" || note "$engine stop: the collector exited with $?"
	took=$((SECONDS - t0))
	((took <= 5)) || bad="SIGTERM with --drain 2s took $took s"
	collector stop "$W/stop/spool.ndjson" "$es"
	drain stop
	verdict stop "SIGTERM while a _bulk hangs: exit in $took s (--drain 2s), restart"
	unproxy
}

# 6. A full disk under the spool: a 64 KiB tmpfs that a filler almost
# fills; events get 503 while it is full; then space returns.
case_full() {
	begin full
	mnt="$W/full/disk"
	mkdir "$mnt"
	mount -t tmpfs -o size=64k tmpfs "$mnt" || fail "full: cannot mount a tmpfs (root needed)"
	head -c 40000 /dev/zero >"$mnt/filler"
	collector full "$mnt/spool.ndjson" "$es"
	post full 80 --threads 1
	rm "$mnt/filler"
	post full 30 --threads 1
	drain full
	cp "$mnt/spool.ndjson" "$W/full/spool.ndjson"
	umount "$mnt"
	mnt=""
	spool_readable "$W/full/spool.ndjson"
	verdict full "spool on a full 64 KiB tmpfs (503s), then space freed"
}

# 7. The collector is SIGKILLed ten times at random points while agents
# post and it forwards (small batches), and restarted on the same spool.
case_kill9() {
	begin kill9
	local i ppid
	RANDOM=29
	for i in $(seq 10); do
		collector kill9 "$W/kill9/spool.ndjson" "$es" --batch-bytes 4000
		post kill9 400 --timeout 2 &
		ppid=$!
		sleep "0.$((RANDOM % 8 + 1))"
		kill -9 "$cpid"
		wait "$cpid" 2>/dev/null || true
		wait "$ppid"
	done
	collector kill9 "$W/kill9/spool.ndjson" "$es"
	drain kill9
	spool_readable "$W/kill9/spool.ndjson"
	local left
	left=$(find "$W/kill9" -name '*.tmp.*' | wc -l)
	((left == 0)) || bad="$left temporary files left beside the spool"
	verdict kill9 "collector SIGKILLed 10 times at random points, restarted on its spool" unacked-ok
}

for engine in ${MEDLOAD_FAULT_ENGINES:-opensearch elasticsearch}; do
	case $engine in
	opensearch) cases=$all_cases ;;
	elasticsearch) cases=$es_cases ;;
	*) fail "MEDLOAD_FAULT_ENGINES: no engine $engine" ;;
	esac
	es="$("$STACK/$engine" url)"
	curl -sf -o /dev/null "$es" || fail "$engine is not running at $es"
	engines_used+=("$engine")
	idx="$run-${engine:0:2}"
	W="$T/$engine"
	mkdir -p "$W"
	for c in ${MEDLOAD_FAULT_CASES:-$cases}; do
		[[ " $all_cases " == *" $c "* ]] || fail "MEDLOAD_FAULT_CASES: no case $c ($all_cases)"
		"case_$c"
	done
done

{
	echo "| engine | case | fault | acked | not acked | indexed | lost | duplicates | indexed, never acked | time | result |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	cat "$T/table"
} >&2
((failed == 0)) || fail "$failed of $ncases collector fault cases lost or duplicated events (table above)"
echo "collector fault matrix: every acknowledged event indexed exactly once in $ncases cases ($SECONDS s)"
