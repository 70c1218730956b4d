analyze --format json --show-rejects 20 data/rejects.ndjson
