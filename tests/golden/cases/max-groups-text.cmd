analyze --max-groups 4 --by label,outcome ../data/acapy-0.12.0-traces.ndjson
