#!/usr/bin/env python3
# breaks: PRV-6
# Bug: reads every result file as UTF-8 (errors='replace') whatever its XML declaration says,
# so a Shift_JIS file's names become mojibake silently.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class SjisAsUtf8(Clinic):
    def decode_result_bytes(self, data):
        return data.decode("utf-8", errors="replace")


if __name__ == "__main__":
    main(SjisAsUtf8)
