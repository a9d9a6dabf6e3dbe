#!/usr/bin/env python3
# The example registry, but one that asks J-LIS over HTTP while it answers a card
# confirmation (as a real registry checks a certificate's status): onshi must not hold
# anything J-LIS needs while it waits for the answer (harness/tests/registry_adapter.rs).
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, os.pardir, os.pardir, "examples", "registry-proxy"))
from proxy import Registry, main  # noqa: E402


class AsksJlis(Registry):
    def request(self, method, path, headers, body):
        if path == "/onshi/terminal/confirm":
            url = os.environ["ONSHI_JLIS_HTTP"] + "/onshi/jlis/ca"
            with urllib.request.urlopen(url, timeout=30) as answer:
                answer.read()
        return path, body


if __name__ == "__main__":
    main(AsksJlis)
