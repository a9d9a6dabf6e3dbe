#!/usr/bin/env python3
# breaks: PRV-1
# Bug: cuts the window charge down to 10 yen (切り捨て) instead of rounding half up
# (10円未満四捨五入): 1,205.1 yen is charged as 1,200.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class CopayTruncates(Clinic):
    def plain_copay(self, fee, percent):
        return fee * min(percent, 100) // 1000 * 10


if __name__ == "__main__":
    main(CopayTruncates)
