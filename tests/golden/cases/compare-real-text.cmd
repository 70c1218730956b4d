compare data/analysis-real-0.12.0.json data/analysis-real-1.7.0.json
