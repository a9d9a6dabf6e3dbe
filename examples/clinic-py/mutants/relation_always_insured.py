#!/usr/bin/env python3
# breaks: PRV-1
# Bug: records every patient as 本人 (insured), ignoring the 本人・家族の別 of the answer, so a
# dependent's visit is billed as the insured's own.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class RelationAlwaysInsured(Clinic):
    def record_numbers(self, rec, chosen):
        super().record_numbers(rec, chosen)
        rec.relation = "insured"


if __name__ == "__main__":
    main(RelationAlwaysInsured)
