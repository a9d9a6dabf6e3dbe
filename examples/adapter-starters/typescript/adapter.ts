// The onshi conformance adapter of my system (onshi-cap/1, docs/adapter-protocol.md).
//
// onshi starts this program once per scenario and talks to it over standard input/output, one
// JSON object per line; onshi-adapter.ts (beside this file) runs that loop. Fill in `visit`
// (and `observe`, `time`, `outage` as your system needs), build, then run the provider suite:
//
//     tsc -p path/to/this/folder
//     onshi run scenarios/ --adapter "node path/to/this/folder/dist/adapter.js" --out reports
//
// Until `visit` is written, every scenario fails on its checks (the handshake passes).

import { Adapter, Done, Hello, Institution, OqsPlaces, Outage, Ready, Recorded, Time, Visit, dateOf, log, run } from "./onshi-adapter";

class MyAdapter extends Adapter {
  name = "my-system"; // how the reports name the system under test
  version = "0.1";
  oqs: OqsPlaces | null = null;
  institutions = new Map<string, Institution>();

  hello(msg: Hello): Ready {
    // A new scenario: a fresh process, an empty database. The OQS folders of this scenario are
    // msg.oqs.req / .res / .face (and msg.oqs.http, the web API); the system plays every
    // institution in msg.institutions.
    this.oqs = msg.oqs;
    for (const i of msg.institutions) this.institutions.set(i.code, i);
    return { system: { name: this.name, version: this.version } };
  }

  async visit(msg: Visit): Promise<Recorded> {
    // TODO: what your reception desk does, before replying (await what it waits for):
    //  - msg.presents === "card": read the face file `${this.oqs.face}/${msg.face_file}`
    //    (null: identity not verified) in the encoding the file declares;
    //  - msg.presents === "eligibility_certificate": confirm by msg.certificate's numbers
    //    (OQSsiquc01req into this.oqs.req, write-then-rename; the answer comes in res);
    //  - fetch consented data (YZK/TKK), charge msg.fee.total at the 負担割合 and 限度額;
    //  - never keep or send msg.patient.intake_form.my_number;
    //  - take every date from msg.now (dateOf(msg.now)), never from the wall clock.
    log(`visit ${msg.visit} on ${dateOf(msg.now)}: not implemented yet`);
    // Protocol-valid but incomplete: the scenario's checks will fail until this is real.
    return {
      visit: msg.visit,
      path: "paper_certificate",
      confirm_later: false,
      stored: { todo: "the row your system keeps for this visit" },
    };
  }

  // observe: by default the last Recorded sent for the visit. Override it when a record changes
  // later (a confirmation made after an outage sets confirmed_later).

  time(_msg: Time): Done {
    // TODO: the virtual clock moved to msg.now: retry owed confirmations (PRV-7).
    return {};
  }

  outage(_msg: Outage): Done {
    // The registry announced an outage (msg.kind, msg.from, msg.until): information only.
    return {};
  }
}

run(new MyAdapter()).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
