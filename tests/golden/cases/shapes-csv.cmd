analyze --format csv --by label,outcome,traced_type data/logstash-from-1.7.0.ndjson data/hits-from-0.12.0.ndjson data/traces-0.12.0.ndjson.gz
