compare data/analysis-base.json data/analysis-heavy.json
