#!/usr/bin/env python3
# breaks: REG-6
# Bug: the card confirmation applies the rule in force since 2024-10-07 (限度額 information
# without consent) whatever the date, so before that day 限度額 data goes out although the
# patient answered 同意しない.
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class LimitWithoutConsent(Registry):
    def request(self, method, path, headers, body):
        if path == "/onshi/terminal/confirm":
            msg = json.loads(body)
            msg["limitConsent"] = True
            body = json.dumps(msg).encode("utf-8")
        return path, body


if __name__ == "__main__":
    main(LimitWithoutConsent)
