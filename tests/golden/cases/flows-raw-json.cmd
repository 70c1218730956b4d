analyze --flows --raw --percentiles 50,99 --format json ../data/acapy-1.7.0-traces.ndjson
