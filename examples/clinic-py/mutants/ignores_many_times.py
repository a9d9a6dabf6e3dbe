#!/usr/bin/env python3
# breaks: PRV-2
# Bug: ignores 多数回該当, so the 4th+ high-cost month is capped at the ordinary monthly limit.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class IgnoresManyTimes(Clinic):
    def many_times(self, fee):
        return False


if __name__ == "__main__":
    main(IgnoresManyTimes)
