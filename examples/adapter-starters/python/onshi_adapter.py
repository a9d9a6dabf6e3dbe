"""A helper for writing an onshi conformance adapter in Python (standard library only).

The conformance adapter protocol, version 1 (onshi-cap/1, docs/adapter-protocol.md): onshi
starts the adapter once per scenario, sends one JSON object per line on its standard input and
waits for exactly one reply line per message on its standard output. This module is that loop
and the messages as typed dataclasses; the adapter fills in what its system does:

    from onshi_adapter import Adapter, Recorded, Visit, run

    class MyAdapter(Adapter):
        name, version = "my-clinic", "1.0"

        def visit(self, msg: Visit) -> Recorded:
            ...  # the desk: read msg.face_file, confirm, charge
            return Recorded(visit=msg.visit, path="confirmed", charged=1200, ...)

    if __name__ == "__main__":
        run(MyAdapter())

| onshi sends | method of the handler | returns (default)                               |
|-------------|-----------------------|-------------------------------------------------|
| `hello`     | `hello(Hello)`        | `Ready` (protocol onshi-cap/1, `name`/`version`) |
| `visit`     | `visit(Visit)`        | `Recorded` (no default: fill it in)              |
| `observe`   | `observe(Observe)`    | `Recorded` (default: the visit's last `Recorded`) |
| `time`      | `time(Time)`          | `Done`                                           |
| `outage`    | `outage(Outage)`      | `Done`                                           |
| `end`       | `end(End)`            | `Bye`; the loop then returns                     |

A method that returns None where `Ready`, `Done` or `Bye` is due sends the default.
An exception in a handler becomes `{"type":"error","message":...}` (the scenario fails with
that text) and its traceback goes to standard error, which onshi attaches to the verdict.
`log(text)` puts a line into the scenario's trace at any time. While `run` serves the real
standard output, anything else written there (`print`, a child process) goes to standard
error instead, so it cannot break the protocol.

Messages from onshi are read leniently (fields a later onshi-cap/1 adds are ignored, and kept
in `.raw`); replies are checked before they are sent, so a mistake shows as an `error` with
the reason rather than as a protocol break.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, TextIO, Union

try:  # Python 3.8+
    from typing import Literal
except ImportError:  # pragma: no cover
    Literal = None

__all__ = [
    "PROTOCOL", "Adapter", "run", "log", "moment", "ProtocolError",
    "OqsPlaces", "Institution", "Hello", "IntakeForm", "Patient", "Certificate", "Fee", "Visit",
    "Time", "Outage", "Observe", "End", "ToAdapter",
    "SystemInfo", "Ready", "LaterConfirmed", "Recorded", "Done", "Bye", "Log", "Error",
    "FromAdapter", "PATHS", "FETCHED_KINDS", "parse_message", "to_json",
]

PROTOCOL = "onshi-cap/1"

# How a visit was settled (`Recorded.path`).
PATHS = ("confirmed", "followed_new_qualification", "declaration_form", "asked_patient",
         "paper_certificate")
# Optional data a system can fetch and show (`Recorded.fetched`).
FETCHED_KINDS = ("medication", "treatment", "surgery", "checkup")
RELATIONS = ("insured", "dependent")

if Literal is not None:
    SettledPath = Literal["confirmed", "followed_new_qualification", "declaration_form",
                   "asked_patient", "paper_certificate"]
    FetchedKind = Literal["medication", "treatment", "surgery", "checkup"]
    Presents = Literal["card", "eligibility_certificate"]
    Care = Literal["outpatient", "inpatient"]
    OutageKind = Literal["maintenance", "emergency", "throttle"]
    Encoding = Literal["utf8", "shift_jis"]
else:  # pragma: no cover
    SettledPath = FetchedKind = Presents = Care = OutageKind = Encoding = str


class ProtocolError(Exception):
    """A message from onshi that this module cannot read, or a reply that would break the
    protocol. Becomes an `error` reply."""


def moment(now: str) -> _dt.datetime:
    """A message's `now` (`2026-04-10T09:00:00+09:00`, the scenario's virtual time) as an
    aware datetime. Use it, never the wall clock, for every date the system writes."""
    return _dt.datetime.fromisoformat(now)


# ── messages from onshi ──────────────────────────────────────────────────────────────────────


def _obj(d: Any, what: str) -> dict:
    if not isinstance(d, dict):
        raise ProtocolError("%s is not a JSON object: %r" % (what, d))
    return d


def _get(d: dict, key: str, kinds, what: str, nullable: bool = False):
    if key not in d:
        if nullable:
            return None
        raise ProtocolError("%s has no `%s`" % (what, key))
    v = d[key]
    if v is None and nullable:
        return None
    if not isinstance(v, kinds) or (isinstance(v, bool) and bool not in _tuple(kinds)):
        raise ProtocolError("`%s` of %s is %r" % (key, what, v))
    return v


def _tuple(kinds) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


@dataclass(frozen=True)
class OqsPlaces:
    """The OQS interfaces of the scenario: the root and its `req`, `res` and `face` folders,
    the web API's base URL (None with `--no-oqs-http`) and how onshi writes result and face
    files (`utf8` or `shift_jis`; still read each file in the encoding it declares, PRV-6)."""
    root: str
    req: str
    res: str
    face: str
    http: Optional[str]
    encoding: Encoding

    @classmethod
    def from_json(cls, d: Any) -> "OqsPlaces":
        d = _obj(d, "hello.oqs")
        w = "hello.oqs"
        return cls(_get(d, "root", str, w), _get(d, "req", str, w), _get(d, "res", str, w),
                   _get(d, "face", str, w), _get(d, "http", str, w, nullable=True),
                   _get(d, "encoding", str, w))


@dataclass(frozen=True)
class Institution:
    """An institution the system under test plays: scenario key, 医療機関コード, name."""
    key: str
    code: str
    name: str

    @classmethod
    def from_json(cls, d: Any) -> "Institution":
        d = _obj(d, "an institution")
        w = "an institution"
        return cls(_get(d, "key", str, w), _get(d, "code", str, w), _get(d, "name", str, w))


@dataclass(frozen=True)
class Hello:
    """The scenario starts. Reply: `Ready`."""
    protocol: str
    scenario: str
    seed: int
    now: str
    oqs: OqsPlaces
    institutions: List[Institution]
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    type = "hello"

    @classmethod
    def from_json(cls, d: dict) -> "Hello":
        w = "hello"
        return cls(_get(d, "protocol", str, w), _get(d, "scenario", str, w),
                   _get(d, "seed", int, w), _get(d, "now", str, w),
                   OqsPlaces.from_json(_get(d, "oqs", dict, w)),
                   [Institution.from_json(i) for i in _get(d, "institutions", list, w)], d)


@dataclass(frozen=True)
class IntakeForm:
    """What the patient wrote on the 問診票. A system must neither keep nor send `my_number`
    (PRV-5)."""
    my_number: Optional[str]

    @classmethod
    def from_json(cls, d: Any) -> "IntakeForm":
        d = _obj(d, "patient.intake_form")
        return cls(_get(d, "my_number", str, "patient.intake_form", nullable=True))


@dataclass(frozen=True)
class Patient:
    """Who arrives: scenario key, 氏名, カナ氏名, 生年月日 `YYYYMMDD`, the 問診票."""
    key: str
    name: str
    kana: str
    birthdate: str
    intake_form: IntakeForm

    @classmethod
    def from_json(cls, d: Any) -> "Patient":
        d = _obj(d, "visit.patient")
        w = "visit.patient"
        return cls(_get(d, "key", str, w), _get(d, "name", str, w), _get(d, "kana", str, w),
                   _get(d, "birthdate", str, w),
                   IntakeForm.from_json(_get(d, "intake_form", dict, w)))


@dataclass(frozen=True)
class Certificate:
    """The numbers on the patient's 資格確認書 / 資格情報のお知らせ for the visit date."""
    insurer_number: str
    symbol: Optional[str]
    number: str
    branch: Optional[str]
    birthdate: str
    relation: Optional[str] = None  # "insured" (本人) or "dependent" (家族)

    @classmethod
    def from_json(cls, d: Any) -> "Certificate":
        d = _obj(d, "visit.certificate")
        w = "visit.certificate"
        return cls(_get(d, "insurer_number", str, w), _get(d, "symbol", str, w, nullable=True),
                   _get(d, "number", str, w), _get(d, "branch", str, w, nullable=True),
                   _get(d, "birthdate", str, w), _get(d, "relation", str, w, nullable=True))


@dataclass(frozen=True)
class Fee:
    """10割 cost of the visit in yen; `many_times`: 多数回該当 this month."""
    total: int
    many_times: bool

    @classmethod
    def from_json(cls, d: Any) -> "Fee":
        d = _obj(d, "visit.fee")
        return cls(_get(d, "total", int, "visit.fee"), _get(d, "many_times", bool, "visit.fee"))


@dataclass(frozen=True)
class Visit:
    """A patient arrives at the reception desk. Reply: `Recorded` for `visit`.

    `presents` is `card` (then `face_file` names the face-authentication result in
    `oqs.face`, or is None when identity was not verified) or `eligibility_certificate`;
    `certificate` holds the printed numbers (or None); `limit_consent` is the patient's answer
    on 限度額 sharing for confirmations by numbers; `now` is the virtual time of the visit."""
    visit: str
    now: str
    institution: str
    patient: Patient
    presents: Presents
    face_file: Optional[str]
    certificate: Optional[Certificate]
    limit_consent: bool
    fee: Optional[Fee]
    care: Care
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    type = "visit"

    @classmethod
    def from_json(cls, d: dict) -> "Visit":
        w = "visit"
        cert = _get(d, "certificate", dict, w, nullable=True)
        fee = _get(d, "fee", dict, w, nullable=True)
        return cls(_get(d, "visit", str, w), _get(d, "now", str, w),
                   _get(d, "institution", str, w), Patient.from_json(_get(d, "patient", dict, w)),
                   _get(d, "presents", str, w), _get(d, "face_file", str, w, nullable=True),
                   None if cert is None else Certificate.from_json(cert),
                   _get(d, "limit_consent", bool, w), None if fee is None else Fee.from_json(fee),
                   _get(d, "care", str, w), d)


@dataclass(frozen=True)
class Time:
    """The virtual clock moved: do what is due (retry owed confirmations). Reply: `Done`."""
    now: str
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    type = "time"

    @classmethod
    def from_json(cls, d: dict) -> "Time":
        return cls(_get(d, "now", str, "time"), d)


@dataclass(frozen=True)
class Outage:
    """The registry's operator announced an outage (information only). `from_` is the JSON
    field `from`. Reply: `Done`."""
    now: str
    kind: OutageKind
    from_: str
    until: str
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    type = "outage"

    @classmethod
    def from_json(cls, d: dict) -> "Outage":
        w = "outage"
        return cls(_get(d, "now", str, w), _get(d, "kind", str, w), _get(d, "from", str, w),
                   _get(d, "until", str, w), d)


@dataclass(frozen=True)
class Observe:
    """The visit's record as the system holds it now. Reply: `Recorded`."""
    visit: str
    now: str
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    type = "observe"

    @classmethod
    def from_json(cls, d: dict) -> "Observe":
        return cls(_get(d, "visit", str, "observe"), _get(d, "now", str, "observe"), d)


@dataclass(frozen=True)
class End:
    """The scenario is over. Reply: `Bye`, then exit."""
    now: str
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    type = "end"

    @classmethod
    def from_json(cls, d: dict) -> "End":
        return cls(_get(d, "now", str, "end"), d)


ToAdapter = Union[Hello, Visit, Time, Outage, Observe, End]

_MESSAGES = {c.type: c for c in (Hello, Visit, Time, Outage, Observe, End)}


def parse_message(line: str) -> ToAdapter:
    """One line from onshi as a typed message; `ProtocolError` when it cannot be read."""
    try:
        d = json.loads(line)
    except ValueError as e:
        raise ProtocolError("not JSON: %s" % e) from None
    d = _obj(d, "the message")
    kind = d.get("type")
    cls = _MESSAGES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ProtocolError("unknown message type %r" % (kind,))
    return cls.from_json(d)


# ── replies ─────────────────────────────────────────────────────────────────────────────────


@dataclass
class SystemInfo:
    """The system under test, as the reports name it."""
    name: str
    version: str


@dataclass
class Ready:
    """Reply to `hello`."""
    system: SystemInfo
    protocol: str = PROTOCOL
    type = "ready"


@dataclass
class LaterConfirmed:
    """The owed confirmation, once made: the date (`YYYY-MM-DD`) and the 資格有効性 answered
    (1–6, None when the registry refused it)."""
    on: str
    validity: Optional[int] = None


@dataclass
class Recorded:
    """Reply to `visit` and `observe`: what the system recorded for the visit.

    `path`: one of `PATHS`; numbers as text (None when none); `copay_percent` 10/20/30/100;
    `limit_category` 適用区分 `A01`…`B10` or None; `cap` and `charged` in yen; `fetched`: kinds
    from `FETCHED_KINDS`; `confirm_later`: a confirmation is owed (PRV-7); `confirmed_later`
    once it was made; `stored`: what the system keeps (its database row), searched for the
    My Number (PRV-5)."""
    visit: str
    path: SettledPath
    confirm_later: bool = False
    insurer_number: Optional[str] = None
    symbol: Optional[str] = None
    number: Optional[str] = None
    branch: Optional[str] = None
    relation: Optional[str] = None
    name: Optional[str] = None
    copay_percent: Optional[int] = None
    limit_category: Optional[str] = None
    cap: Optional[int] = None
    charged: Optional[int] = None
    fetched: List[FetchedKind] = field(default_factory=list)
    confirmed_later: Optional[LaterConfirmed] = None
    stored: Dict[str, Any] = field(default_factory=dict)
    type = "recorded"

    @classmethod
    def from_dict(cls, d: dict) -> "Recorded":
        """A `recorded` reply kept as a dict (its `type` may be there); unknown keys are a
        TypeError, as onshi would refuse them."""
        d = {k: v for k, v in d.items() if k != "type"}
        later = d.get("confirmed_later")
        if isinstance(later, dict):
            d["confirmed_later"] = LaterConfirmed(**later)
        return cls(**d)


@dataclass
class Done:
    """Reply to `time` and `outage`."""
    type = "done"


@dataclass
class Bye:
    """Reply to `end`."""
    type = "bye"


@dataclass
class Log:
    """A line for the scenario's trace, at any time (not a reply)."""
    message: str
    type = "log"


@dataclass
class Error:
    """Instead of a reply: the system could not handle the message."""
    message: str
    type = "error"


FromAdapter = Union[Ready, Recorded, Done, Bye, Log, Error]

_REPLY_TO = {"hello": Ready, "visit": Recorded, "observe": Recorded, "time": Done,
             "outage": Done, "end": Bye}


def _check_recorded(r: Recorded) -> None:
    def text(name):
        v = getattr(r, name)
        if v is not None and not isinstance(v, str):
            raise ProtocolError("Recorded.%s must be text or None, not %r" % (name, v))

    def count(name, top=None):
        v = getattr(r, name)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0
                              or (top is not None and v > top)):
            raise ProtocolError("Recorded.%s must be a whole number%s or None, not %r"
                                % (name, " up to %d" % top if top else "", v))

    if not isinstance(r.visit, str):
        raise ProtocolError("Recorded.visit must be the visit's name, not %r" % (r.visit,))
    if r.path not in PATHS:
        raise ProtocolError("Recorded.path %r is not one of %s" % (r.path, ", ".join(PATHS)))
    for name in ("insurer_number", "symbol", "number", "branch", "name", "limit_category"):
        text(name)
    if r.relation is not None and r.relation not in RELATIONS:
        raise ProtocolError("Recorded.relation %r is not one of %s" % (r.relation, ", ".join(RELATIONS)))
    c = r.limit_category
    if c is not None and not (len(c) == 3 and c[0] in "AB" and c[1:].isdigit()
                              and 1 <= int(c[1:]) <= 10):
        raise ProtocolError("Recorded.limit_category %r is not an 適用区分 (A01–A06, B01–B10)"
                            % c)
    count("copay_percent", 100)
    count("cap")
    count("charged")
    if not isinstance(r.confirm_later, bool):
        raise ProtocolError("Recorded.confirm_later must be True or False")
    bad = [k for k in r.fetched if k not in FETCHED_KINDS]
    if bad:
        raise ProtocolError("Recorded.fetched: %r not among %s" % (bad, ", ".join(FETCHED_KINDS)))
    later = r.confirmed_later
    if later is not None:
        if not isinstance(later, LaterConfirmed):
            raise ProtocolError("Recorded.confirmed_later must be a LaterConfirmed or None")
        try:
            _dt.date.fromisoformat(later.on)
        except (TypeError, ValueError):
            raise ProtocolError("confirmed_later.on %r is not a date YYYY-MM-DD"
                                % (later.on,)) from None
        v = later.validity
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 6):
            raise ProtocolError("confirmed_later.validity %r is not a 資格有効性 (1–6)" % (v,))
    if not isinstance(r.stored, dict):
        raise ProtocolError("Recorded.stored must be a dict (a JSON object)")


def to_json(reply: FromAdapter) -> dict:
    """A reply as the JSON object onshi reads (`type` first)."""
    if isinstance(reply, Recorded):
        _check_recorded(reply)
    if isinstance(reply, Ready) and reply.protocol != PROTOCOL:
        raise ProtocolError("Ready.protocol must be %r" % PROTOCOL)
    out = {"type": reply.type}
    out.update(dataclasses.asdict(reply))
    return out


# ── the loop ────────────────────────────────────────────────────────────────────────────────


class Adapter:
    """The handler `run` dispatches to: override `visit` (and whatever else the system does).
    `name` and `version` name the system under test in `ready` and in the reports."""

    name = "my-system"
    version = "0.1"

    def __init__(self) -> None:
        self.recorded: Dict[str, Recorded] = {}  # visit name → the last Recorded sent

    def hello(self, msg: Hello) -> Ready:
        """The scenario starts (a fresh process, an empty database). Keep `msg.oqs` and
        `msg.institutions`."""
        return Ready(SystemInfo(self.name, self.version))

    def visit(self, msg: Visit) -> Recorded:
        """A patient at the desk: read the face file / confirm by numbers, charge, record."""
        raise NotImplementedError("this adapter does not handle `visit` yet")

    def observe(self, msg: Observe) -> Recorded:
        """The visit's record as the system holds it now. By default: the last `Recorded` sent
        for it (override when a record changes later, e.g. after a retried confirmation)."""
        rec = getattr(self, "recorded", {}).get(msg.visit)
        if rec is None:
            raise ProtocolError("no visit %r was recorded" % msg.visit)
        return rec

    def time(self, msg: Time) -> Done:
        """The virtual clock moved: retry owed confirmations (PRV-7)."""
        return Done()

    def outage(self, msg: Outage) -> Done:
        """An announced outage (information only)."""
        return Done()

    def end(self, msg: End) -> Bye:
        """The scenario is over."""
        return Bye()


_out_lock = threading.Lock()
_out: Optional[TextIO] = None


def _send(obj: dict, out: Optional[TextIO] = None) -> None:
    line = json.dumps(obj, ensure_ascii=False) + "\n"
    with _out_lock:
        stream = out or _out or sys.stdout
        stream.write(line)
        stream.flush()


def log(message: str) -> None:
    """Puts a line into the scenario's trace (`provider.log`). Not a reply: call it any time,
    from any thread, while `run` is serving."""
    _send({"type": "log", "message": str(message)})


def _protocol_streams():
    """The real standard input and output for the protocol, as UTF-8 text; file descriptor 1
    then points at standard error, so a stray print or child process cannot break a line."""
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", closefd=False)
    try:
        sys.stdout.flush()
        proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    except OSError:  # pragma: no cover — no dup (unusual platforms): plain stdout
        proto = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
    return stdin, proto


def _reply(handler, msg: ToAdapter, started: bool) -> FromAdapter:
    kind = msg.type
    if kind == "hello":
        if msg.protocol != PROTOCOL:
            raise ProtocolError("this adapter speaks %s only, not %r" % (PROTOCOL, msg.protocol))
    elif not started:
        raise ProtocolError("%s before hello" % kind)
    reply = getattr(handler, kind)(msg)
    want = _REPLY_TO[kind]
    if reply is None and want in (Done, Bye):
        reply = want()
    elif reply is None and want is Ready:
        reply = Ready(SystemInfo(getattr(handler, "name", "my-system"),
                                 getattr(handler, "version", "0.1")))
    if not isinstance(reply, want):
        raise ProtocolError("%s.%s returned %s; it must return %s"
                            % (type(handler).__name__, kind, type(reply).__name__,
                               want.__name__))
    if isinstance(reply, Recorded):
        if reply.visit != msg.visit:
            raise ProtocolError("the Recorded for visit %r names visit %r"
                                % (msg.visit, reply.visit))
        if kind == "visit":
            if not isinstance(getattr(handler, "recorded", None), dict):
                handler.recorded = {}
            handler.recorded[msg.visit] = reply
    return reply


def run(handler, stdin: Optional[TextIO] = None, stdout: Optional[TextIO] = None) -> None:
    """Serves onshi until `end` (or the end of standard input): reads a message, calls the
    handler's method for its type, writes exactly one reply line and flushes. `stdin` and
    `stdout` default to the process's own (give text streams to test an adapter in-process)."""
    global _out
    if stdin is None and stdout is None:
        stdin, stdout = _protocol_streams()
    else:
        stdin = stdin if stdin is not None else sys.stdin
        stdout = stdout if stdout is not None else sys.stdout
    previous, _out = _out, stdout
    started = False
    try:
        for line in stdin:
            if not line.strip():
                continue
            kind = None
            try:
                msg = parse_message(line)
                kind = msg.type
                reply = to_json(_reply(handler, msg, started))
                started = started or kind == "hello"
            except Exception as e:  # the system could not handle it: say so instead
                if isinstance(e, ProtocolError):
                    print("onshi_adapter: %s" % e, file=sys.stderr)
                else:
                    traceback.print_exc(file=sys.stderr)
                reply = {"type": "error", "message": "%s: %s" % (type(e).__name__, e)}
            _send(reply, stdout)
            if kind == "end":
                break
    finally:
        _out = previous
