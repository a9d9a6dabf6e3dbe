#!/usr/bin/env python3
# breaks: PRV-2
# Bug: remembers a patient's 適用区分 from an earlier visit and keeps applying it when a later
# answer carries no 限度額 data (recalled or expired certificate, consent withdrawn).
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class StaleLimitData(Clinic):
    def limit_category_of(self, chosen):
        remembered = self.__dict__.setdefault("remembered_limits", {})
        key = (chosen.insurer_number, chosen.number)
        if chosen.limit_category:
            remembered[key] = chosen.limit_category
        return remembered.get(key)


if __name__ == "__main__":
    main(StaleLimitData)
