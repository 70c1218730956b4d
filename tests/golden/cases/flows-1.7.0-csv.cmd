analyze --flows --percentiles 50,99 --format csv ../data/acapy-1.7.0-traces.ndjson
