#!/usr/bin/env python3
# breaks: REG-9
# Bug: writes request files directly under their final name, in two parts with a pause in
# between, so the terminal can see a half-written request (no temporary name, no rename).
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
import time
from adapter import main
from clinic import Clinic


class HalfWrittenRequests(Clinic):
    def write_request(self, folder, name, data):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            time.sleep(0.3)
            f.write(data[len(data) // 2:])


if __name__ == "__main__":
    main(HalfWrittenRequests)
