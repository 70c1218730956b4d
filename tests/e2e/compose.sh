#!/bin/sh
# compose.sh: the Docker compose project in compose/, checked without a Docker
# engine. The compose files are loaded by compose-go (the loader of Docker
# Compose v2, built from the Go module proxy into the cache by this test);
# the agents' command lines go through ACA-Py 0.12.0's own argument parser
# (the local stack's `seed` venv); the Dockerfile's build commands run here in
# a scratch copy; the Kibana saved objects and the Kubernetes Job are checked
# for the formats Kibana and Kubernetes read.
. "$(dirname "$0")/../lib.sh"
c=$REPO/compose
cache=${MEDLOAD_CACHE:-$HOME/.cache/medload}
env_example=$c/.env.example

# ---------------------------------------------------------------- validator
# Built once per source checksum (go.mod, go.sum, *.go); Go's module and
# build caches are reused. FAILS (not skips) when it cannot be built.
cv=""
build_validator() {
	command -v go >/dev/null 2>&1 || { echo "go is not installed"; return 1; }
	sum=$(cat "$c/validate/go.mod" "$c/validate/go.sum" "$c/validate/"*.go | sha256sum | cut -c1-16)
	dir=$cache/compose-validate
	bin=$dir/compose-validate-$sum
	if [ ! -x "$bin" ]; then
		mkdir -p "$dir" || return 1
		(cd "$c/validate" && GOFLAGS=-mod=readonly go build -o "$bin.tmp.$$" .) >"$TMP/go-build.log" 2>&1 ||
			{ tail -n 5 "$TMP/go-build.log"; rm -f "$bin.tmp.$$"; return 1; }
		mv "$bin.tmp.$$" "$bin"
	fi
	cv=$bin
}
if build_validator >"$TMP/why" 2>&1; then
	pass compose-validator-build
else
	fail compose-validator-build "$(tr '\n' ' ' <"$TMP/why" | head -c 400)"
fi

# load NAME [-profile P]... FILE...: the project with .env.example, as JSON in $TMP/NAME.json
load() {
	n=$1
	shift
	if [ -z "$cv" ]; then fail "compose-valid-$n" "no validator"; return 1; fi
	if "$cv" compose -env "$env_example" -json "$@" >"$TMP/$n.json" 2>"$TMP/$n.err"; then
		pass "compose-valid-$n"
	else
		fail "compose-valid-$n" "$(head -c 400 "$TMP/$n.err")"
		return 1
	fi
}
services() { jq -r '.services | keys | join(",")' "$TMP/$1.json" 2>/dev/null; }
expect_services() { # NAME WANT
	got=$(services "$1")
	if [ "$got" = "$2" ]; then pass "compose-profile-$1"; else
		fail "compose-profile-$1" "services $got, want $2"
	fi
}
f=$c/docker-compose.yml
sh=$c/docker-compose.shards.yml
load elk -profile elk "$f" && expect_services elk "elasticsearch,kibana,kibana-setup,logstash,setup"
load agents -profile agents "$f" && expect_services agents "mediator,multi-agent,wallet-db"
load load -profile load "$f" && expect_services load "medload"
load agents-load -profile agents -profile load "$f" &&
	expect_services agents-load "mediator,medload,multi-agent,wallet-db"
load monitor -profile monitor "$f" && expect_services monitor "grafana,prometheus"
load all -profile all "$f" &&
	expect_services all "elasticsearch,grafana,kibana,kibana-setup,logstash,mediator,medload,multi-agent,prometheus,setup,wallet-db"
load collect -profile collect "$f" && expect_services collect "collector"
load all-collect -profile all -profile collect "$f" &&
	expect_services all-collect "collector,elasticsearch,grafana,kibana,kibana-setup,logstash,mediator,medload,multi-agent,prometheus,setup,wallet-db"
load shards -profile all "$f" "$sh" &&
	expect_services shards "elasticsearch,grafana,kibana,kibana-setup,logstash,mediator,medload,medload-run-id,medload-shard-1,medload-shard-2,medload-shard-3,multi-agent,prometheus,setup,wallet-db"
all=$TMP/all.json

# COMPOSE_PROFILES in .env.example makes a plain `docker compose up` start everything.
expect_grep env-default-profile-all '^COMPOSE_PROFILES=all$' "$env_example"

# Without an env file the project must refuse to load, naming the secrets:
# none of them has a default in the compose files.
if [ -n "$cv" ]; then
	if (cd "$TMP" && env -i PATH="$PATH" HOME="$HOME" "$cv" compose -profile all "$f" "$sh") >/dev/null 2>"$TMP/nosecret.err"; then
		fail compose-secrets-required "loaded without .env"
	else
		miss=""
		for v in ELASTIC_PASSWORD LOGSTASH_INTERNAL_PASSWORD KIBANA_SYSTEM_PASSWORD POSTGRESQL_ADMIN_PASSWORD \
			MEDIATOR_AGENT_ADMIN_API_KEY MEDIATOR_WALLET_KEY MULTI_ACAPY_WALLET_KEY MULTI_JWT_SECRET \
			GRAFANA_ADMIN_PASSWORD; do
			grep -q "required variable $v " "$TMP/nosecret.err" || miss="$miss $v"
		done
		if [ -z "$miss" ]; then pass compose-secrets-required; else
			fail compose-secrets-required "not required:$miss ($(head -c 200 "$TMP/nosecret.err"))"
		fi
	fi
fi

# Secrets appear in the compose files only as ${VAR:?...}, never with a
# default or as a literal value.
bad=""
for v in ELASTIC_PASSWORD LOGSTASH_INTERNAL_PASSWORD KIBANA_SYSTEM_PASSWORD POSTGRESQL_ADMIN_PASSWORD \
	MEDIATOR_AGENT_ADMIN_API_KEY MEDIATOR_WALLET_KEY MULTI_ACAPY_WALLET_KEY MULTI_JWT_SECRET \
	GRAFANA_ADMIN_PASSWORD; do
	grep -q "\${$v:-" "$f" "$sh" && bad="$bad $v(default)"
	val=$(sed -n "s/^$v=//p" "$env_example")
	[ -n "$val" ] && grep -rqF -- "$val" "$f" "$sh" "$c/k8s" && bad="$bad $v(literal)"
done
if [ -z "$bad" ]; then pass compose-no-hardcoded-secrets; else fail compose-no-hardcoded-secrets "$bad"; fi

# Every variable the compose files read is documented in .env.example, and
# .env.example documents nothing the project does not read.
# (comments and $${...}, the container's own expansion, do not count)
cat "$f" "$sh" | grep -v '^[[:space:]]*#' | sed 's/[$][$]{[A-Za-z_]*}//g' |
	grep -o '[$]{[A-Za-z_][A-Za-z0-9_]*' | cut -c3- | sort -u >"$TMP/used"
sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$env_example" | sort -u >"$TMP/documented"
undoc=$(comm -23 "$TMP/used" "$TMP/documented" | tr '\n' ' ')
if [ -z "$undoc" ]; then pass env-vars-documented; else fail env-vars-documented "not in .env.example: $undoc"; fi
unused=$(comm -13 "$TMP/used" "$TMP/documented" | grep -vx 'COMPOSE_PROFILES' | tr '\n' ' ')
if [ -z "$unused" ]; then pass env-vars-used; else fail env-vars-used "in .env.example but unused: $unused"; fi
# the seed's names, and no ngrok
bad=""
for v in STEP_TIME STEP_LOAD SPAWN_RATE TIME_LIMIT LOCUST_HOST MEDIATOR_INVITATION_URL ELASTIC_VERSION \
	ELASTIC_PASSWORD ELK_NETWORK_NAME MEDIATOR_AGENT_ADMIN_API_KEY MULTI_ACAPY_TRACE MULTI_ACAPY_TRACE_LABEL \
	ACAPY_TRACE_LABEL; do
	grep -q "^$v=" "$env_example" || bad="$bad $v"
done
cat "$f" "$sh" | grep -v '^[[:space:]]*#' | grep -qi ngrok && bad="$bad ngrok-in-compose"
if [ -z "$bad" ]; then pass env-seed-names; else fail env-seed-names "missing:$bad"; fi

# Order of start-up: depends_on conditions, and a healthcheck on every
# service others wait for as healthy.
if [ -s "$all" ]; then
	jq -r '.services as $s | $s | to_entries[] | .key as $k | (.value.depends_on // {}) | to_entries[]
		| "\($k) \(.key) \(.value.condition) \(.value.required)"' "$all" | sort >"$TMP/deps"
	for want in "logstash setup service_completed_successfully true" \
		"kibana setup service_completed_successfully true" \
		"kibana-setup kibana service_healthy true" \
		"setup elasticsearch service_healthy true" \
		"mediator wallet-db service_healthy true" \
		"mediator logstash service_healthy false" \
		"multi-agent mediator service_healthy true" \
		"multi-agent logstash service_healthy false" \
		"medload mediator service_healthy false" \
		"medload multi-agent service_healthy false"; do
		grep -qx "$want" "$TMP/deps" || echo "$want" >>"$TMP/deps-missing"
	done
	# with the collect profile, the agents wait for the collector too
	jq -r '.services as $s | $s | to_entries[] | .key as $k | (.value.depends_on // {}) | to_entries[]
		| "\($k) \(.key) \(.value.condition) \(.value.required)"' "$TMP/all-collect.json" 2>/dev/null |
		sort >"$TMP/deps-collect"
	for want in "mediator collector service_healthy false" \
		"multi-agent collector service_healthy false" \
		"collector elasticsearch service_healthy false"; do
		grep -qx "$want" "$TMP/deps-collect" || echo "$want" >>"$TMP/deps-missing"
	done
	nohc=$(jq -r '.services as $s | [$s[] | (.depends_on // {}) | to_entries[] | select(.value.condition == "service_healthy") | .key]
		| unique[] | select($s[.] != null) | select(($s[.].healthcheck.test // []) | length == 0)' "$all" "$TMP/all-collect.json")
	if [ -z "$nohc" ]; then pass compose-healthchecks; else fail compose-healthchecks "no healthcheck: $nohc"; fi
	if [ -s "$TMP/deps-missing" ]; then fail compose-depends-on "missing: $(tr '\n' ';' <"$TMP/deps-missing")"; else
		pass compose-depends-on; fi
fi

# Tracing: labels, target, networks as the seed describes.
if [ -s "$all" ]; then
	t=$(jq -r '[.services.mediator.environment.ACAPY_TRACE_LABEL, .services["multi-agent"].environment.ACAPY_TRACE_LABEL,
		.services.mediator.environment.ACAPY_TRACE_TARGET, .services["multi-agent"].environment.ACAPY_TRACE_TARGET,
		.services.mediator.environment.ACAPY_TRACE, .services["multi-agent"].environment.ACAPY_TRACE] | join(" ")' "$all")
	if [ "$t" = "mediator.trace multi.agent.trace http://logstash:9700/ http://logstash:9700/ 1 1" ]; then
		pass compose-tracing; else fail compose-tracing "$t"; fi
	n=$(jq -r '[.services["multi-agent"].networks | keys[]] | join(",")' "$all")
	nn=$(jq -r '[.networks.elknet.name, .networks.playgroundnet.name] | join(",")' "$all")
	if [ "$n" = "elknet,playgroundnet" ] && [ "$nn" = "elknet,playgroundnet" ]; then pass compose-networks; else
		fail compose-networks "multi-agent on $n; names $nn"; fi
	lp=$(jq -r '.services.logstash.ports[] | select(.target == 9700) | .published' "$all")
	kp=$(jq -r '.services.kibana.ports[] | select(.target == 5601) | .published' "$all")
	if [ "$lp$kp" = 97005601 ] && grep -q 'port => 9700' "$c/logstash/pipeline/logstash.conf"; then
		pass compose-elk-ports; else fail compose-elk-ports "logstash $lp kibana $kp"; fi
	sec=$(jq -r '.services.elasticsearch.environment["xpack.security.enabled"]' "$all")
	heap=$(jq -r '.services.elasticsearch.environment.ES_JAVA_OPTS' "$all")
	if [ "$sec" = true ] && [ "$heap" = "-Xms1g -Xmx1g" ]; then pass compose-elk-security-heap; else
		fail compose-elk-security-heap "security $sec heap $heap"; fi
fi

# The index template: the one file in queries/, mounted into the setup service
# (and embedded in medload for `medload ingest`); the setup service adds the
# data stream and the Logstash index pattern with jq.
tpl=$REPO/queries/trace-index-template.json
if [ -s "$all" ]; then
	src=$(jq -r '.services.setup.volumes[] | select(.target == "/setup/trace-index-template.json") | .source' "$all")
	if [ "$src" = "$tpl" ]; then pass template-mounted-from-queries; else
		fail template-mounted-from-queries "setup mounts '$src'"; fi
fi
copies=$(grep -rl '"index_patterns"' "$c" 2>/dev/null | tr '\n' ' ')
if [ -z "$copies" ]; then pass template-one-file; else fail template-one-file "copies in compose/: $copies"; fi
if TEMPLATE_FILE=$tpl sh "$c/setup/setup.sh" template-json >"$TMP/tpl.json" 2>"$TMP/tpl.err" &&
	jq -e --slurpfile o "$tpl" '.index_patterns == ["logs-generic-*"] and .data_stream == {}
		and .template == $o[0].template and .priority == $o[0].priority' "$TMP/tpl.json" >/dev/null; then
	pass template-data-stream-adjusted
else
	fail template-data-stream-adjusted "$(head -c 300 "$TMP/tpl.err" "$TMP/tpl.json")"
fi
TEMPLATE_FILE=$tpl TRACE_INDEX_PATTERN='medload-traces*' sh "$c/setup/setup.sh" template-json >"$TMP/tpl2.json" 2>/dev/null
if jq -e --slurpfile o "$tpl" '(has("data_stream") | not) and .index_patterns == $o[0].index_patterns' "$TMP/tpl2.json" >/dev/null; then
	pass template-plain-index-pattern; else fail template-plain-index-pattern "$(head -c 300 "$TMP/tpl2.json")"; fi

# The agents' command lines, through ACA-Py's parser at the version the image
# pins (0.12.0 image = the local stack's `seed` venv).
img=$(sed -n 's/^ACAPY_IMAGE=//p' "$env_example")
case $img in
*:py3.9-0.12.0) pass acapy-image-pinned ;;
*) fail acapy-image-pinned "ACAPY_IMAGE=$img" ;;
esac
if grep -q 'aries-cloudagent-python:py3.9-0.12.0}' "$f"; then pass acapy-image-default; else
	fail acapy-image-default "compose default is not the pinned image"; fi
venv=$cache/venvs/seed
if [ ! -x "$venv/bin/aca-py" ]; then
	"$REPO/stack/agents" venv seed >"$TMP/venv.log" 2>&1 || true
fi
if [ -x "$venv/bin/aca-py" ]; then
	ver=$("$venv/bin/aca-py" --version 2>/dev/null | tail -n 1)
	case $ver in *0.12.0*) pass acapy-venv-version ;; *) fail acapy-venv-version "venv has '$ver'" ;; esac
	expect_rc acapy-start-help 0 "$venv/bin/aca-py" start --help
	if [ -s "$all" ]; then
		if "$venv/bin/python" "$c/validate/acapy_args.py" "$all" mediator multi-agent >"$TMP/args.out" 2>&1; then
			pass acapy-args-parse
			expect_grep acapy-args-mediator '^mediator: ok .*"mediation.open": true.*"trace.label": "mediator.trace"' "$TMP/args.out"
			expect_grep acapy-args-multi '^multi-agent: ok .*"multitenant.enabled": true.*"trace.label": "multi.agent.trace"' "$TMP/args.out"
		else
			fail acapy-args-parse "$(tail -n 1 "$TMP/args.out")"
		fi
		# the check has teeth: a multitenant agent without its JWT secret is refused
		jq '.services["multi-agent"].environment |= del(.ACAPY_MULTITENANT_JWT_SECRET)' "$all" >"$TMP/nojwt.json"
		if "$venv/bin/python" "$c/validate/acapy_args.py" "$TMP/nojwt.json" multi-agent >"$TMP/nojwt.out" 2>&1; then
			fail acapy-args-negative "accepted multitenant without a JWT secret"
		else
			expect_grep acapy-args-negative 'jwt-secret' "$TMP/nojwt.out"
		fi
	fi
else
	fail acapy-venv "no ACA-Py 0.12.0 venv at $venv ($(tail -n 1 "$TMP/venv.log" 2>/dev/null))"
fi

# Kibana saved objects: Kibana's import format (NDJSON, type/id/attributes),
# references resolvable within the file, embedded JSON strings parse, and
# every field used exists in the template or as a data view runtime field.
if python3 - "$c/kibana/saved-objects.ndjson" "$tpl" >"$TMP/so.out" 2>&1 <<'EOF'
import json, sys
objs, ids = [], set()
with open(sys.argv[1]) as f:
    for n, line in enumerate(f, 1):
        assert line.strip(), "line %d is empty" % n
        o = json.loads(line)
        assert isinstance(o, dict), "line %d is not an object" % n
        for k in ("type", "id", "attributes"):
            assert k in o, "line %d has no %s" % (n, k)
        assert isinstance(o["attributes"], dict) and o["attributes"].get("title"), "line %d: no title" % n
        assert (o["type"], o["id"]) not in ids, "duplicate %s/%s" % (o["type"], o["id"])
        ids.add((o["type"], o["id"]))
        objs.append(o)
tpl = json.load(open(sys.argv[2]))
fields = set(tpl["template"]["mappings"]["properties"])
types = {o["type"] for o in objs}
for t in ("index-pattern", "visualization", "dashboard", "search"):
    assert t in types, "no %s object" % t
for o in objs:
    a = o["attributes"]
    names = set()
    for r in o.get("references", []):
        assert (r["type"], r["id"]) in ids, "%s: reference %s/%s not in the file" % (o["id"], r["type"], r["id"])
        names.add(r["name"])
    if o["type"] == "index-pattern":
        assert a["title"] == "logs-generic-*", "data view title %r" % a["title"]
        rt = json.loads(a.get("runtimeFieldMap", "{}"))
        fields |= set(rt)
        assert a.get("timeFieldName") in fields, "time field %r not mapped" % a.get("timeFieldName")
for o in objs:
    a = o["attributes"]
    names = {r["name"] for r in o.get("references", [])}
    ss = json.loads(a.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON", "{}"))
    if "indexRefName" in ss:
        assert ss["indexRefName"] in names, "%s: indexRefName unresolved" % o["id"]
    if o["type"] == "visualization":
        vs = json.loads(a["visState"])
        for agg in vs["aggs"]:
            fld = agg.get("params", {}).get("field")
            assert fld is None or fld in fields, "%s: field %r not in the template" % (o["id"], fld)
    if o["type"] == "search":
        for col in a["columns"]:
            assert col in fields, "%s: column %r not in the template" % (o["id"], col)
    if o["type"] == "dashboard":
        panels = json.loads(a["panelsJSON"])
        assert panels, "dashboard has no panels"
        for p in panels:
            assert p["panelRefName"] in names, "panel %s unresolved" % p["panelRefName"]
print("%d objects ok" % len(objs))
EOF
then pass kibana-saved-objects; else fail kibana-saved-objects "$(tail -n 1 "$TMP/so.out")"; fi
grep -q 'kibana-setup' "$f" && grep -q '_import?overwrite=true' "$c/setup/setup.sh" &&
	pass kibana-saved-objects-loaded-by-setup || fail kibana-saved-objects-loaded-by-setup "no import"

# ------------------------------------------------------------- Kubernetes
# Every document of every manifest in compose/k8s/ decoded strictly into the
# upstream API type of its apiVersion and kind (k8s.io/api, as the API
# server's strict field validation: unknown, duplicate and miscased fields
# are errors), one JSON line per object in $TMP/k8s.json.
k8s=$c/k8s
if [ -n "$cv" ] && "$cv" k8s "$k8s" >"$TMP/k8s.json" 2>"$TMP/k8s.err"; then
	pass k8s-manifests-decode
else
	fail k8s-manifests-decode "$(head -c 400 "$TMP/k8s.err")"
fi
# ... every file of the directory, none skipped
find "$k8s" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort >"$TMP/k8s-files"
jq -r .file "$TMP/k8s.json" 2>/dev/null | sort -u >"$TMP/k8s-decoded"
if [ -s "$TMP/k8s-files" ] && cmp -s "$TMP/k8s-files" "$TMP/k8s-decoded"; then pass k8s-manifests-every-file; else
	fail k8s-manifests-every-file "files: $(tr '\n' ' ' <"$TMP/k8s-files"); decoded: $(tr '\n' ' ' <"$TMP/k8s-decoded")"; fi
# obj NAME: the object named NAME, as JSON
obj() { jq -c --arg n "$1" 'select(.object.metadata.name == $n) | .object' "$TMP/k8s.json" 2>/dev/null; }
# Both Jobs: indexed, one pod per shard through the entry point, the reports
# claim and the admin key secret, remote load allowed (the agents are other
# pods), the run id written once as a plain value (every pod the same).
for name in medload-run medload-edge-run; do
	obj "$name" >"$TMP/$name.json"
	if jq -e '. as $job | .kind == "Job" and .spec.completionMode == "Indexed" and .spec.completions == .spec.parallelism
		and .spec.backoffLimit == 0 and .spec.template.spec.restartPolicy == "Never"
		and (.spec.template.spec.containers[0] | .command == ["medload-compose-run"]
			and ([.env[] | select(.name == "MEDLOAD_SHARDS") | .value | tonumber] == [$job.spec.completions])
			and ([.env[] | select(.name == "MEDLOAD_RUN_ID") | select(.valueFrom == null and (.value // "") != "")] | length == 1)
			and ([.env[] | select(.name == "MEDLOAD_SHARD_INDEX" or .name == "MEDLOAD_RUN_ID_FILE")] == [])
			and ([.env[] | select(.name == "MEDLOAD_ALLOW_REMOTE") | .value] == ["1"]))
		and ([.spec.template.spec.volumes[] | .persistentVolumeClaim.claimName // empty] == ["medload-reports"])' \
		"$TMP/$name.json" >/dev/null 2>&1; then
		pass "k8s-$name-indexed-shards"
	else
		fail "k8s-$name-indexed-shards" "$(jq -c .spec "$TMP/$name.json" 2>/dev/null | head -c 300)"
	fi
done
if jq -e 'select(.object.kind == "PersistentVolumeClaim" and .object.metadata.name == "medload-reports")
	| .object.spec.accessModes == ["ReadWriteMany"]' "$TMP/k8s.json" >/dev/null 2>&1; then
	pass k8s-reports-claim; else fail k8s-reports-claim "no ReadWriteMany claim medload-reports in $k8s"; fi
# The edge Job: 10 shards of 10,000 native edge agents with sessions, all
# started within the run (SPAWN_RATE agents a second in all, the pods
# sharing it).
ej=$TMP/medload-edge-run.json
if jq -e '.spec.completions == 10 and (.spec.template.spec.containers[0].env | from_entries) as $e
	| $e.MEDLOAD_SCENARIO == "edge" and ($e.MEDLOAD_EDGE_WS | startswith("ws://"))
	and ($e.MEDLOAD_STAGES | split(",") | map(split(":")[1] | tonumber) | max) / ($e.MEDLOAD_SHARDS | tonumber) == 10000
	and ($e.SPAWN_RATE | tonumber) > 0 and ($e.MEDLOAD_CONNECTIONS | tonumber) > 0
	and ($e.MEDLOAD_STAGES | split(",") | map(split(":")[0] | capture("^(?<n>[0-9]+)(?<u>[smh])$")
		| (.n | tonumber) * {"s": 1, "m": 60, "h": 3600}[.u]) | add) as $secs
	| ($e.MEDLOAD_STAGES | split(",") | map(split(":")[1] | tonumber) | max) / ($e.SPAWN_RATE | tonumber) < $secs' "$ej" >/dev/null 2>&1; then
	pass k8s-edge-10x10000; else fail k8s-edge-10x10000 "$(jq -c '.spec.template.spec.containers[0].env' "$ej" 2>/dev/null | head -c 400)"; fi
# The pods' command lines, each through the entry point with the Job's
# environment and its JOB_COMPLETION_INDEX: --shard 1/10 .. 10/10, one run id.
jq -r '.spec.template.spec.containers[0].env[] | "\(.name)=\(.value)"' "$ej" >"$TMP/edge.env" 2>/dev/null
echo k >"$TMP/key"
# edge_env CMD...: CMD in the edge Job's environment (the admin key file here)
edge_env() {
	set -- PATH="$PATH" MEDLOAD_REPORTS=/reports MEDIATOR_ADMIN_API_KEY_FILE="$TMP/key" "$@"
	while IFS= read -r l; do set -- "$l" "$@"; done <"$TMP/edge.env"
	env -i "$@"
}
: >"$TMP/edge-pods"
for i in 0 1 2 3 4 5 6 7 8 9; do
	edge_env JOB_COMPLETION_INDEX=$i sh "$c/medload-compose-run.sh" --dry-run >>"$TMP/edge-pods" 2>&1
done
ids=$(sed -n 's/.* --run-id \([^ ]*\) .*/\1/p' "$TMP/edge-pods" | sort -u | tr '\n' ' ')
shards=$(sed -n 's/.* --shard \([^ ]*\) .*/\1/p' "$TMP/edge-pods" | tr '\n' ' ')
if [ "$ids" = "k8s-edge-run-1 " ] && [ "$shards" = "1/10 2/10 3/10 4/10 5/10 6/10 7/10 8/10 9/10 10/10 " ] &&
	[ "$(grep -c -- '--scenario edge --edge-ws ws://mediator:3001 --edge-task peer --stages 60m:100000 --connections 16' "$TMP/edge-pods")" = 10 ]; then
	pass k8s-edge-pods-one-run-id
else
	fail k8s-edge-pods-one-run-id "run ids '$ids', shards '$shards': $(head -c 300 "$TMP/edge-pods")"
fi
if "$MEDLOAD" run --help >/dev/null 2>&1; then
	cmdline=$(head -n 1 "$TMP/edge-pods")
	# shellcheck disable=SC2086 # the printed command line, split as the entry point would
	expect_rc k8s-edge-medload-accepts 0 edge_env "$MEDLOAD" ${cmdline#medload } --dry-run
	# The open files the manifest says a pod needs, as medload counts them:
	# under a hard limit of 10,000 the pod refuses before any agent starts
	# (the mediator replaced by loopback addresses: nothing is sent).
	inv="http://127.0.0.1:9?c_i=$(printf '%s' '{"@type": "https://didcomm.org/connections/1.0/invitation", "@id": "k8s", "recipientKeys": ["96FMR9WiGs5cNzoVStDmXQxGsFB3KYaUQs9E3W1LiTPH"], "serviceEndpoint": "http://127.0.0.1:9"}' | base64 | tr -d '\n')"
	expect_rc k8s-edge-open-files 2 edge_env JOB_COMPLETION_INDEX=0 MEDLOAD_REPORTS="$TMP/rep" MEDIATOR_INVITATION_URL="$inv" \
		MEDLOAD_EDGE_WS=ws://127.0.0.1:9/ MEDLOAD_BIN="$MEDLOAD" MEDLOAD_WAIT_TIMEOUT=1 \
		sh -c 'ulimit -n 10000 2>/dev/null; exec sh "$1"' sh "$c/medload-compose-run.sh"
	expect_grep k8s-edge-open-files-msg '10000 agents holding sessions need about 10256 open files' "$TMP/err"
	expect_grep k8s-edge-open-files-documented 'nofile limit of at least 10,256' "$k8s/medload-edge-job.yaml"
fi
# The check has teeth: a misspelled field, a duplicate field and an unknown
# kind are refused, naming the file, the document and what is wrong.
neg() { # NAME WANT-IN-STDERR: $TMP/neg/NAME.yaml must be refused
	if "$cv" k8s "$TMP/neg/$1.yaml" >/dev/null 2>"$TMP/neg/$1.err"; then
		fail "k8s-rejects-$1" "accepted"
	else
		expect_grep "k8s-rejects-$1" "$TMP/neg/$1.yaml: $2" "$TMP/neg/$1.err"
	fi
}
if [ -n "$cv" ]; then
	mkdir -p "$TMP/neg"
	sed 's/^  completions: 10$/  completionsx: 10/' "$k8s/medload-edge-job.yaml" >"$TMP/neg/typo.yaml"
	neg typo 'document 1 (line 1): Job: unknown field "spec.completionsx"'
	sed 's/^  parallelism: 10$/  parallelism: 10\n  parallelism: 9/' "$k8s/medload-edge-job.yaml" >"$TMP/neg/dup.yaml"
	neg dup 'document 1 (line 1): .*key "parallelism" already set'
	sed 's/^  completions: 10$/  Completions: 10/' "$k8s/medload-edge-job.yaml" >"$TMP/neg/case.yaml"
	neg case 'document 1 (line 1): Job: unknown field "spec.Completions"'
	{ cat "$k8s/medload-reports-pvc.yaml"; printf -- '---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n'; } >"$TMP/neg/kind.yaml"
	neg kind 'document 2 (line [0-9]*): unknown kind: apiVersion "example.com/v1" kind "Widget"'
	# a directory with one bad file among good ones fails, naming it
	mkdir -p "$TMP/neg/dir" && cp "$k8s"/*.yaml "$TMP/neg/typo.yaml" "$TMP/neg/dir/"
	if "$cv" k8s "$TMP/neg/dir" >/dev/null 2>"$TMP/neg/dir.err"; then fail k8s-rejects-dir "accepted"; else
		expect_grep k8s-rejects-dir "$TMP/neg/dir/typo.yaml: document 1" "$TMP/neg/dir.err"; fi
fi

# The entry point: shard from JOB_COMPLETION_INDEX, one run id for all shards,
# invitation from the admin API unless given.
run=$c/medload-compose-run.sh
o=$(env -i PATH="$PATH" JOB_COMPLETION_INDEX=2 MEDLOAD_SHARDS=4 MEDLOAD_RUN_ID=r1 MEDLOAD_REPORTS=/reports \
	MEDIATOR_ADMIN_URL=http://mediator:3002 MEDIATOR_ADMIN_API_KEY_FILE=/run/secrets/k \
	STEP_TIME=30 sh "$run" --dry-run 2>&1)
case $o in
"medload run --run-id r1 --shard 3/4 --out-dir /reports --mediator-admin-url http://mediator:3002 --mediator-admin-api-key-file /run/secrets/k")
	pass entry-k8s-shard ;;
*) fail entry-k8s-shard "$o" ;;
esac
o=$(env -i PATH="$PATH" MEDLOAD_RUN_ID=r1 MEDIATOR_INVITATION_URL='http://m:3000?c_i=x' MEDIATOR_ADMIN_URL=http://m:3002 \
	MEDLOAD_EXTRA_ARGS='--max-users 100' sh "$run" --dry-run 2>&1)
case $o in
"medload run --run-id r1 --out-dir /reports "*--max-users\ 100) case $o in *--mediator-admin-url*) fail entry-invitation-given "$o" ;; *) pass entry-invitation-given ;; esac ;;
*) fail entry-invitation-given "$o" ;;
esac
env -i PATH="$PATH" MEDLOAD_RUN_ID_FILE="$TMP/rid" sh "$run" --new-run-id 2>/dev/null
rid=$(cat "$TMP/rid" 2>/dev/null)
o=$(env -i PATH="$PATH" MEDLOAD_RUN_ID_FILE="$TMP/rid" MEDLOAD_SHARD_INDEX=3 MEDLOAD_SHARDS=4 \
	MEDIATOR_ADMIN_URL=http://m:3002 sh "$run" --dry-run 2>&1)
case $o in *"--run-id $rid --shard 4/4 --out-dir /reports "*) [ -n "$rid" ] && pass entry-shared-run-id ;; *) fail entry-shared-run-id "id '$rid': $o" ;; esac
# The command line the entry point builds is one `medload run` accepts
# (checked with its --dry-run once the subcommand is in the binary).
if "$MEDLOAD" run --help >/dev/null 2>&1; then
	echo k >"$TMP/key"
	cmdline=$(env -i PATH="$PATH" MEDLOAD_SHARD_INDEX=0 MEDLOAD_SHARDS=4 MEDLOAD_RUN_ID=r1 MEDLOAD_REPORTS="$TMP/rep" \
		MEDIATOR_ADMIN_URL=http://mediator:3002 MEDIATOR_ADMIN_API_KEY_FILE="$TMP/key" MEDLOAD_EXTRA_ARGS='--max-users 100' \
		sh "$run" --dry-run 2>&1)
	# shellcheck disable=SC2086 # the printed command line, split as the entry point would
	expect_rc entry-medload-run-accepts 0 env STEP_TIME=30 STEP_LOAD=10 SPAWN_RATE=10 TIME_LIMIT=300 \
		LOCUST_HOST=http://multi-agent:9014 "$MEDLOAD" ${cmdline#medload } --dry-run
else
	echo "note: medload has no 'run' subcommand yet; entry-medload-run-accepts not checked"
fi
# The collector service's command is one `medload collect` runs: moved to
# loopback ports here, it listens, answers its healthcheck's GET /_status,
# stores a trace event in its spool and stops by itself; its password comes
# from the environment, never the command line.
if [ -s "$TMP/collect.json" ]; then
	free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
	cp=$(free_port); mp=$(free_port)
	jq -r '.services.collector | [.entrypoint[], .command[]] | .[]' "$TMP/collect.json" |
		sed "s|^0\.0\.0\.0:9700\$|127.0.0.1:$cp|; s|^0\.0\.0\.0:9465\$|127.0.0.1:$mp|; s|^/reports/|$TMP/collector-|" \
		>"$TMP/collector-argv"
	hc=$(jq -r '.services.collector.healthcheck.test | join(" ")' "$TMP/collect.json")
	case $hc in *"http://127.0.0.1:9700/_status"*) pass compose-collector-healthcheck ;;
		*) fail compose-collector-healthcheck "$hc" ;; esac
	grep -qx -- '--es' "$TMP/collector-argv" && ! grep -qi 'password' "$TMP/collector-argv" &&
		[ "$(jq -r '.services.collector.environment.MEDLOAD_ES_PASSWORD' "$TMP/collect.json")" = changeme ] &&
		pass compose-collector-password-from-env ||
		fail compose-collector-password-from-env "$(tr '\n' ' ' <"$TMP/collector-argv")"
	# the image's entry point is medload itself: run this build instead
	set -- $(sed 1d "$TMP/collector-argv")
	MEDLOAD_ES_PASSWORD=changeme "$MEDLOAD" "$@" --duration 4s >"$TMP/collector.out" 2>&1 &
	cpid=$!
	ok=""
	wait_for 30 curl -fs -o /dev/null "http://127.0.0.1:$cp/_status" && ok=1
	st=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		-d '{"msg_id":"m1","thread_id":"t1","handler":"h","ellapsed_milli":3,"outcome":"OK","traced_type":"x","timestamp":1700000000.5,"str_time":"s","label":"mediator.trace"}' \
		"http://127.0.0.1:$cp/acapy.events")
	wait "$cpid"; rc=$?
	if [ -n "$ok" ] && [ "$st" = 200 ] && [ "$rc" = 0 ] &&
		grep -q '"label":"mediator.trace"' "$TMP/collector-traces.ndjson" 2>/dev/null; then
		pass compose-collector-runs
	else
		fail compose-collector-runs "status ok=$ok post=$st rc=$rc: $(tail -c 300 "$TMP/collector.out")"
	fi
fi

# The scenario and shape knobs, one argument each; edge and http runs do not
# wait for the multi-agent, the others do.
o=$(env -i PATH="$PATH" MEDLOAD_RUN_ID=r1 MEDIATOR_ADMIN_URL=http://m:3002 MEDLOAD_SCENARIO=edge \
	MEDLOAD_EDGE_WS=ws://m:3001 MEDLOAD_EDGE_TASK=peer MEDLOAD_STAGES='5m:500,1m:0' MEDLOAD_CONNECTIONS=8 \
	MEDLOAD_EXTRA_ARGS='--think-min 60s' sh "$run" --dry-run 2>&1)
case $o in
*" --mediator-admin-url http://m:3002 --scenario edge --edge-ws ws://m:3001 --edge-task peer --stages 5m:500,1m:0 --connections 8 --think-min 60s")
	pass entry-edge-knobs ;;
*) fail entry-edge-knobs "$o" ;;
esac
for s in edge http mediation; do
	want=0
	[ "$s" = mediation ] && want=1
	expect_rc "entry-agent-wait-$s" $want env -i PATH="$PATH" MEDLOAD_BIN=true MEDLOAD_REPORTS="$TMP/r" \
		MEDLOAD_RUN_ID=r1 MEDIATOR_INVITATION_URL='http://127.0.0.1:9?c_i=x' LOCUST_HOST=http://127.0.0.1:9 \
		MEDLOAD_WAIT_TIMEOUT=1 MEDLOAD_SCENARIO=$s sh "$run"
done
expect_grep entry-agent-wait-said 'http://127.0.0.1:9/status/ready not ready after 1s' "$TMP/err"
# Where a pod's files land: medload's own OUT_DIR/<run-id>/shard-<I>/ (a
# real run of scenario http at a closed loopback port, as shard 2 of 2).
rm -rf "$TMP/rep"
env -i PATH="$PATH" MEDLOAD_BIN="$MEDLOAD" MEDLOAD_REPORTS="$TMP/rep" MEDLOAD_RUN_ID=r1 MEDLOAD_SHARDS=2 \
	JOB_COMPLETION_INDEX=1 MEDIATOR_INVITATION_URL='http://127.0.0.1:9?c_i=x' MEDLOAD_SCENARIO=http \
	MEDLOAD_STAGES=1s:4 MEDLOAD_EXTRA_ARGS="--url http://127.0.0.1:9/ --grace 1s --progress none" \
	sh "$run" >"$TMP/layout.out" 2>&1
if head -n 1 "$TMP/rep/r1/shard-2/journal.tsv" 2>/dev/null | grep -q 'run_id=r1 shard=2/2 ' &&
	[ -s "$TMP/rep/r1/shard-2/results.json" ] && [ "$(ls "$TMP/rep/r1")" = shard-2 ] &&
	grep -q "shard 2/2 -> $TMP/rep/r1/shard-2" "$TMP/layout.out"; then
	pass entry-run-folder
else
	fail entry-run-folder "$(cd "$TMP/rep" 2>/dev/null && find . | head -n 5 | tr '\n' ' ') $(tail -n 2 "$TMP/layout.out")"
fi
expect_rc entry-bad-shard 1 env -i PATH="$PATH" MEDLOAD_SHARD_INDEX=4 MEDLOAD_SHARDS=4 MEDLOAD_RUN_ID=x \
	MEDIATOR_ADMIN_URL=http://m sh "$run" --dry-run
if [ -s "$TMP/shards.json" ]; then
	jq -r '.services | to_entries[] | select(.key | test("^medload(-shard-[0-9]+)?$"))
		| "\(.value.environment.MEDLOAD_SHARD_INDEX)/\(.value.environment.MEDLOAD_SHARDS)"' "$TMP/shards.json" | sort >"$TMP/sh"
	if [ "$(tr '\n' ' ' <"$TMP/sh")" = "0/4 1/4 2/4 3/4 " ]; then pass compose-shards; else
		fail compose-shards "$(tr '\n' ' ' <"$TMP/sh")"; fi
fi
command -v shellcheck >/dev/null 2>&1 && {
	if shellcheck -s sh "$run" "$c/setup/setup.sh" >"$TMP/sc" 2>&1; then pass compose-scripts-shellcheck; else
		fail compose-scripts-shellcheck "$(head -c 300 "$TMP/sc")"; fi
}

# Dockerfile: multi-stage on Debian bookworm, builds with tools/setup-deps and
# the Makefile, gnuplot at run time.
df=$c/Dockerfile
froms=$(grep -c '^FROM ' "$df")
if [ "$froms" -ge 2 ] && grep -q '^ARG DEBIAN_IMAGE=debian:bookworm' "$df" &&
	! grep '^FROM ' "$df" | grep -vq 'DEBIAN_IMAGE'; then
	pass dockerfile-multistage-bookworm
else
	fail dockerfile-multistage-bookworm "$froms FROM lines"
fi
grep -q '^RUN sh tools/setup-deps' "$df" && grep -q '^RUN make clean && make ' "$df" &&
	grep -q 'gnuplot-nox' "$df" && pass dockerfile-uses-setup-deps-and-make ||
	fail dockerfile-uses-setup-deps-and-make "RUN lines do not call tools/setup-deps, make and install gnuplot-nox"
bad=""
for p in .git build medload .stack; do
	grep -qx "$p" "$REPO/.dockerignore" || bad="$bad $p"
done
if [ -z "$bad" ]; then pass dockerignore; else fail dockerignore "not ignored:$bad"; fi
if [ -s "$all" ]; then
	b=$(jq -r '.services.medload.build | "\(.context) \(.dockerfile)"' "$all")
	[ "$b" = "$REPO compose/Dockerfile" ] && pass compose-builds-medload || fail compose-builds-medload "$b"
fi

# The build stage's RUN line, run here in a scratch copy of the build context
# (sources as git sees them, less .dockerignore), with /out -> a temp dir.
missing=$(sh "$REPO/tools/setup-deps" --print 2>/dev/null | grep -v 'all packages present')
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
	fail dockerfile-build "tools/setup-deps: missing$missing"
else
	ctx=$TMP/ctx
	mkdir -p "$ctx"
	(cd "$REPO" && git ls-files -co --exclude-standard) | grep -v -e '^\.git/' -e '^build/' -e '^\.stack/' \
		-e '^medload$' -e '^compose/reports/' -e '^compose/\.env$' >"$TMP/files"
	(cd "$REPO" && tar cf - -T "$TMP/files" 2>/dev/null) | (cd "$ctx" && tar xf -)
	# the RUN instruction after COPY . . in the build stage, with its continuations
	awk '/^COPY \. \./{f=1; next} f && /^RUN /{r=1} r{print; if (!/\\$/) exit}' "$df" |
		sed -e 's/^RUN //' -e "s#/out#$TMP/dout#g" >"$TMP/build.sh"
	if (cd "$ctx" && sh -e "$TMP/build.sh") >"$TMP/build.log" 2>&1; then
		if "$TMP/dout/usr/local/bin/medload" --version >/dev/null 2>&1 &&
			[ -x "$TMP/dout/usr/local/bin/medload-compose-run" ] &&
			[ -f "$TMP/dout/usr/local/share/medload/queries/trace-index-template.json" ] &&
			grep -qx libcurl4 "$TMP/dout/runtime-packages"; then
			pass dockerfile-build
		else
			fail dockerfile-build "built, but the install tree is incomplete: $(ls -R "$TMP/dout" | head -c 200)"
		fi
	else
		fail dockerfile-build "$(grep -m1 -i 'error' "$TMP/build.log" || tail -n 1 "$TMP/build.log")"
	fi
fi

# Docs: the README section exists and says what depends on subcommands landing.
expect_grep readme-compose-section '^## Docker compose' "$REPO/README.md"

# ------------------------------------------------------------- monitoring
# Prometheus' own checker on its configuration; the Grafana dashboard holds
# the fields Grafana needs, uses the provisioned data source, and queries
# only metrics medload serves (their names as the man page lists them).
m=$c/monitor
if command -v promtool >/dev/null 2>&1; then
	expect_rc monitor-prometheus-config 0 promtool check config "$m/prometheus.yml"
else
	fail monitor-prometheus-config "promtool (Debian prometheus) is not installed"
fi
if python3 - "$m/grafana/dashboards/medload.json" \
	"$m/grafana/provisioning/datasources/prometheus.yml" "$REPO/man/medload.1" \
	>"$TMP/dash" 2>&1 <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
ds_uid = re.search(r"uid: (\S+)", open(sys.argv[2]).read()).group(1)
man = open(sys.argv[3]).read().replace("\\-", "-").replace("\\_", "_")
bad = []
for k in ("uid", "title", "schemaVersion", "panels", "templating"):
    if k not in dash:
        bad.append("no " + k)
ids = set()
for p in dash.get("panels", []):
    for k in ("id", "type", "title", "gridPos", "targets", "datasource"):
        if k not in p:
            bad.append("panel %s: no %s" % (p.get("title"), k))
    if p.get("id") in ids:
        bad.append("panel id %s twice" % p.get("id"))
    ids.add(p.get("id"))
    if p.get("datasource", {}).get("uid") != ds_uid:
        bad.append("panel %s: data source is not %s" % (p.get("title"), ds_uid))
    g = p.get("gridPos", {})
    if not all(isinstance(g.get(k), int) for k in ("x", "y", "w", "h")) or g.get("x", 0) + g.get("w", 0) > 24:
        bad.append("panel %s: bad gridPos" % p.get("title"))
    for t in p.get("targets", []):
        for name in re.findall(r"\b(medload_[a-z_]+)", t.get("expr", "")):
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if base not in man:
                bad.append("panel %s: %s is not a metric medload serves" % (p.get("title"), name))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
then pass monitor-dashboard; else fail monitor-dashboard "$(tr '\n' ';' <"$TMP/dash")"; fi
