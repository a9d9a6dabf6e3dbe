#!/usr/bin/env python3
# breaks: REG-6
# Bug: maps the insurer's 交付年月日 into 有効開始年月日 (two date columns swapped in the import),
# so a 限度額適用認定証 looks valid from the day it was issued.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class LimitFromIssueDate(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "qualification" and rec.get("limits"):
                limits = [dict(l, validFrom=l["issued"]) for l in rec["limits"]]
                rec = dict(rec, limits=limits)
            out.append(rec)
        return out


if __name__ == "__main__":
    main(LimitFromIssueDate)
