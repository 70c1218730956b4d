compare --format markdown data/analysis-heavy.json data/analysis-base.json
