#!/usr/bin/env python3
# breaks: REG-8
# Bug: never picked up the extension of the 薬剤・診療 viewing window from 3 to 5 years; the
# cut-over date in its configuration is left at "not yet".
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class ThreeYearWindow(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "rules":
                switches = dict(rec["switches"], medication_window_extension_from="2099-04-01")
                rec = dict(rec, switches=switches)
            out.append(rec)
        return out


if __name__ == "__main__":
    main(ThreeYearWindow)
