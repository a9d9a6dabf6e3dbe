#!/usr/bin/env python3
# breaks: INS-2
# Bug: 未就学 (2割) ends on the 6th birthday instead of the first 31 March on or after
# 「6歳に達する日」; it shows on the paths that use the age rule (申立書, 資格確認書 during an
# outage) between the birthday and 31 March.
import datetime as dt
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic, reaches_age_on


class PreschoolUntilBirthday(Clinic):
    def normal_ratio(self, birth, on):
        ratio = super().normal_ratio(birth, on)
        sixth_birthday = reaches_age_on(birth, 6) + dt.timedelta(days=1)
        if ratio == 20 and sixth_birthday <= on < self.elderly_first_day(birth):
            return 30
        return ratio


if __name__ == "__main__":
    main(PreschoolUntilBirthday)
