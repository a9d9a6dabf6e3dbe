#!/usr/bin/env python3
# breaks: PRV-1
# Bug: keeps the 負担割合 it first worked out for a patient's insurance numbers and charges it at
# every later visit with the same numbers (the ratio lives on the patient master), so a
# corrected ratio in the registry's answer (the 2023 wrong-ratio records, the 2024-12 batch
# error) or a 70th / 75th birthday on the same numbers goes unnoticed.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class StaleRatio(Clinic):
    def copay_for(self, path, chosen, birth, date):
        ratio = super().copay_for(path, chosen, birth, date)
        if chosen is None:
            return ratio
        kept = self.__dict__.setdefault("ratio_on_file", {})
        return kept.setdefault((chosen.insurer_number, chosen.symbol, chosen.number, chosen.branch), ratio)


if __name__ == "__main__":
    main(StaleRatio)
