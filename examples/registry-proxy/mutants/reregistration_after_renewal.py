#!/usr/bin/env python3
# breaks: REG-2
# Bug: treats a renewed certificate like a new card that needs a new 利用登録: a serial it does
# not know is refused instead of being relinked through the J-LIS 旧番号 search.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class ReregistrationAfterRenewal(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "rules":
                switches = dict(rec["switches"], registration_survives_renewal="false")
                rec = dict(rec, switches=switches)
            out.append(rec)
        return out


if __name__ == "__main__":
    main(ReregistrationAfterRenewal)
