#!/usr/bin/env python3
# breaks: PRV-2
# Bug: cuts the 1 % term of the 高額療養費 formula down to the yen instead of rounding half
# up: 80,100 + 0.5 is taken as 80,100.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
import clinic
from adapter import main
from clinic import Clinic


def amount_truncated(self, total):
    raw = self.base + max(0, total - self.threshold) * self.rate // 100
    return raw if self.ceiling is None else min(raw, self.ceiling)


clinic.Formula.amount = amount_truncated

if __name__ == "__main__":
    main(Clinic)
