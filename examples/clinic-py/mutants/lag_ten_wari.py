#!/usr/bin/env python3
# breaks: PRV-4
# Bug: during a job-change lag (資格有効性 2 or 4) the desk charges 10割 instead of taking a
# 被保険者資格申立書 at the patient's normal ratio.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import PATH_DECLARATION, Clinic


class LagTenWari(Clinic):
    def copay_for(self, path, chosen, birth, on):
        if path == PATH_DECLARATION:
            return 100
        return super().copay_for(path, chosen, birth, on)


if __name__ == "__main__":
    main(LagTenWari)
