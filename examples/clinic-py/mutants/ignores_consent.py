#!/usr/bin/env python3
# breaks: PRV-3
# Bug: asks for 薬剤情報 and 特定健診情報 after every confirmation, without looking at the
# consent flags of the result (the terminal refuses with ONS-E0105 when there is no consent).
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class IgnoresConsent(Clinic):
    def consented(self, result, kind, now):
        return True


if __name__ == "__main__":
    main(IgnoresConsent)
