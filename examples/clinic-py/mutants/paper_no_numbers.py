#!/usr/bin/env python3
# breaks: PRV-7
# Bug: a visit settled on the paper 資格確認書 during an outage is recorded without the paper's
# insurance numbers, so the visit cannot be billed until the owed confirmation comes back.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import PATH_PAPER, Clinic


class PaperNoNumbers(Clinic):
    def settle(self, rec, answer, patient, fee, care, now):
        super().settle(rec, answer, patient, fee, care, now)
        if rec.path == PATH_PAPER:
            rec.insurer_number = rec.symbol = rec.number = rec.branch = rec.relation = None


if __name__ == "__main__":
    main(PaperNoNumbers)
