#!/usr/bin/env python3
"""The conformance adapter of clinic-py (onshi-cap/1, docs/adapter-protocol.md).

onshi starts this program once per scenario and talks to it over standard input/output, one
JSON object per line: it reads a message, lets the clinic do what its desk does, writes
exactly one reply line and flushes. Standard error is free text for diagnostics.

    python3 examples/clinic-py/adapter.py

A mutant (mutants/*.py) runs the same loop with a subclass of Clinic: `main(MutantClinic)`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clinic import Clinic, OqsFolder  # noqa: E402

PROTOCOL = "onshi-cap/1"


class Adapter:
    def __init__(self, clinic_class=Clinic):
        self.clinic_class = clinic_class
        self.clinic = None

    def handle(self, msg: dict) -> dict:
        kind = msg.get("type")
        if kind == "hello":
            if msg.get("protocol") != PROTOCOL:
                return {"type": "error", "message": "this adapter speaks %s only" % PROTOCOL}
            oqs = msg.get("oqs") or {}
            root = oqs.get("root") or os.environ.get("ONSHI_OQS_ROOT", ".")
            folder = OqsFolder(root, oqs.get("req"), oqs.get("res"), oqs.get("face"))
            self.clinic = self.clinic_class(folder, msg.get("institutions") or [])
            return {"type": "ready", "protocol": PROTOCOL,
                    "system": {"name": self.clinic.name, "version": self.clinic.version}}
        if self.clinic is None:
            return {"type": "error", "message": "%s before hello" % kind}
        if kind == "visit":
            return self.clinic.recorded(self.clinic.visit(msg))
        if kind == "observe":
            rec = self.clinic.visits.get(msg.get("visit"))
            if rec is None:
                return {"type": "error", "message": "no visit %r" % msg.get("visit")}
            return self.clinic.recorded(rec)
        if kind == "time":
            self.clinic.time_passed(dt.datetime.fromisoformat(msg["now"]))
            return {"type": "done"}
        if kind == "outage":
            self.clinic.outage_announced(msg)
            return {"type": "done"}
        if kind == "end":
            return {"type": "bye"}
        return {"type": "error", "message": "unknown message type %r" % kind}

    def run(self, stdin, stdout) -> None:
        for line in stdin:
            if not line.strip():
                continue
            try:
                msg = json.loads(line)
                reply = self.handle(msg)
            except Exception as e:  # the desk failed: say so instead of a reply
                traceback.print_exc(file=sys.stderr)
                msg, reply = {}, {"type": "error", "message": "%s: %s" % (type(e).__name__, e)}
            stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
            stdout.flush()
            if msg.get("type") == "end":
                break


def main(clinic_class=Clinic) -> None:
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", closefd=False)
    stdout = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
    Adapter(clinic_class).run(stdin, stdout)


if __name__ == "__main__":
    main()
