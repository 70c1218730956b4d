analyze --format csv --by label,outcome,traced_type data/hostile.ndjson
