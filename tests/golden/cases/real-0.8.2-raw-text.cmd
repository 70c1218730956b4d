analyze --raw --by label,traced_type ../data/acapy-0.8.2-traces.ndjson
