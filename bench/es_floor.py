#!/usr/bin/env python3
"""bench/es_floor.py URL INDEX SIZE [gzip]: the server's floor for a raw
export in bench/es. Scrolls through INDEX exactly as medload asks (POST
_search?scroll=1m, sort _doc, SIZE hits, track_total_hits, then POST
_search/scroll) but does not parse the hits: it only takes the scroll id
from the head of each answer and counts "_index" occurrences. What is
left is the time the server needs to produce the pages (plus HTTP). With
"gzip", it sends Accept-Encoding: gzip and inflates nothing (the count
then comes from the hits.total of the first page)."""
import json
import re
import sys
import zlib

import urllib3

SID = re.compile(rb'"_scroll_id"\s*:\s*"([^"]+)"')


def main():
    url, index, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gzip = len(sys.argv) > 4 and sys.argv[4] == "gzip"
    http = urllib3.PoolManager(maxsize=1)
    hdr = {"Content-Type": "application/json"}
    if gzip:
        hdr["Accept-Encoding"] = "gzip"
    body = json.dumps({"size": size, "query": {"match_all": {}},
                       "sort": ["_doc"], "track_total_hits": True})
    r = http.request("POST", f"{url}/{index}/_search?scroll=1m", body=body,
                     headers=hdr, decode_content=False, preload_content=True)
    n = pages = 0
    nbytes = 0
    sid = None
    while True:
        data = r.data
        nbytes += len(data)
        if gzip:
            head = zlib.decompressobj(31).decompress(data, 4096)
            if sid is None:
                total = int(re.search(rb'"total"\s*:\s*\{"value"\s*:\s*(\d+)',
                                      head).group(1))
            got = b'"_index"' in head
        else:
            head = data[:4096]
            got = data.count(b'"_index"')
            n += got
        sid = SID.search(head).group(1).decode()
        pages += 1
        if not got:
            break
        r = http.request("POST", f"{url}/_search/scroll",
                         body=json.dumps({"scroll": "1m", "scroll_id": sid}),
                         headers=hdr, decode_content=False)
    http.request("DELETE", f"{url}/_search/scroll",
                 body=json.dumps({"scroll_id": sid}), headers=hdr)
    if gzip:
        n = total
    print(n, pages, nbytes, file=sys.stderr)


if __name__ == "__main__":
    main()
