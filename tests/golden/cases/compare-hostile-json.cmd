compare --format json data/analysis-hostile-base.json data/analysis-hostile-slow.json
