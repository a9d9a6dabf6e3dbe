#!/usr/bin/env python3
# breaks: REG-6
# Bug: reads one consent flag for both 限度額 and 特定疾病: the 特定疾病 consent is taken from the
# 限度額 answer.
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class DiseaseWithLimitConsent(Registry):
    def request(self, method, path, headers, body):
        if path == "/onshi/terminal/confirm":
            msg = json.loads(body)
            msg["diseaseConsent"] = msg.get("limitConsent", False)
            body = json.dumps(msg).encode("utf-8")
        return path, body


if __name__ == "__main__":
    main(DiseaseWithLimitConsent)
