#!/usr/bin/env python3
"""bench/es_scan.py URL INDEX SIZE [gzip]: the peer of `medload analyze --es
--mode raw` in bench/es. Reads every document of INDEX with the official
opensearch-py client's helpers.scan (scroll, sort _doc, SIZE hits a page,
whole _source, as medload asks), and computes count, min, max and mean of
ellapsed_milli per handler+outcome. Prints the groups as JSON (for the
count check) and the number of hits on stderr. With "gzip", the client
asks for compressed answers (http_compress=True), as medload does through
libcurl; the client's default is uncompressed."""
import json
import sys

from opensearchpy import OpenSearch, helpers


def main():
    url, index, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gzip = len(sys.argv) > 4 and sys.argv[4] == "gzip"
    client = OpenSearch([url], http_compress=gzip, timeout=120)
    groups = {}
    n = 0
    for hit in helpers.scan(client, index=index, size=size, scroll="5m",
                            query={"query": {"match_all": {}}}):
        src = hit["_source"]
        v = src.get("ellapsed_milli")
        if v is None:
            v = src.get("elapsed_milli")
        key = src["handler"] + "|" + src["outcome"]
        g = groups.get(key)
        if g is None:
            groups[key] = [1, v, v, v]
        else:
            g[0] += 1
            g[3] += v
            if v < g[1]:
                g[1] = v
            if v > g[2]:
                g[2] = v
        n += 1
    out = {k: {"count": g[0], "min": g[1], "max": g[2], "mean": g[3] / g[0]}
           for k, g in groups.items()}
    json.dump(out, sys.stdout, sort_keys=True)
    print(n, file=sys.stderr)


if __name__ == "__main__":
    main()
