#!/usr/bin/env python3
# breaks: PRV-4
# Bug: treats 資格有効性 3 (無効・新しい資格あり) as "not insured" and charges 10割 instead of
# following the new qualification at the normal ratio.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import PATH_FOLLOWED_NEW, Clinic


class Validity3Uninsured(Clinic):
    def copay_for(self, path, chosen, birth, on):
        if path == PATH_FOLLOWED_NEW:
            return 100
        return super().copay_for(path, chosen, birth, on)


if __name__ == "__main__":
    main(Validity3Uninsured)
