#!/usr/bin/env python3
# breaks: PRV-3
# Bug: takes 同意区分 2 (同意有効期限切れ: the 24 hours are over) for a consent and asks for 薬剤 /
# 特定健診 anyway when it confirms by numbers the day after the reader consent.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class ExpiredConsentUsed(Clinic):
    def consented(self, result, kind, now):
        flag, _until = result.consents.get(kind, (None, None))
        return flag in ("1", "2")


if __name__ == "__main__":
    main(ExpiredConsentUsed)
