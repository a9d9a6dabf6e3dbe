#!/usr/bin/env python3
# breaks: REG-3
# Bug: the per-insurer report counts 利用登録 applications, not people: someone who registers
# again (after a card reissue, say) is counted twice.
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class CountsApplications(Registry):
    def answer(self, method, path, status, content_type, body):
        if path != "/onshi/registry/counts" or status != 200:
            return body
        counts = json.loads(body).get("counts", {})
        per_holder = {}
        for key, rec in self.facts.items():
            if key.startswith("registration/"):
                per_holder[rec["holder"]] = per_holder.get(rec["holder"], 0) + 1
        for holder, n in per_holder.items():
            insurer = self.insurer_of(holder)
            if n > 1 and insurer in counts:
                counts[insurer] += n - 1
        return json.dumps({"counts": counts}).encode("utf-8")

    def insurer_of(self, holder):
        for key, rec in self.facts.items():
            if key.startswith("qualification/") and rec["member"] == holder and not rec["lost"]:
                return rec["insurer"]
        return None


if __name__ == "__main__":
    main(CountsApplications)
