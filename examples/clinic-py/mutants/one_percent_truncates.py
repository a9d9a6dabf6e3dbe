#!/usr/bin/env python3
# breaks: PRV-2
# Bug: cuts the 1 % term of the 高額療養費 formula down to the yen instead of rounding half
# up: 80,100 + 0.5 is taken as 80,100.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class OnePercentTruncates(Clinic):
    def formula_amount(self, formula, total):
        raw = formula.base + max(0, total - formula.threshold) * formula.rate // 100
        return raw if formula.ceiling is None else min(raw, formula.ceiling)


if __name__ == "__main__":
    main(OnePercentTruncates)
