#!/usr/bin/env python3
# breaks: INS-2
# Bug: 後期高齢者 (1割) starts on 「75歳に達する日」 (the day before the 75th birthday) instead of
# the birthday itself; it shows on the paths that use the age rule (申立書, 資格確認書 during an
# outage) on the day before the birthday.
import datetime as dt
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic, reaches_age_on


class SeventyFiveOnReachingDay(Clinic):
    def normal_ratio(self, birth, on):
        if on >= reaches_age_on(birth, 75):
            return 10
        return super().normal_ratio(birth, on)


if __name__ == "__main__":
    main(SeventyFiveOnReachingDay)
