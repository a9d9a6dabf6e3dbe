#!/usr/bin/env python3
# breaks: REG-8
# Bug: stores consents without their 有効期限, as if every consent were an inpatient's, so an
# outpatient's 薬剤・診療 data stays viewable after the 24 hours.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class ConsentNeverExpires(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "consents":
                rec = dict(rec, records=[dict(c, validUntil=None) for c in rec["records"]])
            out.append(rec)
        return out


if __name__ == "__main__":
    main(ConsentNeverExpires)
