#!/usr/bin/env python3
# breaks: INS-2
# Bug: the 70歳 (高齢受給者 2割) ratio starts on the 70th birthday ("age >= 70 on the visit
# date") instead of the 1st of the month after 「70歳に達する日」; it shows on the paths that use
# the age rule (資格確認書 during an outage, 申立書).
import datetime as dt
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic, reaches_age_on


class SeventyOnBirthday(Clinic):
    def elderly_first_day(self, birth):
        return reaches_age_on(birth, 70) + dt.timedelta(days=1)


if __name__ == "__main__":
    main(SeventyOnBirthday)
