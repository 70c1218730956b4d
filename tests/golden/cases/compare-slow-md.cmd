compare --format markdown data/analysis-base.json data/analysis-slow.json
