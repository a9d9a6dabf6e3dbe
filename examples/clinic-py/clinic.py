"""clinic-py: a small reception system (受付・窓口会計) of a clinic, as a vendor could write it.

It talks to the 資格確認端末 through the OQS folders only:
  face/  face-authentication results (マイナ保険証 at the reader) — read, never written
  req/   our requests (資格確認 by numbers, 薬剤情報, 特定健診情報) — written atomically
  res/   the terminal's answers — polled, read, deleted
and it keeps its patients, visits and month totals in memory (one process = one day at the
desk). Everything here uses the standard library only.

What it does at the desk (see README.md):
  * マイナ保険証: reads the face file in the encoding the file declares, settles the visit
    from 資格有効性, fetches 薬剤/健診 information only under the patient's consent.
  * 資格確認書: confirms by the printed numbers (照会区分 2) with the patient's own answer on
    限度額 sharing.
  * Window payment: 負担割合 from the answer (or the age rule when there is no usable answer),
    capped by the 高額療養費 限度額 only with 限度額 data from the answer, and by the 特定疾病
    limit when the answer carries it.
  * Outages: the visit goes on with the paper 資格確認書 and a confirmation is owed; it is
    made when time passes and the registry answers again.
  * The My Number is never stored nor sent (a patient may write it on the 問診票).

The virtual clock of the messages is used for every date; the wall clock only for timeouts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Optional
from xml.sax.saxutils import escape

# ────────────────────────────────────────────────────────────────────────────────────────
# Age rules (年齢計算ニ関スル法律: an age is reached the day BEFORE the birthday)
# ────────────────────────────────────────────────────────────────────────────────────────


def same_name(written: str, known: str) -> bool:
    """Whether a result's 氏名 is the known one, a ● standing for any character the result
    file's encoding (or the registry's character set, 外字) could not carry."""
    return len(written) == len(known) and all(
        w == k or w == "●" for w, k in zip(written, known))


def parse_yyyymmdd(text: str) -> dt.date:
    return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


def reaches_age_on(birth: dt.date, age: int) -> dt.date:
    """「X歳に達する日」: the day before the X-th birthday (28 Feb for a 29 Feb birth)."""
    year = birth.year + age
    try:
        anniversary = dt.date(year, birth.month, birth.day)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)
    return anniversary - dt.timedelta(days=1)


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def preschool_last_day(birth: dt.date) -> dt.date:
    """未就学 ends on the first 31 March on or after 「6歳に達する日」."""
    six = reaches_age_on(birth, 6)
    march31 = dt.date(six.year, 3, 31)
    return march31 if six <= march31 else dt.date(six.year + 1, 3, 31)


def late_elderly_first_day(birth: dt.date) -> dt.date:
    """後期高齢者 from the 75th birthday itself."""
    return reaches_age_on(birth, 75) + dt.timedelta(days=1)


# ────────────────────────────────────────────────────────────────────────────────────────
# 高額療養費 自己負担限度額 (enacted rows; planned revisions are not applied at our desk)
# ────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Formula:
    """min(ceiling, base + (総医療費 − threshold) × rate%) — the excess part rounded to the yen."""

    base: int
    threshold: int
    rate: int = 1
    ceiling: Optional[int] = None

    def halved(self) -> "Formula":
        return Formula(self.base // 2, self.threshold // 2, self.rate,
                       None if self.ceiling is None else self.ceiling // 2)

    def amount(self, total: int) -> int:
        extra = round_half_up(max(0, total - self.threshold) * self.rate, 100)
        raw = self.base + extra
        return raw if self.ceiling is None else min(raw, self.ceiling)


NONE = "none"  # the cell does not exist for the class (no 外来特例 / no 多数回 amount)

# (categories, from, until, 世帯 monthly cap, 70+ 外来 cap, 多数回)
CAP_TABLE = [
    (("A01",), "2015-01-01", None, Formula(252600, 842000), NONE, 140100),
    (("A02",), "2015-01-01", None, Formula(167400, 558000), NONE, 93000),
    (("A03",), "2015-01-01", None, Formula(80100, 267000), NONE, 44400),
    (("A04",), "2015-01-01", None, 57600, NONE, 44400),
    (("A05", "A06"), "2015-01-01", None, 35400, NONE, 24600),
    # 70歳以上, 2017-08 〜 2018-07 (old months only; 多数回 amounts not known to us)
    (("B01", "B02", "B03"), "2017-08-01", "2018-07-31", Formula(80100, 267000), 57600, None),
    (("B04",), "2017-08-01", "2018-07-31", 57600, 14000, None),
    # 70歳以上 from 2018-08
    (("B01",), "2018-08-01", None, Formula(252600, 842000), NONE, 140100),
    (("B02",), "2018-08-01", None, Formula(167400, 558000), NONE, 93000),
    (("B03",), "2018-08-01", None, Formula(80100, 267000), NONE, 44400),
    (("B04",), "2018-08-01", None, 57600, 18000, 44400),
    (("B05",), "2017-08-01", None, 24600, 8000, NONE),
    (("B06", "B07", "B08"), "2017-08-01", None, 15000, 8000, NONE),
    # 後期 一般Ⅰ / 一般Ⅱ (2022-10 split; 一般Ⅱ 配慮措置 until 2025-09-30)
    (("B10",), "2022-10-01", None, 57600, 18000, 44400),
    (("B09",), "2022-10-01", "2025-09-30", 57600, Formula(6000, 30000, 10, 18000), 44400),
    (("B09",), "2025-10-01", None, 57600, 18000, 44400),
]


def round_half_up(numerator: int, denominator: int) -> int:
    return (numerator + denominator // 2) // denominator


def plain_copay(fee: int, percent: int) -> int:
    """一部負担金: fee × 割合, 10円未満四捨五入."""
    return round_half_up(fee * min(percent, 100), 1000) * 10


def cap_row(category: str, on: dt.date):
    rows = [r for r in CAP_TABLE
            if category in r[0] and dt.date.fromisoformat(r[1]) <= on
            and (r[2] is None or on <= dt.date.fromisoformat(r[2]))]
    return max(rows, key=lambda r: r[1]) if rows else None


# ────────────────────────────────────────────────────────────────────────────────────────
# Reading result files (資格確認結果 / face files): any element order, every leaf text
# ────────────────────────────────────────────────────────────────────────────────────────

CONSENT_ELEMENTS = {
    "medication": "PharmacistsInfo",
    "checkup": "SpecificHealthCheckupsInfo",
    "treatment": "DiagnosisInfo",
    "surgery": "OperationInfo",
}

# Refusals that mean "the registry is unavailable" (maintenance, emergency stop, throttling).
OUTAGE_CODES = {"ONS-E0201", "ONS-E0202", "ONS-E0203"}

DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.-]+)[\"']")


class ResultFileError(Exception):
    pass


def parse_xml_text(text: str) -> ET.Element:
    """Parses decoded text: the prolog (which names the bytes' encoding) is dropped first."""
    return ET.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1))


def text_of(elem: Optional[ET.Element], tag: str) -> Optional[str]:
    """The text of the first descendant `tag` (None when absent; "" when empty)."""
    if elem is None:
        return None
    found = elem.find(".//" + tag)
    if found is None:
        return None
    return found.text or ""


@dataclass
class Qualification:
    """One ResultOfQualificationConfirmation as the desk uses it."""

    insurer_number: str
    symbol: Optional[str]
    number: str
    branch: Optional[str]
    name: str
    birthdate: Optional[str]
    copay_percent: Optional[int]
    limit_category: Optional[str]
    disease_caps: list
    consents: dict  # kind → (flag, available_until 14 digits or None)
    relation: Optional[str] = None  # "insured" (本人) or "dependent" (家族)

    @classmethod
    def from_element(cls, e: ET.Element) -> "Qualification":
        ratio = text_of(e, "InsuredPartialContributionRatio") or text_of(
            e, "ElderlyRecipientContributionRatio")
        limit_info = e.find(".//LimitApplicationCertificateRelatedInfo")
        caps = [int(c.text) for c in e.iter("SpecificDiseasesSelfPay")
                if c.text and c.text.strip().isdigit()]
        consents = {}
        for kind, prefix in CONSENT_ELEMENTS.items():
            flag = text_of(e, prefix + "ConsFlg")
            if flag is not None:
                consents[kind] = (flag.strip(), text_of(e, prefix + "AvailableTime"))
        return cls(
            # 6-digit 国保 numbers come right-justified with spaces: keep the digits as issued.
            insurer_number=(text_of(e, "InsurerNumber") or "").strip(),
            symbol=text_of(e, "InsuredCardSymbol"),
            number=text_of(e, "InsuredIdentificationNumber") or "",
            branch=text_of(e, "InsuredBranchNumber"),
            name=text_of(e, "Name") or "",
            birthdate=text_of(e, "Birthdate"),
            relation=RELATIONS.get((text_of(e, "PersonalFamilyClassification") or "").strip()),
            copay_percent=int(ratio) if ratio and ratio.strip().isdigit() else None,
            limit_category=text_of(limit_info, "LimitApplicationCertificateClassificationFlag"),
            disease_caps=caps,
            consents=consents,
        )


@dataclass
class Answer:
    """What a result file says, reduced to what the desk needs."""

    segment: str
    error_code: Optional[str]
    status: str
    result_code: Optional[str]
    validity: Optional[int]
    results: list
    confirmation_date: Optional[str]

    @property
    def refused(self) -> bool:
        return self.segment != "1" or self.status == "2"

    @property
    def registry_unavailable(self) -> bool:
        return self.refused and (self.error_code in OUTAGE_CODES or self.result_code in OUTAGE_CODES)


# ────────────────────────────────────────────────────────────────────────────────────────
# The OQS folder client
# ────────────────────────────────────────────────────────────────────────────────────────


class OqsTimeout(Exception):
    pass


class OqsFolder:
    """req/res/face below one root (the 資格確認端末's shared folder)."""

    POLL = 0.01
    TIMEOUT = 5.0

    def __init__(self, root: str, req: str = None, res: str = None, face: str = None):
        self.root = root
        self.req = req or os.path.join(root, "req")
        self.res = res or os.path.join(root, "res")
        self.face = face or os.path.join(root, "face")
        self._seq = itertools.count(1)

    def new_suffix(self, day: dt.date) -> str:
        # yyyymmdd + a 6-digit sequence of this process: letters and digits only.
        return "%s%06d" % (day.strftime("%Y%m%d"), next(self._seq))

    def exchange(self, prefix: str, suffix: str, data: bytes, write) -> bytes:
        """Puts `<prefix>req_<suffix>.xml` into req with `write` and returns the answer's bytes."""
        name = "%sreq_%s.xml" % (prefix, suffix)
        answer = os.path.join(self.res, "%sres_%s.xml" % (prefix, suffix))
        write(self.req, name, data)
        deadline = time.monotonic() + self.TIMEOUT
        while time.monotonic() < deadline:
            if os.path.exists(answer):
                try:
                    with open(answer, "rb") as f:
                        content = f.read()
                except OSError:
                    content = b""
                if content.rstrip().endswith(b"</XmlMsg>"):
                    os.remove(answer)  # the terminal never cleans res: the client does
                    return content
            time.sleep(self.POLL)
        raise OqsTimeout("no answer to %s within %.0f s" % (name, self.TIMEOUT))


def write_atomically(folder: str, name: str, data: bytes) -> None:
    """Write under a temporary name the terminal ignores, fsync, then rename into place."""
    tmp = os.path.join(folder, ".tmp-" + name)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(folder, name))


def xml_document(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False)


def element(parent: ET.Element, tag: str, value: Optional[str]) -> None:
    """Adds <tag>value</tag>; an absent value is an absent element (never <tag></tag>)."""
    if value is None or value == "":
        return
    ET.SubElement(parent, tag).text = value


def pad_insurer(number: str) -> str:
    """8 columns: 6-digit 国保 numbers right-justified with spaces, as the terminal does."""
    return number.rjust(8)


# ────────────────────────────────────────────────────────────────────────────────────────
# The desk
# ────────────────────────────────────────────────────────────────────────────────────────

PATH_CONFIRMED = "confirmed"
PATH_FOLLOWED_NEW = "followed_new_qualification"
PATH_DECLARATION = "declaration_form"
PATH_ASKED = "asked_patient"
PATH_PAPER = "paper_certificate"
# OQSCD009 本人・家族の別.
RELATIONS = {"1": "insured", "2": "dependent"}


@dataclass
class VisitRecord:
    """One row of the visit table."""

    visit: str
    patient_key: str
    institution: str
    date: dt.date
    path: str
    insurer_number: Optional[str] = None
    symbol: Optional[str] = None
    number: Optional[str] = None
    branch: Optional[str] = None
    relation: Optional[str] = None
    name: Optional[str] = None
    copay_percent: int = 30
    limit_category: Optional[str] = None
    cap: Optional[int] = None
    fee: Optional[int] = None
    charged: int = 0
    fetched: list = field(default_factory=list)
    confirm_later: bool = False
    confirmed_later: Optional[dict] = None
    certificate: Optional[dict] = None  # the 資格確認書 numbers, kept for the owed confirmation
    limit_consent: bool = False
    notes: list = field(default_factory=list)


class Clinic:
    """The reception desk of every institution this system serves."""

    name = "clinic-py"
    version = "1.0"

    def __init__(self, oqs: OqsFolder, institutions=()):
        self.oqs = oqs
        self.institutions = {i["code"]: i for i in institutions}
        self.patients = {}  # patient key → the patient row (never a My Number)
        self.visits = {}  # visit name → VisitRecord
        # (patient, institution, insurer, claim, yyyy-mm) → [fees, charged]; claim: see claim_of
        self.month_totals = {}
        self.outages = []  # announced (from, until) windows

    # ── patients ────────────────────────────────────────────────────────────────────────

    def admit_patient(self, patient: dict) -> dict:
        """Registers the patient from the 問診票. A My Number written there is dropped here."""
        intake = {k: v for k, v in (patient.get("intake_form") or {}).items()
                  if k != "my_number"}
        row = self.patients.setdefault(patient["key"], {})
        row.update({
            "key": patient["key"],
            "name": patient.get("name"),
            "kana": patient.get("kana"),
            "birthdate": patient.get("birthdate"),
        })
        if intake:
            row["intake_form"] = intake
        return row

    # ── the desk's steps ────────────────────────────────────────────────────────────────

    def visit(self, msg: dict) -> VisitRecord:
        now = dt.datetime.fromisoformat(msg["now"])
        today = now.date()
        patient = self.admit_patient(msg["patient"])
        rec = VisitRecord(visit=msg["visit"], patient_key=patient["key"],
                          institution=msg["institution"], date=today, path=PATH_CONFIRMED,
                          fee=(msg.get("fee") or {}).get("total"),
                          certificate=msg.get("certificate"),
                          limit_consent=bool(msg.get("limit_consent")))
        if msg.get("presents") == "eligibility_certificate":
            answer = self.confirm_by_numbers(rec, today) if rec.certificate else None
        else:
            answer = None  # the reader could not verify the patient: no online answer
            if msg.get("face_file"):
                answer = self.read_face_file(os.path.join(self.oqs.face, msg["face_file"]))
            if self.card_route_failed(answer) and rec.certificate:
                # The card cannot be used but the registry works: confirm by the numbers on
                # the patient's 資格確認書 / 資格情報のお知らせ.
                answer = self.confirm_by_numbers(rec, today)
        self.settle(rec, answer, patient, msg.get("fee") or {}, msg.get("care"), now)
        self.visits[rec.visit] = rec
        return rec

    def card_route_failed(self, answer: Optional[Answer]) -> bool:
        """No answer from the card (not verified), or the card itself refused (expired,
        revoked, not registered…): a person-level refusal in the body (SegmentOfResult 1,
        ProcessingResultStatus 2). A header error (SegmentOfResult 9: an outage, an unknown
        institution, an internal error) is the registry's, and numbers would not help."""
        return answer is None or (answer.segment == "1" and answer.status == "2")

    def confirm_by_numbers(self, rec: VisitRecord, on: dt.date) -> Answer:
        """資格確認 by the 資格確認書 numbers (OQSsiquc01req, 照会区分 2) as of `on`."""
        c = rec.certificate
        suffix = self.oqs.new_suffix(on)
        root = ET.Element("XmlMsg")
        header = ET.SubElement(root, "MessageHeader")
        element(header, "QualificationConfirmationDate", on.strftime("%Y%m%d"))
        element(header, "MedicalInstitutionCode", rec.institution)
        element(header, "ArbitraryFileIdentifier", "CLINICPY" + suffix)
        body = ET.SubElement(root, "MessageBody")
        info = ET.SubElement(body, "QualificationConfirmSearchInfo")
        element(info, "InsurerNumber", pad_insurer(c["insurer_number"]))
        element(info, "InsuredCardSymbol", c.get("symbol"))
        element(info, "InsuredIdentificationNumber", c["number"])
        element(info, "InsuredBranchNumber", c.get("branch"))
        element(info, "Birthdate", c.get("birthdate") or self.patients[rec.patient_key]["birthdate"])
        element(info, "LimitApplicationCertificateRelatedConsFlg", self.limit_consent_flag(rec))
        element(info, "ArbitraryIdentifier", rec.visit)
        data = self.oqs.exchange("OQSsiquc01", suffix, xml_document(root), self.write_request)
        return self.parse_result(data)

    def limit_consent_flag(self, rec: VisitRecord) -> str:
        """OQSCD001: the patient's own answer on sharing 限度額 information."""
        return "1" if rec.limit_consent else "0"

    def write_request(self, folder: str, name: str, data: bytes) -> None:
        write_atomically(folder, name, data)

    # ── result files ────────────────────────────────────────────────────────────────────

    def read_face_file(self, path: str) -> Answer:
        # The terminal writes face files completely before naming them; retry briefly anyway.
        last = None
        for _ in range(50):
            try:
                with open(path, "rb") as f:
                    return self.parse_result(f.read())
            except (OSError, ResultFileError) as e:
                last = e
                time.sleep(0.02)
        raise ResultFileError("cannot read face file %s: %s" % (path, last))

    def decode_result_bytes(self, data: bytes) -> str:
        """Decodes a result file in the encoding it declares (prolog, else CharacterCodeIdentifier).

        Shift_JIS files from real terminals carry CP932 extensions (髙, 﨑, ①), which Python's
        strict `shift_jis` codec refuses: read them as cp932.
        """
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        m = DECLARATION.match(data)
        declared = m.group(1).decode("ascii").lower().replace("-", "_") if m else None
        if declared is None:
            declared = "shift_jis" if b"<CharacterCodeIdentifier>1<" in data else "utf_8"
        if declared in ("shift_jis", "sjis", "x_sjis", "windows_31j", "cp932", "ms932"):
            return data.decode("cp932")
        if declared in ("utf_8", "utf8"):
            return data.decode("utf-8")
        raise ResultFileError("unsupported encoding %r" % declared)

    def parse_result(self, data: bytes) -> Answer:
        try:
            root = parse_xml_text(self.decode_result_bytes(data))
        except (UnicodeDecodeError, ET.ParseError) as e:
            raise ResultFileError(str(e)) from e
        header = root.find("MessageHeader")
        body = root.find("MessageBody")
        validity = text_of(body, "QualificationValidity")
        return Answer(
            segment=(text_of(header, "SegmentOfResult") or "").strip(),
            error_code=text_of(header, "ErrorCode"),
            status=(text_of(body, "ProcessingResultStatus") or "").strip(),
            result_code=text_of(body, "ProcessingResultCode"),
            validity=int(validity) if validity and validity.strip().isdigit() else None,
            results=[Qualification.from_element(e)
                     for e in (body.iter("ResultOfQualificationConfirmation")
                               if body is not None else [])],
            confirmation_date=text_of(header, "QualificationConfirmationDate"),
        )

    # ── settling the visit ──────────────────────────────────────────────────────────────

    def decide_path(self, answer: Optional[Answer]):
        """(path, the qualification to use or None, confirmation owed) from an answer."""
        if answer is None:
            # Neither the card nor papers: 被保険者資格申立書 at the normal ratio.
            return PATH_DECLARATION, None, False
        if answer.refused:
            # Registry unavailable: 資格確認書 now, confirm later (PRV-7). Any other refusal of
            # the confirmation by numbers: the 資格確認書, nothing to retry.
            return PATH_PAPER, None, answer.registry_unavailable
        if answer.validity == 1 and answer.results:
            return PATH_CONFIRMED, answer.results[0], False
        if answer.validity == 5 and answer.results:
            # 複数該当: the receptionist asks which insurance applies; the first is the answer.
            return PATH_ASKED, answer.results[0], False
        if answer.validity == 3:
            return PATH_FOLLOWED_NEW, None, False
        # 2 無効 / 4 該当資格なし (job-change lag): 被保険者資格申立書 at the normal ratio.
        return PATH_DECLARATION, None, False

    def is_patient(self, result: Qualification, patient: dict) -> bool:
        """Whether a result is the patient's: its 氏名 and 生年月日 are the patient's (a record
        linked to the wrong 個人番号, the 2023 紐付け誤り, shows someone else's)."""
        return (same_name(result.name, patient.get("name") or "")
                and (result.birthdate or "") == patient.get("birthdate", ""))

    def settle(self, rec, answer, patient, fee, care, now):
        birth = parse_yyyymmdd(patient["birthdate"])
        rec.path, chosen, rec.confirm_later = self.decide_path(answer)
        if rec.path == PATH_PAPER and not rec.certificate and not rec.confirm_later:
            rec.path = PATH_DECLARATION  # refused, and no papers to settle on
        if chosen is not None and not self.is_patient(chosen, patient):
            # Never bill someone else's insurance: another result of the patient's, or the
            # 被保険者資格申立書 at the normal ratio.
            chosen = next((r for r in answer.results if self.is_patient(r, patient)), None)
            if chosen is None:
                rec.path = PATH_DECLARATION
        # The name as the answer writes it for the qualification used; else the patient's own
        # (never the name of someone else's result).
        rec.name = patient.get("name")
        rec.copay_percent = self.copay_for(rec.path, chosen, birth, rec.date)
        if chosen is not None:
            self.record_numbers(rec, chosen)
            rec.name = chosen.name
            rec.limit_category = self.limit_category_of(chosen)
        elif rec.path == PATH_PAPER and rec.certificate:
            # Settled on the paper: its numbers are the visit's until the owed confirmation.
            c = rec.certificate
            rec.insurer_number, rec.symbol = c["insurer_number"], c.get("symbol")
            rec.number, rec.branch = c["number"], c.get("branch")
            rec.relation = c.get("relation")
        self.charge(rec, chosen, birth, fee, care)
        # Data only under the patient's own result (never by someone else's numbers).
        own = chosen
        if own is None and answer is not None and not answer.refused:
            own = next((r for r in answer.results if self.is_patient(r, patient)), None)
        if own is not None:
            rec.fetched = self.fetch_consented_data(rec, own, now)

    def record_numbers(self, rec: VisitRecord, chosen: Qualification) -> None:
        """The insurance numbers of the visit: always the ones just confirmed (PRV-1)."""
        rec.insurer_number, rec.symbol = chosen.insurer_number, chosen.symbol
        rec.number, rec.branch = chosen.number, chosen.branch
        rec.relation = chosen.relation
        self.patients[rec.patient_key]["insurance"] = {
            "insurer_number": rec.insurer_number, "symbol": rec.symbol,
            "number": rec.number, "branch": rec.branch}

    def copay_for(self, path: str, chosen: Optional[Qualification], birth: dt.date,
                  on: dt.date) -> int:
        """負担割合: the confirmed ratio, or the age rule for a 資格確認書 / 申立書."""
        if chosen is not None and chosen.copay_percent is not None:
            return chosen.copay_percent
        return self.normal_ratio(birth, on)

    def elderly_first_day(self, birth: dt.date) -> dt.date:
        """高齢受給者 (70–74) from the 1st of the month after 「70歳に達する日」 (so the birthday
        month itself for people born on the 1st)."""
        return first_of_next_month(reaches_age_on(birth, 70))

    def normal_ratio(self, birth: dt.date, on: dt.date) -> int:
        """The ratio a 資格確認書 or 申立書 implies: the age rule at the general income class."""
        if on >= late_elderly_first_day(birth):
            return 10
        if on >= self.elderly_first_day(birth):
            # legacy 1割 for those who reached 70 by 2014-03-31
            return 10 if birth <= dt.date(1944, 4, 1) else 20
        if on <= preschool_last_day(birth):
            return 20
        return 30

    def limit_category_of(self, chosen: Qualification) -> Optional[str]:
        """適用区分 from the answer's 限度額 data (None when the answer carries none)."""
        return chosen.limit_category

    def many_times(self, fee: dict) -> bool:
        return bool(fee.get("many_times"))

    def self_pay_cap(self, category: str, on: dt.date, total: int, many_times: bool,
                     inpatient: bool, halved: bool) -> Optional[int]:
        """The month's 自己負担限度額 for 総医療費 `total`, or None if no rule is known."""
        row = cap_row(category, on)
        if row is None:
            return None
        _, _, _, household, outpatient, many = row
        if inpatient or outpatient == NONE:
            cell = many if many_times and many != NONE else household
        else:
            cell = outpatient  # the 70+ individual 外来 cap has no 多数回 reduction
        if cell is None or cell == NONE:
            return None
        if isinstance(cell, Formula):
            return self.formula_amount(cell.halved() if halved else cell, total)
        return cell // 2 if halved else cell

    def formula_amount(self, formula: Formula, total: int) -> int:
        """`base + (total − threshold) × rate%`, the 1 % term rounded half up to the yen."""
        return formula.amount(total)

    def plain_copay(self, fee: int, percent: int) -> int:
        """The window charge before any cap: 10円未満四捨五入."""
        return plain_copay(fee, percent)

    def claim_of(self, care: Optional[str]) -> str:
        """The claim (レセプト) a visit counts toward: 入院 and 入院外 (外来, 訪問診療) at one
        institution are separate month totals at the window, each up to its own cap (the 70+
        外来 cap on 入院外, the 外来+入院 amount on 入院). Merging them (世帯合算) is the insurer's
        business later, not the desk's."""
        return "inpatient" if care == "inpatient" else "outpatient"

    def charge(self, rec: VisitRecord, chosen: Optional[Qualification], birth: dt.date,
               fee: dict, care: Optional[str]) -> None:
        if rec.fee is None:
            return
        key = (rec.patient_key, rec.institution, rec.insurer_number, self.claim_of(care),
               rec.date.strftime("%Y-%m"))
        month_fee, month_charged = self.month_totals.get(key, (0, 0))
        plain = self.plain_copay(rec.fee, rec.copay_percent)
        rec.charged = plain
        if rec.limit_category:
            # 75歳到達月: each insurer halves the amounts unless the birthday is the 1st.
            first75 = late_elderly_first_day(birth)
            halved = (first75.year, first75.month) == (rec.date.year, rec.date.month) \
                and first75.day != 1
            rec.cap = self.self_pay_cap(rec.limit_category, rec.date, month_fee + rec.fee,
                                        self.many_times(fee), care == "inpatient", halved)
            if rec.cap is not None:
                rec.charged = min(plain, max(0, rec.cap - month_charged))
        if chosen is not None and chosen.disease_caps:
            # 特定疾病療養受療証: the month's payment here stops at its 自己負担限度額.
            dcap = min(chosen.disease_caps)
            rec.charged = min(rec.charged, max(0, dcap - month_charged))
            rec.cap = dcap if rec.cap is None else min(rec.cap, dcap)
        self.month_totals[key] = (month_fee + rec.fee, month_charged + rec.charged)

    # ── optional data under consent (PRV-3) ─────────────────────────────────────────────

    def consented(self, result: Qualification, kind: str, now: dt.datetime) -> bool:
        flag, until = result.consents.get(kind, (None, None))
        if flag != "1":
            return False
        return not until or until > now.strftime("%Y%m%d%H%M%S")

    def fetch_consented_data(self, rec: VisitRecord, result: Qualification,
                             now: dt.datetime) -> list:
        fetched = []
        for kind in ("medication", "checkup", "treatment", "surgery"):
            if not self.consented(result, kind, now):
                continue
            if kind in ("medication", "checkup"):
                if self.request_data(rec, result, kind, now.date()):
                    fetched.append(kind)
            else:
                # 診療・手術情報 are shown on the terminal's own viewer; no file exchange.
                fetched.append(kind)
        return fetched

    def request_data(self, rec: VisitRecord, result: Qualification, kind: str,
                     today: dt.date) -> bool:
        """YZKsiquc01req / TKKsiquc01req by the confirmed numbers; True when data came back."""
        prefix = "YZKsiquc01" if kind == "medication" else "TKKsiquc01"
        suffix = self.oqs.new_suffix(today)
        root = ET.Element("XmlMsg")
        header = ET.SubElement(root, "MessageHeader")
        element(header, "MedicalInstitutionCode", rec.institution)
        element(header, "InsurerNumber", pad_insurer(result.insurer_number))
        element(header, "InsuranceCardSymbol", result.symbol)
        element(header, "InsuredPersonIdentificationNumber", result.number)
        element(header, "BranchNumber", result.branch)
        element(header, "ArbitraryFileIdentifier", "CLINICPY" + suffix)
        body = ET.SubElement(root, "MessageBody")
        element(body, "FileCategory", "2")  # XML
        element(body, "PrDiInfClassification", "1")
        element(body, "MedicalTreatmentFlag", "1")  # 外来
        data = self.oqs.exchange(prefix, suffix, xml_document(root), self.write_request)
        answer = parse_xml_text(self.decode_result_bytes(data))
        ok = (text_of(answer, "ResultCode") or "").strip() == "1"
        if not ok:
            rec.notes.append("%s refused: %s" % (prefix, text_of(answer, "ErrorCode")))
        return ok

    # ── time passes: owed confirmations (PRV-7) ─────────────────────────────────────────

    def outage_announced(self, msg: dict) -> None:
        self.outages.append((dt.datetime.fromisoformat(msg["from"]),
                             dt.datetime.fromisoformat(msg["until"]) if msg.get("until") else None))

    def in_announced_outage(self, now: dt.datetime) -> bool:
        return any(start <= now and (end is None or now < end) for start, end in self.outages)

    def time_passed(self, now: dt.datetime) -> None:
        self.retry_owed_confirmations(now)

    def retry_owed_confirmations(self, now: dt.datetime) -> None:
        """Confirms, by the 資格確認書 numbers and as of the visit date, every visit settled on
        paper during an outage. While the announced outage lasts nothing is sent; if the
        registry still answers that it is unavailable, the confirmation stays owed."""
        if self.in_announced_outage(now):
            return
        for rec in self.visits.values():
            if not rec.confirm_later or rec.confirmed_later is not None:
                continue
            if not rec.certificate:
                rec.confirm_later = False
                rec.notes.append("後日確認: no 資格確認書 numbers to confirm with")
                continue
            answer = self.confirm_by_numbers(rec, rec.date)
            if answer.registry_unavailable:
                continue
            rec.confirm_later = False
            rec.confirmed_later = {"on": now.date().isoformat(),
                                   "validity": None if answer.refused else answer.validity}
            if not answer.refused and answer.results:
                first = answer.results[0]
                rec.insurer_number, rec.symbol = first.insurer_number, first.symbol
                rec.number, rec.branch = first.number, first.branch
                rec.relation = first.relation

    # ── what the system shows (the CAP `recorded` reply) ────────────────────────────────

    def stored_row(self, rec: VisitRecord) -> dict:
        """The database rows behind a visit: the patient and the visit."""
        return {
            "patient": dict(self.patients.get(rec.patient_key, {})),
            "visit": {
                "date": rec.date.isoformat(),
                "institution": rec.institution,
                "path": rec.path,
                "fee": rec.fee,
                "charged": rec.charged,
                "certificate": rec.certificate,
                "notes": rec.notes,
            },
        }

    def recorded(self, rec: VisitRecord) -> dict:
        return {
            "type": "recorded",
            "visit": rec.visit,
            "path": rec.path,
            "insurer_number": rec.insurer_number,
            "symbol": rec.symbol,
            "number": rec.number,
            "branch": rec.branch,
            "relation": rec.relation,
            "name": rec.name,
            "copay_percent": rec.copay_percent,
            "limit_category": rec.limit_category,
            "cap": rec.cap,
            "charged": rec.charged,
            "fetched": list(rec.fetched),
            "confirm_later": rec.confirm_later,
            "confirmed_later": rec.confirmed_later,
            "stored": self.stored_row(rec),
        }
