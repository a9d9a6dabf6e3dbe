#!/usr/bin/env python3
# breaks: PRV-2
# Bug: hard-codes LimitApplicationCertificateRelatedConsFlg=1 in confirmations by numbers
# (as one open-source client did), whatever the patient answered about sharing 限度額 data.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class AlwaysLimitConsent(Clinic):
    def limit_consent_flag(self, rec):
        return "1"


if __name__ == "__main__":
    main(AlwaysLimitConsent)
