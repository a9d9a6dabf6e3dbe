#!/usr/bin/env python3
# breaks: PRV-5
# Bug: copies the whole 問診票 into the patient row, including the My Number the patient wrote.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class StoresMyNumber(Clinic):
    def admit_patient(self, patient):
        row = super().admit_patient(patient)
        row["intake_form"] = dict(patient.get("intake_form") or {})
        return row


if __name__ == "__main__":
    main(StoresMyNumber)
