#!/usr/bin/env python3
"""The onshi conformance adapter of my system (onshi-cap/1, docs/adapter-protocol.md).

onshi starts this program once per scenario and talks to it over standard input/output, one
JSON object per line; onshi_adapter.py (beside this file) runs that loop. Fill in `visit`
(and `observe`, `time`, `outage` as your system needs), then run the provider suite:

    onshi run scenarios/ --adapter "python3 path/to/adapter.py" --out reports

Until `visit` is written, every scenario fails on its checks (the handshake passes).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from onshi_adapter import (  # noqa: E402
    Adapter, Done, Hello, Outage, Ready, Recorded, Time, Visit, log, moment, run)


class MyAdapter(Adapter):
    name = "my-system"  # how the reports name the system under test
    version = "0.1"

    def hello(self, msg: Hello) -> Ready:
        # A new scenario: a fresh process, an empty database. The OQS folders of this scenario
        # are msg.oqs.req / .res / .face (and msg.oqs.http, the web API); the system plays
        # every institution in msg.institutions.
        self.oqs = msg.oqs
        self.institutions = {i.code: i for i in msg.institutions}
        return super().hello(msg)

    def visit(self, msg: Visit) -> Recorded:
        # TODO: what your reception desk does, before replying:
        #  - msg.presents == "card": read the face file os.path.join(self.oqs.face, msg.face_file)
        #    (None: identity not verified) in the encoding the file declares;
        #  - msg.presents == "eligibility_certificate": confirm by msg.certificate's numbers
        #    (OQSsiquc01req into self.oqs.req, write-then-rename; the answer comes in res);
        #  - fetch consented data (YZK/TKK), charge msg.fee.total at the 負担割合 and 限度額;
        #  - never keep or send msg.patient.intake_form.my_number;
        #  - take every date from moment(msg.now), never from the wall clock.
        today = moment(msg.now).date()
        log("visit %s on %s: not implemented yet" % (msg.visit, today))
        # Protocol-valid but incomplete: the scenario's checks will fail until this is real.
        return Recorded(
            visit=msg.visit,
            path="paper_certificate",
            confirm_later=False,
            stored={"todo": "the row your system keeps for this visit"},
        )

    # observe: by default the last Recorded sent for the visit. Override it when a record
    # changes later (a confirmation made after an outage sets confirmed_later).

    def time(self, msg: Time) -> Done:
        # TODO: the virtual clock moved to msg.now: retry owed confirmations (PRV-7).
        return Done()

    def outage(self, msg: Outage) -> Done:
        # The registry announced an outage (msg.kind, msg.from_, msg.until): information only.
        return Done()


if __name__ == "__main__":
    run(MyAdapter())
