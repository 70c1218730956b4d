analyze --by label,traced_type,outcome ../data/acapy-0.8.2-mediator.log ../data/acapy-0.8.2-multi-agent.log
