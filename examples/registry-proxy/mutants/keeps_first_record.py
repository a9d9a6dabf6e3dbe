#!/usr/bin/env python3
# breaks: REG-4
# Bug: imports 資格 records insert-only (INSERT … ON CONFLICT DO NOTHING): an update to a
# record it already has, such as the 喪失 the insurer adds later, is silently dropped.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class KeepsFirstRecord(Registry):
    def __init__(self, backend):
        super().__init__(backend)
        self.loaded = set()

    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "qualification":
                if rec["id"] in self.loaded:
                    continue
                self.loaded.add(rec["id"])
            out.append(rec)
        return out


if __name__ == "__main__":
    main(KeepsFirstRecord)
