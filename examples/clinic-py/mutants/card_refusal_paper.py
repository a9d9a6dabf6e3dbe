#!/usr/bin/env python3
# breaks: PRV-1
# Bug: when the registry refuses the card itself (expired or revoked certificate, not
# registered) or the reader verifies nobody, the desk takes the paper 資格確認書 as it is and
# never confirms its numbers online, although the registry is up.
import os, sys; sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # noqa: E401,E702
from adapter import main
from clinic import Clinic


class CardRefusalPaper(Clinic):
    def card_route_failed(self, answer):
        return False


if __name__ == "__main__":
    main(CardRefusalPaper)
