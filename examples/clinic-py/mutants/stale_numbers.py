#!/usr/bin/env python3
# breaks: PRV-1
# Bug: keeps the insurance numbers on file from the patient's first visit and records those
# instead of the numbers in the answer (a job change goes unnoticed).
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class StaleNumbers(Clinic):
    def record_numbers(self, rec, chosen):
        on_file = self.patients[rec.patient_key].get("insurance")
        super().record_numbers(rec, chosen)
        if on_file:
            self.patients[rec.patient_key]["insurance"] = on_file
            rec.insurer_number, rec.symbol = on_file["insurer_number"], on_file["symbol"]
            rec.number, rec.branch = on_file["number"], on_file["branch"]


if __name__ == "__main__":
    main(StaleNumbers)
