analyze --label nothing.matches ../data/acapy-1.7.0-traces.ndjson
