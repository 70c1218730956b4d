analyze --by handler,outcome data/hostile.ndjson
