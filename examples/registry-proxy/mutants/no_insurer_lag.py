#!/usr/bin/env python3
# breaks: REG-5
# Bug: loads the insurer's 資格 records by their 取得日 and 喪失日 instead of the day each
# change reached the system, so a new job's numbers show up before the insurer registered them.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class NoInsurerLag(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "qualification":
                rec = dict(rec, registeredOn=rec["acquired"])
                if rec.get("lost"):
                    rec["lossRegisteredOn"] = rec["lost"]["on"]
            out.append(rec)
        return out


if __name__ == "__main__":
    main(NoInsurerLag)
