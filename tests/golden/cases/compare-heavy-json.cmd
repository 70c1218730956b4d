compare --format json --threshold 'p95 < baseline*1.10' --threshold 'label=mediator.trace p95<250' data/analysis-base.json data/analysis-heavy.json
