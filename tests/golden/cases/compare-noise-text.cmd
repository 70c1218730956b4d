compare data/analysis-base.json data/analysis-noise.json
