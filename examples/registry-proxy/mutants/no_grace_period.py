#!/usr/bin/env python3
# breaks: RDR-5
# Bug: refuses a card from the day after its certificate expires: the 猶予期間 (until the end of
# the third month after the expiry month) was configured as 0 months.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class NoGracePeriod(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "rules":
                switches = dict(rec["switches"], certificate_grace_months="0")
                rec = dict(rec, switches=switches)
            out.append(rec)
        return out


if __name__ == "__main__":
    main(NoGracePeriod)
