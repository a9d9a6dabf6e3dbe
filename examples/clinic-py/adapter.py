#!/usr/bin/env python3
"""The conformance adapter of clinic-py (onshi-cap/1, docs/adapter-protocol.md).

onshi starts this program once per scenario and talks to it over standard input/output, one
JSON object per line. The loop, the typed messages and the error replies are the Python
starter's helper (examples/adapter-starters/python/onshi_adapter.py, imported from there);
this file only hands each message to the clinic and its record back.

    python3 examples/clinic-py/adapter.py

A mutant (mutants/*.py) runs the same loop with a subclass of Clinic: `main(MutantClinic)`.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(HERE, os.pardir, "adapter-starters", "python"))

import onshi_adapter  # noqa: E402
from onshi_adapter import (  # noqa: E402
    Done, Hello, Observe, Outage, ProtocolError, Ready, Recorded, SystemInfo, Time, Visit,
    moment)

from clinic import Clinic, OqsFolder  # noqa: E402

PROTOCOL = onshi_adapter.PROTOCOL


class Adapter(onshi_adapter.Adapter):
    """Hands each message to a `Clinic` (or a mutant's subclass) created at `hello`."""

    def __init__(self, clinic_class=Clinic):
        super().__init__()
        self.clinic_class = clinic_class
        self.clinic = None

    def hello(self, msg: Hello) -> Ready:
        oqs = msg.oqs
        folder = OqsFolder(oqs.root, oqs.req, oqs.res, oqs.face)
        self.clinic = self.clinic_class(folder, [dict(key=i.key, code=i.code, name=i.name)
                                                 for i in msg.institutions])
        return Ready(SystemInfo(self.clinic.name, self.clinic.version))

    def visit(self, msg: Visit) -> Recorded:
        return Recorded.from_dict(self.clinic.recorded(self.clinic.visit(msg.raw)))

    def observe(self, msg: Observe) -> Recorded:
        rec = self.clinic.visits.get(msg.visit)
        if rec is None:
            raise ProtocolError("no visit %r" % msg.visit)
        return Recorded.from_dict(self.clinic.recorded(rec))

    def time(self, msg: Time) -> Done:
        self.clinic.time_passed(moment(msg.now))
        return Done()

    def outage(self, msg: Outage) -> Done:
        self.clinic.outage_announced(msg.raw)
        return Done()

    def run(self, stdin=None, stdout=None) -> None:
        """Serves onshi (the process's own standard input and output unless given)."""
        onshi_adapter.run(self, stdin, stdout)


def main(clinic_class=Clinic) -> None:
    Adapter(clinic_class).run()


if __name__ == "__main__":
    main()
