analyze --format json ../data/acapy-1.7.0-traces.ndjson
