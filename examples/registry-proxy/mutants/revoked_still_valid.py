#!/usr/bin/env python3
# breaks: JLIS-2
# Bug: never loads the J-LIS revocation list, so a certificate revoked after a loss report or a
# returned card is still accepted.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class RevokedStillValid(Registry):
    def feed_records(self, records):
        return [dict(r, revocation=None) if r.get("type") == "certificate" else r
                for r in records]


if __name__ == "__main__":
    main(RevokedStillValid)
