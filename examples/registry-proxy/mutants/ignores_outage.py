#!/usr/bin/env python3
# breaks: PRT-4
# Bug: the outage calendar is kept in another system and never loaded, so during a planned
# maintenance or an emergency stop the service answers as if it were up.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class IgnoresOutage(Registry):
    def feed_records(self, records):
        return [r for r in records if r.get("type") != "outage"]


if __name__ == "__main__":
    main(IgnoresOutage)
