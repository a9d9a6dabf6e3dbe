#!/usr/bin/env python3
# breaks: PRV-1
# Bug: bills whatever qualification the answer carries without comparing its 氏名・生年月日 with
# the patient's, so a record linked to the wrong 個人番号 (紐付け誤り) is billed to someone else's
# insurance.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class TrustsAnyName(Clinic):
    def is_patient(self, result, patient):
        return True


if __name__ == "__main__":
    main(TrustsAnyName)
