analyze --flows --label "*" --percentiles 50,95,99 ../data/acapy-0.12.0-mediator.log ../data/acapy-0.12.0-multi-agent.log
