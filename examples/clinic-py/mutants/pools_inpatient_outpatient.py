#!/usr/bin/env python3
# breaks: PRV-2
# Bug: keeps one month total per patient and institution for 入院 and 外来 together, so an
# outpatient visit after an inpatient stay in the same month is charged as if the stay's
# payments counted towards its cap (and a stay after outpatient visits is charged less).
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class PoolsInpatientOutpatient(Clinic):
    def claim_of(self, care):
        return "month"


if __name__ == "__main__":
    main(PoolsInpatientOutpatient)
