#!/usr/bin/env python3
# breaks: REG-7
# Bug: keeps one 特定健診 result per person, each new one overwriting the last, instead of the
# latest five.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class LatestCheckupOnly(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "checkups" and rec["records"]:
                rec = dict(rec, records=rec["records"][-1:])
            out.append(rec)
        return out


if __name__ == "__main__":
    main(LatestCheckupOnly)
