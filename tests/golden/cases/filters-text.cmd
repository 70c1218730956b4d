analyze --label multi.agent.trace --outcome "*.END" --by label,outcome,traced_type --percentiles 50,99 --format text ../data/acapy-1.7.0-traces.ndjson
