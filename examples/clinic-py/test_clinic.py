"""Unit tests of clinic-py: age and charging rules, result-file reading, the folder client.

    python3 -m unittest discover examples/clinic-py

A tiny fake 資格確認端末 (a thread watching req/) answers requests so that the desk can be
tested without onshi; the end-to-end check is `onshi run scenarios/ --adapter …`.
"""

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import tempfile
import threading
import time
import unittest

from adapter import Adapter
from clinic import (Clinic, OqsFolder, Qualification, late_elderly_first_day, plain_copay,
                    preschool_last_day, reaches_age_on, same_name)

D = dt.date
CLINIC = "1310143217"

FACE_TEMPLATE = """<?xml version="1.0" encoding="{enc}" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <ProcessExecutionTime>20260410090000</ProcessExecutionTime>
    <QualificationConfirmationDate>20260410</QualificationConfirmationDate>
    <MedicalInstitutionCode>1310143217</MedicalInstitutionCode>
    <ArbitraryFileIdentifier>ArnHCeDfNjMCFzg=</ArbitraryFileIdentifier>
    <ReferenceClassification>1</ReferenceClassification>
    <SegmentOfResult>{segment}</SegmentOfResult>{error}
    <CharacterCodeIdentifier>{cci}</CharacterCodeIdentifier>
  </MessageHeader>
  <MessageBody>
    <ProcessingResultStatus>{status}</ProcessingResultStatus>{body_error}{validity}
    <ResultList>{results}</ResultList>
  </MessageBody>
</XmlMsg>
"""

RESULT_TEMPLATE = """
      <ResultOfQualificationConfirmation>
        <InsuredCardClassification>01</InsuredCardClassification>
        <InsurerNumber>{insurer}</InsurerNumber>
        <InsuredCardSymbol>1234</InsuredCardSymbol>
        <InsuredIdentificationNumber>5678</InsuredIdentificationNumber>
        <InsuredBranchNumber>00</InsuredBranchNumber>
        <PersonalFamilyClassification>1</PersonalFamilyClassification>
        <Name>{name}</Name>
        <Sex1>1</Sex1>
        <Birthdate>19800510</Birthdate>
        <InsuredPartialContributionRatio>{ratio}</InsuredPartialContributionRatio>{extra}
      </ResultOfQualificationConfirmation>"""


def face_xml(enc="UTF-8", validity="1", name="山田　太郎", ratio="030", extra="",
             insurer="01130012", error=None, results=1, card_error=None):
    """`error`: a header error (SegmentOfResult 9: outage, unknown institution…);
    `card_error`: a person-level refusal in the body (SegmentOfResult 1, status 2)."""
    segment, status, err, body_err = "1", "1", "", ""
    if error:
        segment, status = "9", "2"
        err = "\n    <ErrorCode>%s</ErrorCode>\n    <ErrorMessage>止まっています</ErrorMessage>" % error
        results = 0
    if card_error:
        status = "2"
        body_err = ("\n    <ProcessingResultCode>%s</ProcessingResultCode>"
                    "\n    <ProcessingResultMessage>使えません</ProcessingResultMessage>" % card_error)
        results = 0
    text = FACE_TEMPLATE.format(
        enc=enc, segment=segment, error=err, status=status, body_error=body_err,
        cci="1" if enc == "Shift_JIS" else "0",
        validity="" if error else "\n    <QualificationValidity>%s</QualificationValidity>" % validity,
        results="".join(RESULT_TEMPLATE.format(insurer=insurer, name=name, ratio=ratio, extra=extra)
                        for _ in range(results)))
    return text.encode("cp932" if enc == "Shift_JIS" else "utf-8")


class FakeTerminal(threading.Thread):
    """Answers every request in req/ with `answer(name, bytes)`; keeps what it saw."""

    def __init__(self, root, answer):
        super().__init__(daemon=True)
        self.root, self.answer = root, answer
        self.seen, self.partial = [], []
        self.stop = False

    def run(self):
        req = os.path.join(self.root, "req")
        while not self.stop:
            for name in sorted(os.listdir(req)):
                if name.startswith(".") or name.endswith(".tmp"):
                    continue
                path = os.path.join(req, name)
                with open(path, "rb") as f:
                    data = f.read()
                if not data.rstrip().endswith(b"</XmlMsg>"):
                    self.partial.append(name)
                    continue
                os.remove(path)
                self.seen.append((name, data))
                res = name.replace("req_", "res_", 1)
                tmp = os.path.join(self.root, "res", ".part-" + res)
                with open(tmp, "wb") as f:
                    f.write(self.answer(name, data))
                os.replace(tmp, os.path.join(self.root, "res", res))
            time.sleep(0.005)


class Desk(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="clinic-py-")
        for d in ("req", "res", "face"):
            os.mkdir(os.path.join(self.root, d))
        self.terminal = None

    def tearDown(self):
        if self.terminal:
            self.terminal.stop = True
            self.terminal.join(1)
        shutil.rmtree(self.root)

    def serve(self, answer):
        self.terminal = FakeTerminal(self.root, answer)
        self.terminal.start()

    def clinic(self, cls=Clinic):
        return cls(OqsFolder(self.root), [{"key": "clinic", "code": CLINIC, "name": "x"}])

    def face(self, data, name="OQSsiquc01res_face_131014321700000000000000000001_20260410090000.xml"):
        with open(os.path.join(self.root, "face", name), "wb") as f:
            f.write(data)
        return name

    def visit_msg(self, **kw):
        msg = {"type": "visit", "visit": "v", "now": "2026-04-10T09:00:00+09:00",
               "institution": CLINIC,
               "patient": {"key": "taro", "name": "山田　太郎", "kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
                           "birthdate": "19800510", "intake_form": {"my_number": "912345678901"}},
               "presents": "card", "face_file": None,
               "certificate": {"insurer_number": "01130012", "symbol": "1234", "number": "5678",
                               "branch": "00", "birthdate": "19800510"},
               "limit_consent": False, "fee": {"total": 4000, "many_times": False},
               "care": "outpatient"}
        msg.update(kw)
        return msg


class AgeRules(unittest.TestCase):
    def test_an_age_is_reached_the_day_before_the_birthday(self):
        self.assertEqual(reaches_age_on(D(1956, 6, 1), 70), D(2026, 5, 31))
        self.assertEqual(reaches_age_on(D(1956, 2, 29), 70), D(2026, 2, 28))

    def test_seventy_from_the_first_of_the_next_month_or_the_birthday_month_for_the_first(self):
        c = Clinic(OqsFolder("/nonexistent"))
        born_first = D(1956, 6, 1)
        self.assertEqual(c.normal_ratio(born_first, D(2026, 5, 31)), 30)
        self.assertEqual(c.normal_ratio(born_first, D(2026, 6, 1)), 20)
        born_second = D(1956, 6, 2)
        self.assertEqual(c.normal_ratio(born_second, D(2026, 6, 2)), 30)  # the birthday itself
        self.assertEqual(c.normal_ratio(born_second, D(2026, 6, 30)), 30)
        self.assertEqual(c.normal_ratio(born_second, D(2026, 7, 1)), 20)

    def test_preschool_and_seventy_five(self):
        self.assertEqual(preschool_last_day(D(2019, 4, 1)), D(2025, 3, 31))
        self.assertEqual(preschool_last_day(D(2019, 4, 2)), D(2026, 3, 31))
        self.assertEqual(late_elderly_first_day(D(1951, 5, 20)), D(2026, 5, 20))
        c = Clinic(OqsFolder("/nonexistent"))
        self.assertEqual(c.normal_ratio(D(1951, 5, 20), D(2026, 5, 19)), 20)
        self.assertEqual(c.normal_ratio(D(1951, 5, 20), D(2026, 5, 20)), 10)
        self.assertEqual(c.normal_ratio(D(2019, 4, 2), D(2026, 3, 31)), 20)


class Charging(unittest.TestCase):
    def setUp(self):
        self.c = Clinic(OqsFolder("/nonexistent"))

    def cap(self, cat, total, on=D(2026, 6, 3), many=False, inpatient=False, halved=False):
        return self.c.self_pay_cap(cat, on, total, many, inpatient, halved)

    def test_copay_rounds_to_ten_yen_half_up(self):
        self.assertEqual(plain_copay(12340, 30), 3700)
        self.assertEqual(plain_copay(4560, 30), 1370)
        self.assertEqual(plain_copay(7770, 30), 2330)
        self.assertEqual(plain_copay(15, 30), 0)
        self.assertEqual(plain_copay(17, 30), 10)

    def test_formula_and_fixed_caps(self):
        self.assertEqual(self.cap("A01", 1000000), 254180)
        self.assertEqual(self.cap("A02", 1000000), 171820)
        self.assertEqual(self.cap("A03", 1000000), 87430)
        self.assertEqual(self.cap("A03", 200000), 80100)
        self.assertEqual(self.cap("A04", 300000), 57600)
        self.assertEqual(self.cap("A06", 300000), 35400)

    def test_many_times_replaces_the_monthly_cap_but_not_the_outpatient_one(self):
        self.assertEqual(self.cap("A01", 1000000, many=True), 140100)
        self.assertEqual(self.cap("A05", 200000, many=True), 24600)
        self.assertEqual(self.cap("B04", 100000, many=True), 18000)
        self.assertEqual(self.cap("B04", 100000, many=True, inpatient=True), 44400)
        self.assertEqual(self.cap("B05", 100000, many=True, inpatient=True), 24600)

    def test_b09_consideration_measure_and_halving(self):
        self.assertEqual(self.cap("B09", 100000, on=D(2025, 9, 10)), 13000)
        self.assertEqual(self.cap("B09", 100000, on=D(2025, 10, 1)), 18000)
        self.assertEqual(self.cap("B04", 100000, halved=True), 9000)
        self.assertEqual(self.cap("A03", 1000000, halved=True), 40050 + 8665)  # threshold halves too: 133,500

    def test_no_rule_before_the_table(self):
        self.assertIsNone(self.cap("A03", 1000000, on=D(2014, 12, 31)))


class Identity(unittest.TestCase):
    """The 2023 紐付け誤り: a result of someone else must not be billed."""

    def result(self, name, birthdate):
        return Qualification(insurer_number="01130012", symbol=None, number="1", branch="00",
                             name=name, birthdate=birthdate, copay_percent=30,
                             limit_category=None, disease_caps=[], consents={})

    def test_names_match_with_substituted_characters_only(self):
        self.assertTrue(same_name("髙橋　一郎", "髙橋　一郎"))
        self.assertTrue(same_name("●橋　一郎", "髙橋　一郎"))
        self.assertFalse(same_name("鈴木　一郎", "鈴木　次郎"))
        self.assertFalse(same_name("●橋　一", "髙橋　一郎"))

    def test_a_result_of_someone_else_is_not_the_patient(self):
        c = Clinic(OqsFolder("/nonexistent"))
        patient = {"name": "鈴木　次郎", "birthdate": "19780909"}
        self.assertTrue(c.is_patient(self.result("鈴木　次郎", "19780909"), patient))
        self.assertFalse(c.is_patient(self.result("鈴木　一郎", "19750404"), patient))
        self.assertFalse(c.is_patient(self.result("鈴木　次郎", "19750404"), patient))


class ResultFiles(unittest.TestCase):
    def setUp(self):
        self.c = Clinic(OqsFolder("/nonexistent"))

    def test_shift_jis_files_are_read_as_declared_with_cp932_characters(self):
        a = self.c.parse_result(face_xml(enc="Shift_JIS", name="髙﨑　花子"))
        self.assertEqual(a.results[0].name, "髙﨑　花子")
        self.assertEqual(a.validity, 1)
        self.assertEqual(a.results[0].copay_percent, 30)

    def test_six_digit_insurer_numbers_lose_their_padding(self):
        a = self.c.parse_result(face_xml(insurer="  138016"))
        self.assertEqual(a.results[0].insurer_number, "138016")

    def test_outage_answers_are_refusals_owing_a_confirmation(self):
        a = self.c.parse_result(face_xml(error="ONS-E0202"))
        self.assertTrue(a.refused and a.registry_unavailable)
        a = self.c.parse_result(face_xml(error="ONS-E0009"))
        self.assertTrue(a.refused)
        self.assertFalse(a.registry_unavailable)

    def test_limit_disease_and_consent_data(self):
        extra = """
        <LimitApplicationCertificateRelatedInfo>
          <LimitApplicationCertificateClassification>01</LimitApplicationCertificateClassification>
          <LimitApplicationCertificateClassificationFlag>A03</LimitApplicationCertificateClassificationFlag>
        </LimitApplicationCertificateRelatedInfo>
        <SpecificDiseasesCertificateList><SpecificDiseasesCertificateInfo>
          <SpecificDiseasesDiseaseCategory>1</SpecificDiseasesDiseaseCategory>
          <SpecificDiseasesSelfPay>10000</SpecificDiseasesSelfPay>
        </SpecificDiseasesCertificateInfo></SpecificDiseasesCertificateList>
        <PharmacistsInfoConsFlg>1</PharmacistsInfoConsFlg>
        <PharmacistsInfoAvailableTime>20260411090000</PharmacistsInfoAvailableTime>
        <SpecificHealthCheckupsInfoConsFlg>2</SpecificHealthCheckupsInfoConsFlg>"""
        r = self.c.parse_result(face_xml(extra=extra)).results[0]
        self.assertEqual(r.limit_category, "A03")
        self.assertEqual(r.disease_caps, [10000])
        now = dt.datetime(2026, 4, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))
        self.assertTrue(self.c.consented(r, "medication", now))
        self.assertFalse(self.c.consented(r, "checkup", now))
        self.assertFalse(self.c.consented(r, "treatment", now))


class Visits(Desk):
    def test_card_visit_confirmed_with_consented_medication_only(self):
        extra = "\n        <PharmacistsInfoConsFlg>1</PharmacistsInfoConsFlg>" \
                "\n        <SpecificHealthCheckupsInfoConsFlg>0</SpecificHealthCheckupsInfoConsFlg>"
        self.serve(lambda name, data: b'<?xml version="1.0" encoding="UTF-8"?><XmlMsg>'
                   b'<MessageHeader><ResultCode>1</ResultCode></MessageHeader></XmlMsg>')
        c = self.clinic()
        rec = c.visit(self.visit_msg(face_file=self.face(face_xml(extra=extra))))
        self.assertEqual((rec.path, rec.copay_percent, rec.charged), ("confirmed", 30, 1200))
        self.assertEqual((rec.insurer_number, rec.number, rec.branch), ("01130012", "5678", "00"))
        self.assertEqual(rec.fetched, ["medication"])
        self.assertEqual([n[:13] for n, _ in self.terminal.seen], ["YZKsiquc01req"])
        line = json.dumps(c.recorded(rec), ensure_ascii=False)
        self.assertNotIn("912345678901", line)

    def test_paper_visit_sends_the_numbers_with_the_patients_limit_answer(self):
        self.serve(lambda name, data: face_xml(validity="4", results=0))
        c = self.clinic()
        rec = c.visit(self.visit_msg(presents="eligibility_certificate", limit_consent=False,
                                     fee={"total": 7770, "many_times": False}))
        self.assertEqual((rec.path, rec.copay_percent, rec.charged), ("declaration_form", 30, 2330))
        self.assertIsNone(rec.insurer_number)
        (name, data), = self.terminal.seen
        self.assertTrue(name.startswith("OQSsiquc01req_"))
        self.assertIn(b"<LimitApplicationCertificateRelatedConsFlg>0<", data)
        self.assertIn(b"<QualificationConfirmationDate>20260410<", data)
        self.assertEqual(self.terminal.partial, [])

    def test_outage_falls_back_to_paper_and_retries_when_time_passes(self):
        answers = [face_xml(error="ONS-E0202"), face_xml()]
        self.serve(lambda name, data: answers.pop(0))
        c = self.clinic()
        c.outage_announced({"from": "2026-04-10T08:00:00+09:00", "until": "2026-04-10T15:00:00+09:00"})
        rec = c.visit(self.visit_msg(face_file=self.face(face_xml(error="ONS-E0202"))))
        self.assertEqual((rec.path, rec.confirm_later, rec.charged), ("paper_certificate", True, 1200))
        c.time_passed(dt.datetime.fromisoformat("2026-04-10T12:00:00+09:00"))
        self.assertEqual(self.terminal.seen, [], "nothing sent during the announced outage")
        c.time_passed(dt.datetime.fromisoformat("2026-04-10T16:00:00+09:00"))  # still refused
        self.assertTrue(rec.confirm_later)
        c.time_passed(dt.datetime.fromisoformat("2026-04-11T10:00:00+09:00"))
        self.assertEqual(rec.confirmed_later, {"on": "2026-04-11", "validity": 1})
        self.assertFalse(rec.confirm_later)
        self.assertIn(b"<QualificationConfirmationDate>20260410<", self.terminal.seen[-1][1])

    def test_a_refused_card_is_confirmed_by_the_papers_numbers(self):
        # Revoked certificate (any error that is not an outage): the registry works, so the
        # desk confirms by the 資格確認書 numbers and settles from that answer.
        self.serve(lambda name, data: face_xml())
        c = self.clinic()
        rec = c.visit(self.visit_msg(face_file=self.face(face_xml(card_error="ONS-E0104"))))
        self.assertEqual(len(self.terminal.seen), 1)
        self.assertTrue(self.terminal.seen[0][0].startswith("OQSsiquc01req_"))
        self.assertEqual((rec.path, rec.insurer_number, rec.number, rec.relation, rec.confirm_later),
                         ("confirmed", "01130012", "5678", "insured", False))

    def test_a_registry_side_error_is_settled_on_the_paper_without_asking(self):
        # An unknown institution is the registry's error (header, SegmentOfResult 9): numbers
        # would not help; the paper's numbers are recorded and nothing is owed.
        self.serve(lambda name, data: face_xml())
        c = self.clinic()
        rec = c.visit(self.visit_msg(face_file=self.face(face_xml(error="ONS-E0009"))))
        self.assertEqual(self.terminal.seen, [])
        self.assertEqual((rec.path, rec.number, rec.confirm_later),
                         ("paper_certificate", "5678", False))

    def test_no_face_file_is_confirmed_by_the_papers_numbers_or_a_declaration(self):
        self.serve(lambda name, data: face_xml())
        c = self.clinic()
        rec = c.visit(self.visit_msg(face_file=None))
        self.assertEqual((rec.path, rec.number, rec.charged), ("confirmed", "5678", 1200))
        rec = c.visit(self.visit_msg(visit="w", face_file=None, certificate=None))
        self.assertEqual((rec.path, rec.number, rec.charged), ("declaration_form", None, 1200))
        self.assertEqual(len(self.terminal.seen), 1, "no request without numbers")

    def test_month_totals_cap_later_visits(self):
        extra = """
        <LimitApplicationCertificateRelatedInfo>
          <LimitApplicationCertificateClassificationFlag>A04</LimitApplicationCertificateClassificationFlag>
        </LimitApplicationCertificateRelatedInfo>"""
        c = self.clinic()
        charged = []
        for i, fee in enumerate((150000, 150000, 50000)):
            name = self.face(face_xml(extra=extra), name="OQSsiquc01res_face_%d_20260410090000.xml" % i)
            rec = c.visit(self.visit_msg(visit="v%d" % i, face_file=name,
                                         fee={"total": fee, "many_times": False}))
            charged.append((rec.cap, rec.charged))
        self.assertEqual(charged, [(57600, 45000), (57600, 12600), (57600, 0)])

    def test_inpatient_and_outpatient_are_separate_month_totals(self):
        def limit(code):
            return """
        <LimitApplicationCertificateRelatedInfo>
          <LimitApplicationCertificateClassificationFlag>%s</LimitApplicationCertificateClassificationFlag>
        </LimitApplicationCertificateRelatedInfo>""" % code

        def month(code, ratio, visits):
            c = self.clinic()
            out = []
            for i, (care, fee) in enumerate(visits):
                name = self.face(face_xml(extra=limit(code), ratio=ratio),
                                 name="OQSsiquc01res_face_%s%d_20260410090000.xml" % (code, i))
                rec = c.visit(self.visit_msg(visit="v%d" % i, face_file=name, care=care,
                                             fee={"total": fee, "many_times": False}))
                out.append((rec.cap, rec.charged))
            return out

        # A03, 3割. 外来 100,000 → 30,000 (cap 80,100); 入院 1,000,000 → its own claim: cap
        # 80,100 + 7,330 = 87,430; 外来 200,000 → 入院外 total 300,000: cap 80,430 − 30,000
        # = 50,430. (One pooled total: 58,430, then 2,000.)
        self.assertEqual(
            month("A03", "030", [("outpatient", 100000), ("inpatient", 1000000),
                                 ("outpatient", 200000)]),
            [(80100, 30000), (87430, 87430), (80430, 50430)])
        # B04, 2割. 外来 50,000 → 10,000 (外来 cap 18,000); 入院 400,000 → 57,600 on its own
        # claim; 外来 50,000 → 18,000 − 10,000 = 8,000. (Pooled: 47,600, then 0.)
        self.assertEqual(
            month("B04", "020", [("outpatient", 50000), ("inpatient", 400000),
                                 ("outpatient", 50000)]),
            [(18000, 10000), (57600, 57600), (18000, 8000)])


class Protocol(Desk):
    """The adapter over the Python starter's helper (onshi_adapter.run)."""

    def hello(self):
        return {"type": "hello", "protocol": "onshi-cap/1", "scenario": "x", "seed": 1,
                "now": "2026-04-10T09:00:00+09:00",
                "oqs": {"root": self.root, "req": os.path.join(self.root, "req"),
                        "res": os.path.join(self.root, "res"),
                        "face": os.path.join(self.root, "face"),
                        "http": "http://127.0.0.1:1", "encoding": "utf8"},
                "institutions": [{"key": "clinic", "code": CLINIC, "name": "x"}]}

    def replies(self, adapter, lines):
        out = io.StringIO()
        with contextlib.redirect_stderr(io.StringIO()):
            adapter.run(io.StringIO("".join(json.dumps(m) + "\n" for m in lines)), out)
        return [json.loads(line) for line in out.getvalue().splitlines()]

    def test_errors_instead_of_replies(self):
        class Closed(Clinic):
            def visit(self, msg):
                raise RuntimeError("the desk is closed")

        replies = self.replies(Adapter(Closed), [
            self.visit_msg(), self.hello(), self.visit_msg(),
            {"type": "observe", "visit": "v", "now": "2026-04-10T10:00:00+09:00"},
            {"type": "end", "now": "2026-04-10T10:00:00+09:00"}])
        self.assertEqual([r["type"] for r in replies], ["error", "ready", "error", "error", "bye"])
        self.assertIn("visit before hello", replies[0]["message"])
        self.assertEqual(replies[2]["message"], "RuntimeError: the desk is closed")
        self.assertIn("no visit 'v'", replies[3]["message"])

    def test_time_and_outage_reach_the_clinic(self):
        adapter = Adapter()
        replies = self.replies(adapter, [
            self.hello(),
            {"type": "outage", "now": "2026-04-10T09:00:00+09:00", "kind": "emergency",
             "from": "2026-04-10T09:00:00+09:00", "until": "2026-04-10T15:00:00+09:00"},
            {"type": "time", "now": "2026-04-10T16:00:00+09:00"},
            {"type": "end", "now": "2026-04-10T16:00:00+09:00"}])
        self.assertEqual([r["type"] for r in replies], ["ready", "done", "done", "bye"])
        self.assertEqual(adapter.clinic.outages, [
            (dt.datetime.fromisoformat("2026-04-10T09:00:00+09:00"),
             dt.datetime.fromisoformat("2026-04-10T15:00:00+09:00"))])

    def test_hello_visit_observe_end(self):
        lines = [
            self.hello(),
            self.visit_msg(face_file=self.face(face_xml())),
            {"type": "observe", "visit": "v", "now": "2026-04-10T10:00:00+09:00"},
            {"type": "end", "now": "2026-04-10T10:00:00+09:00"},
        ]
        out = io.StringIO()
        Adapter().run(io.StringIO("".join(json.dumps(m) + "\n" for m in lines)), out)
        replies = [json.loads(l) for l in out.getvalue().splitlines()]
        self.assertEqual([r["type"] for r in replies], ["ready", "recorded", "recorded", "bye"])
        self.assertEqual(set(replies[1]), {
            "type", "visit", "path", "insurer_number", "symbol", "number", "branch", "relation",
            "name", "copay_percent", "limit_category", "cap", "charged", "fetched",
            "confirm_later", "confirmed_later", "stored"})
        self.assertNotIn("912345678901", out.getvalue())


if __name__ == "__main__":
    unittest.main()


class Mutants(unittest.TestCase):
    """Every mutant names the requirement it breaks and overrides exactly one method."""

    def test_each_mutant_overrides_one_method_and_names_a_requirement(self):
        import importlib.util
        import re
        import clinic as base
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mutants")
        names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))
        self.assertGreaterEqual(len(names), 10)
        for name in names:
            with self.subTest(mutant=name):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    self.assertRegex(f.read(), re.compile(r"^# breaks: [A-Z]+-\d+$", re.M))
                spec = importlib.util.spec_from_file_location("mutant_" + name[:-3], path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                classes = [c for c in vars(module).values()
                           if isinstance(c, type) and issubclass(c, base.Clinic) and c is not base.Clinic]
                self.assertEqual(len(classes), 1)
                overridden = [k for k, v in vars(classes[0]).items() if callable(v)]
                self.assertEqual(len(overridden), 1, overridden)
