analyze --format json --by handler,traced_type data/hostile.ndjson
