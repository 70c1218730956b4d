compare --threshold 'p95<1000' data/analysis-hostile-base.json data/analysis-hostile-slow.json
