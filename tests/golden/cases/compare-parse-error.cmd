compare --threshold 'label=mediator.trace p95<<250' data/analysis-base.json data/analysis-slow.json
