"""Unit tests of onshi_adapter.py and the skeleton adapter.py, without onshi:

    python3 -m unittest discover -s examples/adapter-starters/python

(harness/tests/adapter_starters.rs runs these, and the skeleton against onshi itself.)
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onshi_adapter as oa  # noqa: E402
from adapter import MyAdapter  # noqa: E402

HELLO = {"type": "hello", "protocol": "onshi-cap/1", "scenario": "outage/emergency-stop",
         "seed": 1, "now": "2026-04-10T09:00:00+09:00",
         "oqs": {"root": "/o", "req": "/o/req", "res": "/o/res", "face": "/o/face",
                 "http": "http://127.0.0.1:40123", "encoding": "utf8"},
         "institutions": [{"key": "clinic", "code": "1310143217", "name": "オンシ内科クリニック"}]}
VISIT = {"type": "visit", "visit": "v", "now": "2026-04-10T09:00:00+09:00",
         "institution": "1310143217",
         "patient": {"key": "taro", "name": "山田　太郎", "kana": "ﾔﾏﾀﾞ ﾀﾛｳ", "birthdate": "19800510",
                     "intake_form": {"my_number": "912345678901"}},
         "presents": "card", "face_file": "OQSsiquc01res_face_x.xml",
         "certificate": {"insurer_number": "01130012", "symbol": "1234", "number": "5678",
                         "branch": "00", "birthdate": "19800510"},
         "limit_consent": True, "fee": {"total": 4000, "many_times": False},
         "care": "outpatient"}
END = {"type": "end", "now": "2026-04-10T10:00:00+09:00"}


def serve(handler, messages, stderr=None):
    """The replies (log lines included) of `handler` to `messages` (dicts or raw lines);
    what it writes to standard error goes to `stderr` (a StringIO) or nowhere."""
    lines = "".join((m if isinstance(m, str) else json.dumps(m, ensure_ascii=False)) + "\n"
                    for m in messages)
    out = io.StringIO()
    with contextlib.redirect_stderr(stderr if stderr is not None else io.StringIO()):
        oa.run(handler, stdin=io.StringIO(lines), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


class Charging(oa.Adapter):
    name, version = "test-desk", "2.0"

    def hello(self, msg):
        self.hello_msg = msg
        return super().hello(msg)

    def visit(self, msg):
        self.visit_msg = msg
        oa.log("at the desk: %s" % msg.patient.name)
        return oa.Recorded(visit=msg.visit, path="confirmed", insurer_number="01130012",
                           copay_percent=30, charged=msg.fee.total * 3 // 10,
                           limit_category="A03", fetched=["medication"],
                           stored={"patient": {"name": msg.patient.name}})

    def time(self, msg):
        rec = self.recorded["v"]
        rec.confirmed_later = oa.LaterConfirmed(on=oa.moment(msg.now).date().isoformat(),
                                                validity=1)


class Messages(unittest.TestCase):
    def test_every_message_parses_into_its_type(self):
        hello = oa.parse_message(json.dumps(HELLO))
        self.assertIsInstance(hello, oa.Hello)
        self.assertEqual(hello.oqs.face, "/o/face")
        self.assertEqual(hello.institutions[0].code, "1310143217")
        visit = oa.parse_message(json.dumps(VISIT))
        self.assertEqual(visit.patient.intake_form.my_number, "912345678901")
        self.assertEqual(visit.certificate.symbol, "1234")
        self.assertEqual(visit.fee, oa.Fee(4000, False))
        outage = oa.parse_message('{"type":"outage","now":"n","kind":"emergency",'
                                  '"from":"a","until":"b"}')
        self.assertEqual((outage.kind, outage.from_, outage.until), ("emergency", "a", "b"))
        self.assertEqual(oa.parse_message('{"type":"observe","visit":"v","now":"n"}').visit, "v")
        self.assertEqual(oa.parse_message('{"type":"time","now":"n"}').now, "n")
        self.assertEqual(oa.parse_message(json.dumps(END)).type, "end")

    def test_null_certificate_fee_face_file_and_http(self):
        v = dict(VISIT, certificate=None, fee=None, face_file=None)
        visit = oa.parse_message(json.dumps(v))
        self.assertIsNone(visit.certificate)
        self.assertIsNone(visit.fee)
        self.assertIsNone(visit.face_file)
        h = dict(HELLO, oqs=dict(HELLO["oqs"], http=None))
        self.assertIsNone(oa.parse_message(json.dumps(h)).oqs.http)

    def test_fields_added_later_are_ignored_and_kept_in_raw(self):
        msg = oa.parse_message(json.dumps(dict(HELLO, later={"x": 1})))
        self.assertEqual(msg.raw["later"], {"x": 1})

    def test_broken_messages_say_why(self):
        for line, why in [("not json", "not JSON"), ("[]", "not a JSON object"),
                          ('{"type":"teleport"}', "unknown message type"),
                          ('{"type":"visit","visit":"v"}', "visit has no `now`"),
                          (json.dumps(dict(VISIT, limit_consent="yes")), "limit_consent"),
                          (json.dumps(dict(HELLO, seed=True)), "seed")]:
            with self.subTest(line=line):
                with self.assertRaises(oa.ProtocolError) as e:
                    oa.parse_message(line)
                self.assertIn(why, str(e.exception))

    def test_recorded_serialises_every_field(self):
        r = oa.to_json(oa.Recorded(visit="v", path="paper_certificate", confirm_later=True))
        self.assertEqual(list(r)[0], "type")
        self.assertEqual(set(r), {
            "type", "visit", "path", "insurer_number", "symbol", "number", "branch", "relation", "name",
            "copay_percent", "limit_category", "cap", "charged", "fetched", "confirm_later",
            "confirmed_later", "stored"})

    def test_replies_onshi_would_refuse_are_caught_before_sending(self):
        for bad, why in [(dict(path="paid"), "path"), (dict(limit_category="C01"), "limit_category"),
                         (dict(copay_percent=130), "copay_percent"),
                         (dict(relation="spouse"), "relation"), (dict(charged=-1), "charged"),
                         (dict(charged=1.5), "charged"), (dict(fetched=["x-ray"]), "fetched"),
                         (dict(confirmed_later=oa.LaterConfirmed("2026-13-01")), "confirmed_later.on"),
                         (dict(confirmed_later=oa.LaterConfirmed("2026-04-11", 9)), "validity"),
                         (dict(symbol=1234), "symbol")]:
            with self.subTest(bad=bad):
                fields = dict(visit="v", path="confirmed")
                fields.update(bad)
                with self.assertRaises(oa.ProtocolError) as e:
                    oa.to_json(oa.Recorded(**fields))
                self.assertIn(why, str(e.exception))

    def test_recorded_from_a_dict(self):
        r = oa.Recorded.from_dict({"type": "recorded", "visit": "v", "path": "confirmed",
                                   "confirmed_later": {"on": "2026-04-11", "validity": 1}})
        self.assertEqual(r.confirmed_later, oa.LaterConfirmed("2026-04-11", 1))
        with self.assertRaises(TypeError):
            oa.Recorded.from_dict({"visit": "v", "path": "confirmed", "chargd": 1})


class Loop(unittest.TestCase):
    def test_a_scenario_one_reply_per_message(self):
        desk = Charging()
        replies = serve(desk, [HELLO, VISIT, {"type": "time", "now": "2026-04-11T10:00:00+09:00"},
                               {"type": "observe", "visit": "v", "now": "2026-04-11T10:00:00+09:00"},
                               {"type": "outage", "now": "n", "kind": "throttle", "from": "a",
                                "until": "b"}, END,
                               {"type": "time", "now": "after the end: not read"}])
        self.assertEqual([r["type"] for r in replies],
                         ["ready", "log", "recorded", "done", "recorded", "done", "bye"])
        self.assertEqual(replies[0], {"type": "ready", "system": {"name": "test-desk",
                                                                 "version": "2.0"},
                                      "protocol": "onshi-cap/1"})
        self.assertEqual(replies[1]["message"], "at the desk: 山田　太郎")
        self.assertEqual(replies[2]["charged"], 1200)
        self.assertIsNone(replies[2]["confirmed_later"])
        self.assertEqual(replies[4]["confirmed_later"], {"on": "2026-04-11", "validity": 1})
        self.assertEqual(desk.hello_msg.oqs.req, "/o/req")
        self.assertEqual(desk.visit_msg.presents, "card")

    def test_exceptions_become_error_replies_and_the_loop_goes_on(self):
        class Broken(oa.Adapter):
            def visit(self, msg):
                raise ValueError("the desk is closed")

        err = io.StringIO()
        replies = serve(Broken(), [HELLO, VISIT, END], stderr=err)
        self.assertEqual(replies[1], {"type": "error",
                                      "message": "ValueError: the desk is closed"})
        self.assertIn("Traceback", err.getvalue())
        self.assertIn("the desk is closed", err.getvalue())
        self.assertEqual(replies[2]["type"], "bye")

    def test_protocol_mistakes_are_errors(self):
        class Wrong(oa.Adapter):
            def visit(self, msg):
                return oa.Recorded(visit="someone else", path="confirmed")

            def time(self, msg):
                return oa.Recorded(visit="v", path="confirmed")

        replies = serve(Wrong(), [VISIT, dict(HELLO, protocol="onshi-cap/2"), HELLO, VISIT,
                                  {"type": "time", "now": "n"},
                                  {"type": "observe", "visit": "v", "now": "n"}, "", "garbage",
                                  END])
        self.assertEqual([r["type"] for r in replies],
                         ["error", "error", "ready", "error", "error", "error", "error", "bye"])
        self.assertIn("visit before hello", replies[0]["message"])
        self.assertIn("onshi-cap/1 only", replies[1]["message"])
        self.assertIn("names visit 'someone else'", replies[3]["message"])
        self.assertIn("Wrong.time returned Recorded; it must return Done", replies[4]["message"])
        self.assertIn("no visit 'v' was recorded", replies[5]["message"])

    def test_the_default_visit_says_it_is_not_written(self):
        replies = serve(oa.Adapter(), [HELLO, VISIT, END])
        self.assertEqual(replies[1]["type"], "error")
        self.assertIn("NotImplementedError", replies[1]["message"])


class Skeleton(unittest.TestCase):
    def test_the_skeleton_answers_with_a_valid_placeholder(self):
        replies = serve(MyAdapter(), [HELLO, VISIT, {"type": "observe", "visit": "v", "now": "n"},
                                      END])
        kinds = [r["type"] for r in replies]
        self.assertEqual(kinds, ["ready", "log", "recorded", "recorded", "bye"])
        self.assertEqual(replies[2]["path"], "paper_certificate")
        self.assertNotIn("912345678901", json.dumps(replies))

    def test_as_a_process_stray_prints_go_to_standard_error(self):
        here = os.path.dirname(os.path.abspath(__file__))
        code = ("import sys; sys.path.insert(0, %r)\n"
                "import onshi_adapter as oa\n"
                "class Noisy(oa.Adapter):\n"
                "    def visit(self, msg):\n"
                "        print('debugging', msg.visit)\n"
                "        import os; os.system('echo from a child')\n"
                "        return oa.Recorded(visit=msg.visit, path='confirmed')\n"
                "oa.run(Noisy())\n" % here)
        lines = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in (HELLO, VISIT, END))
        p = subprocess.run([sys.executable, "-c", code], input=lines.encode("utf-8"),
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]
        self.assertEqual([r["type"] for r in out], ["ready", "recorded", "bye"])
        err = p.stderr.decode("utf-8")
        self.assertIn("debugging v", err)
        self.assertIn("from a child", err)


if __name__ == "__main__":
    unittest.main()
