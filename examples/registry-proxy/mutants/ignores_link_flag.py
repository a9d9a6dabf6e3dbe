#!/usr/bin/env python3
# breaks: REG-11
# Bug: does not act on the J-LIS 照合 flag: a 資格 record filed under the wrong person
# (紐付け誤り) keeps being answered to that person's card.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class IgnoresLinkFlag(Registry):
    def feed_records(self, records):
        return [dict(r, flaggedOn=None) if r.get("type") == "qualification" else r
                for r in records]


if __name__ == "__main__":
    main(IgnoresLinkFlag)
