#!/usr/bin/env python3
# breaks: REG-11
# Bug: the insurer's 異動 file names the 被保険者 on every row, and the import files each
# dependent's (家族) 資格 under the 被保険者's link, so the 被保険者's card also answers with the
# family's names and birth dates.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from proxy import Registry, main  # noqa: E402


class FamilyFiledUnderInsured(Registry):
    def feed_records(self, records):
        out = []
        for rec in records:
            if rec.get("type") == "qualification" and rec.get("relation") != "1":
                insured = self.insured_of(rec)
                if insured is not None:
                    rec = dict(rec, linkedTo=insured)
            out.append(rec)
        return out

    def insured_of(self, dependent):
        """The link of the 本人 with the same 保険者番号・記号・番号."""
        for key, rec in self.facts.items():
            if (key.startswith("qualification/") and rec.get("relation") == "1"
                    and rec["insurer"] == dependent["insurer"]
                    and rec["symbol"] == dependent["symbol"]
                    and rec["number"] == dependent["number"]):
                return rec["member"]
        return None


if __name__ == "__main__":
    main(FamilyFiledUnderInsured)
