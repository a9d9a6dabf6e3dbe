#!/usr/bin/env python3
# breaks: PRV-7
# Bug: marks visits settled on paper during an outage as "confirm later" but never confirms
# them when the registry is back.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class NoRetry(Clinic):
    def retry_owed_confirmations(self, now):
        pass


if __name__ == "__main__":
    main(NoRetry)
