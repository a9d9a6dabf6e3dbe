// A helper for writing an onshi conformance adapter in TypeScript for Node (no npm package at
// run time; compiles with tsc 4.8 or later, runs on Node 18 or later).
//
// The conformance adapter protocol, version 1 (onshi-cap/1, docs/adapter-protocol.md): onshi
// starts the adapter once per scenario, sends one JSON object per line on its standard input
// and waits for exactly one reply line per message on its standard output. This module is that
// loop and the messages as types; the adapter fills in what its system does:
//
//     import { Adapter, Recorded, Visit, run } from "./onshi-adapter";
//     class MyAdapter extends Adapter {
//       name = "my-clinic";
//       async visit(msg: Visit): Promise<Recorded> { ...; return { visit: msg.visit, path: "confirmed", confirm_later: false, charged: 1200 }; }
//     }
//     run(new MyAdapter());
//
// | onshi sends | method of the handler | returns (default)                                  |
// |-------------|-----------------------|----------------------------------------------------|
// | `hello`     | `hello(Hello)`        | `Ready` (protocol onshi-cap/1, `name`/`version`)    |
// | `visit`     | `visit(Visit)`        | `Recorded` (no default: fill it in)                 |
// | `observe`   | `observe(Observe)`    | `Recorded` (default: the visit's last `Recorded`)   |
// | `time`      | `time(Time)`          | `Done`                                              |
// | `outage`    | `outage(Outage)`      | `Done`                                              |
// | `end`       | `end(End)`            | `Bye`; the loop then ends                           |
//
// Every method may return its reply or a Promise of it (a desk that waits for an answer file is
// async); messages are handled one at a time, in order. A method that returns nothing where
// `Ready`, `Done` or `Bye` is due sends the default. A thrown error becomes
// {"type":"error","message":...} (the scenario fails with that text) and its stack goes to
// standard error, which onshi attaches to the verdict. `log(text)` puts a line into the
// scenario's trace at any time. While `run` serves, console.log/info/debug write to standard
// error, so a stray debug line cannot break the protocol.
//
// Messages from onshi are read leniently (fields a later onshi-cap/1 adds are ignored; the
// whole object is in `.raw`); replies are checked before they are sent, so a mistake shows as
// an `error` with the reason rather than as a protocol break.

import * as readline from "readline";

export const PROTOCOL = "onshi-cap/1";

// ── messages from onshi ────────────────────────────────────────────────────────────────────

/** The OQS interfaces of the scenario. */
export interface OqsPlaces {
  /** The OQS root. */
  root: string;
  /** `<root>/req`: requests go here (write a temporary name, then rename). */
  req: string;
  /** `<root>/res`: answers appear here. */
  res: string;
  /** `<root>/face`: face-authentication results. */
  face: string;
  /** Base URL of the web API; null with `--no-oqs-http`. */
  http: string | null;
  /** How result and face files are written; still read each file in the encoding it declares (PRV-6). */
  encoding: "utf8" | "shift_jis";
}

/** An institution the system under test plays. */
export interface Institution {
  /** Scenario key. */
  key: string;
  /** 医療機関コード (10 digits). */
  code: string;
  name: string;
}

/** The scenario starts. Reply: `Ready`. */
export interface Hello {
  type: "hello";
  protocol: string;
  /** Scenario id. */
  scenario: string;
  seed: number;
  /** Virtual time, e.g. `2026-04-10T09:00:00+09:00`. */
  now: string;
  oqs: OqsPlaces;
  institutions: Institution[];
}

/** What the patient wrote on the 問診票. Never keep or send `my_number` (PRV-5). */
export interface IntakeForm {
  my_number: string | null;
}

/** Who arrives. */
export interface Patient {
  /** Scenario key. */
  key: string;
  /** 氏名. */
  name: string;
  /** カナ氏名. */
  kana: string;
  /** 生年月日 `YYYYMMDD`. */
  birthdate: string;
  intake_form: IntakeForm;
}

/** The numbers on the patient's 資格確認書 / 資格情報のお知らせ for the visit date. */
export interface Certificate {
  insurer_number: string;
  symbol: string | null;
  number: string;
  branch: string | null;
  /** `YYYYMMDD`. */
  birthdate: string;
  /** 本人 (`insured`) or 家族 (`dependent`). */
  relation?: Relation | null;
}

/** 本人/家族 (OQSCD009). */
export type Relation = "insured" | "dependent";

/** 10割 cost of the visit in yen; `many_times`: 多数回該当 this month. */
export interface Fee {
  total: number;
  many_times: boolean;
}

/** A patient arrives at the reception desk. Reply: `Recorded`. */
export interface Visit {
  type: "visit";
  /** The visit's name: quote it in the reply. */
  visit: string;
  /** Virtual time of the visit; its date is the confirmation date. */
  now: string;
  /** 医療機関コード of the desk. */
  institution: string;
  patient: Patient;
  presents: "card" | "eligibility_certificate";
  /** Card visits: the face file in `oqs.face` (complete); null when identity was not verified. */
  face_file: string | null;
  certificate: Certificate | null;
  /** The patient's answer on sharing 限度額 data (confirmations by numbers). */
  limit_consent: boolean;
  fee: Fee | null;
  care: "outpatient" | "inpatient";
}

/** The virtual clock moved: retry owed confirmations (PRV-7). Reply: `Done`. */
export interface Time {
  type: "time";
  now: string;
}

/** The registry's operator announced an outage (information only). Reply: `Done`. */
export interface Outage {
  type: "outage";
  now: string;
  kind: "maintenance" | "emergency" | "throttle";
  from: string;
  until: string;
}

/** The visit's record as the system holds it now. Reply: `Recorded`. */
export interface Observe {
  type: "observe";
  visit: string;
  now: string;
}

/** The scenario is over. Reply: `Bye`. */
export interface End {
  type: "end";
  now: string;
}

/** A message from onshi, with the whole JSON object in `raw`. */
export type ToAdapter = (Hello | Visit | Time | Outage | Observe | End) & { raw?: Record<string, unknown> };

// ── replies ────────────────────────────────────────────────────────────────────────────────

/** The system under test, as the reports name it. */
export interface SystemInfo {
  name: string;
  version: string;
}

/** Reply to `hello`. */
export interface Ready {
  protocol?: typeof PROTOCOL;
  system: SystemInfo;
}

/** How a visit was settled. */
export type SettledPath =
  | "confirmed"
  | "followed_new_qualification"
  | "declaration_form"
  | "asked_patient"
  | "paper_certificate";

/** Optional data a system can fetch and show. */
export type FetchedKind = "medication" | "treatment" | "surgery" | "checkup";

export const PATHS: readonly SettledPath[] = [
  "confirmed",
  "followed_new_qualification",
  "declaration_form",
  "asked_patient",
  "paper_certificate",
];
export const FETCHED_KINDS: readonly FetchedKind[] = ["medication", "treatment", "surgery", "checkup"];

/** The owed confirmation, once made. */
export interface LaterConfirmed {
  /** `YYYY-MM-DD`. */
  on: string;
  /** 資格有効性 answered (1–6), null when the registry refused it. */
  validity: number | null;
}

/** Reply to `visit` and `observe`: what the system recorded. Fields left out are sent as null. */
export interface Recorded {
  visit: string;
  path: SettledPath;
  /** A confirmation is owed (PRV-7). */
  confirm_later: boolean;
  insurer_number?: string | null;
  symbol?: string | null;
  number?: string | null;
  branch?: string | null;
  /** 本人/家族 of the qualification recorded. */
  relation?: Relation | null;
  /** 氏名 as recorded from the result file. */
  name?: string | null;
  /** 負担割合 applied: 10, 20, 30 or 100. */
  copay_percent?: number | null;
  /** 適用区分 `A01`…`B10`. */
  limit_category?: string | null;
  /** The month's self-pay limit applied, yen. */
  cap?: number | null;
  /** 窓口負担 taken, yen. */
  charged?: number | null;
  fetched?: FetchedKind[];
  confirmed_later?: LaterConfirmed | null;
  /** What the system keeps (its database row); searched for the My Number (PRV-5). */
  stored?: Record<string, unknown>;
}

/** Reply to `time` and `outage`. */
export type Done = Record<string, never>;
/** Reply to `end`. */
export type Bye = Record<string, never>;

/** A message from the adapter, as written on the line. */
export type FromAdapter =
  | ({ type: "ready" } & Ready)
  | ({ type: "recorded" } & Recorded)
  | { type: "done" }
  | { type: "bye" }
  | { type: "log"; message: string }
  | { type: "error"; message: string };

type Maybe<T> = T | void | Promise<T | void>;

/** What `run` dispatches to. Extend `Adapter` or write an object with these methods. */
export interface Handler {
  hello?(msg: Hello): Maybe<Ready>;
  visit(msg: Visit): Recorded | Promise<Recorded>;
  observe?(msg: Observe): Recorded | Promise<Recorded>;
  time?(msg: Time): Maybe<Done>;
  outage?(msg: Outage): Maybe<Done>;
  end?(msg: End): Maybe<Bye>;
}

/** A message this module cannot read, or a reply that would break the protocol. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** The handler base: override `visit` (and whatever else the system does). */
export abstract class Adapter implements Handler {
  /** How the reports name the system under test. */
  name = "my-system";
  version = "0.1";
  /** Visit name → the last `Recorded` sent for it. */
  readonly recorded = new Map<string, Recorded>();

  /** The scenario starts (a fresh process, an empty database): keep `msg.oqs`, `msg.institutions`. */
  hello(_msg: Hello): Maybe<Ready> {
    return { protocol: PROTOCOL, system: { name: this.name, version: this.version } };
  }

  /** A patient at the desk: read the face file / confirm by numbers, charge, record. */
  abstract visit(msg: Visit): Recorded | Promise<Recorded>;

  /** By default the last `Recorded` sent for the visit; override when a record changes later. */
  observe(msg: Observe): Recorded | Promise<Recorded> {
    const r = this.recorded.get(msg.visit);
    if (r === undefined) throw new ProtocolError(`no visit ${JSON.stringify(msg.visit)} was recorded`);
    return r;
  }

  time(_msg: Time): Maybe<Done> {
    return {};
  }

  outage(_msg: Outage): Maybe<Done> {
    return {};
  }

  end(_msg: End): Maybe<Bye> {
    return {};
  }
}

/** A message's `now` as a Date. Use it, never the wall clock, for every date the system writes. */
export function moment(now: string): Date {
  const d = new Date(now);
  if (isNaN(d.getTime())) throw new ProtocolError(`not a time: ${JSON.stringify(now)}`);
  return d;
}

/** The calendar date (`YYYY-MM-DD`) of a `now` in its own offset (JST), without time-zone arithmetic. */
export function dateOf(now: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T/.exec(now);
  if (m === null) throw new ProtocolError(`not a time: ${JSON.stringify(now)}`);
  return m[1];
}

// ── reading messages ───────────────────────────────────────────────────────────────────────

type Json = Record<string, unknown>;
type Kind = "string" | "number" | "boolean" | "object" | "array";

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function field(d: Json, key: string, kind: Kind, what: string, nullable = false): unknown {
  if (!(key in d) || d[key] === null) {
    if (nullable) return null;
    throw new ProtocolError(`${what} has no \`${key}\``);
  }
  const v = d[key];
  const ok =
    kind === "array" ? Array.isArray(v) : kind === "object" ? isObject(v) : typeof v === kind;
  if (!ok) throw new ProtocolError(`\`${key}\` of ${what} is ${JSON.stringify(v)}`);
  return v;
}

function checked<T>(d: Json, what: string, spec: Record<string, [Kind, boolean?]>): T {
  for (const [key, [kind, nullable]] of Object.entries(spec)) field(d, key, kind, what, nullable);
  return d as unknown as T;
}

const MESSAGES: Record<string, (d: Json) => ToAdapter> = {
  hello(d) {
    const m = checked<Hello>(d, "hello", {
      protocol: ["string"],
      scenario: ["string"],
      seed: ["number"],
      now: ["string"],
      oqs: ["object"],
      institutions: ["array"],
    });
    checked(d.oqs as Json, "hello.oqs", {
      root: ["string"],
      req: ["string"],
      res: ["string"],
      face: ["string"],
      http: ["string", true],
      encoding: ["string"],
    });
    for (const i of m.institutions) {
      if (!isObject(i)) throw new ProtocolError("an institution is not an object");
      checked(i, "an institution", { key: ["string"], code: ["string"], name: ["string"] });
    }
    return m;
  },
  visit(d) {
    const m = checked<Visit>(d, "visit", {
      visit: ["string"],
      now: ["string"],
      institution: ["string"],
      patient: ["object"],
      presents: ["string"],
      face_file: ["string", true],
      certificate: ["object", true],
      limit_consent: ["boolean"],
      fee: ["object", true],
      care: ["string"],
    });
    checked(d.patient as Json, "visit.patient", {
      key: ["string"],
      name: ["string"],
      kana: ["string"],
      birthdate: ["string"],
      intake_form: ["object"],
    });
    checked((d.patient as Json).intake_form as Json, "visit.patient.intake_form", {
      my_number: ["string", true],
    });
    if (m.certificate !== null && m.certificate !== undefined)
      checked(d.certificate as Json, "visit.certificate", {
        insurer_number: ["string"],
        symbol: ["string", true],
        number: ["string"],
        branch: ["string", true],
        birthdate: ["string"],
        relation: ["string", true],
      });
    if (m.fee !== null && m.fee !== undefined)
      checked(d.fee as Json, "visit.fee", { total: ["number"], many_times: ["boolean"] });
    return m;
  },
  time: (d) => checked<Time>(d, "time", { now: ["string"] }),
  outage: (d) =>
    checked<Outage>(d, "outage", { now: ["string"], kind: ["string"], from: ["string"], until: ["string"] }),
  observe: (d) => checked<Observe>(d, "observe", { visit: ["string"], now: ["string"] }),
  end: (d) => checked<End>(d, "end", { now: ["string"] }),
};

/** One line from onshi as a typed message; throws `ProtocolError` when it cannot be read. */
export function parseMessage(line: string): ToAdapter {
  let d: unknown;
  try {
    d = JSON.parse(line);
  } catch (e) {
    throw new ProtocolError(`not JSON: ${(e as Error).message}`);
  }
  if (!isObject(d)) throw new ProtocolError("the message is not a JSON object");
  const kind = d.type;
  const parse = typeof kind === "string" && Object.prototype.hasOwnProperty.call(MESSAGES, kind) ? MESSAGES[kind] : undefined;
  if (parse === undefined) throw new ProtocolError(`unknown message type ${JSON.stringify(kind)}`);
  const msg = parse(d);
  Object.defineProperty(msg, "raw", { value: d, enumerable: false });
  return msg;
}

// ── writing replies ────────────────────────────────────────────────────────────────────────

function wholeOrNull(v: unknown, name: string, top?: number): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || (top !== undefined && v > top))
    throw new ProtocolError(
      `Recorded.${name} must be a whole number${top !== undefined ? ` up to ${top}` : ""} or null, not ${JSON.stringify(v)}`,
    );
  return v;
}

function textOrNull(v: unknown, name: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new ProtocolError(`Recorded.${name} must be text or null, not ${JSON.stringify(v)}`);
  return v;
}

/** A `recorded` reply, checked and with every field present, as onshi reads it. */
export function recordedLine(r: Recorded): FromAdapter {
  if (!isObject(r)) throw new ProtocolError("a Recorded must be an object");
  if (typeof r.visit !== "string") throw new ProtocolError("Recorded.visit must be the visit's name");
  if (!PATHS.includes(r.path))
    throw new ProtocolError(`Recorded.path ${JSON.stringify(r.path)} is not one of ${PATHS.join(", ")}`);
  if (typeof r.confirm_later !== "boolean") throw new ProtocolError("Recorded.confirm_later must be true or false");
  const limit = textOrNull(r.limit_category, "limit_category");
  if (limit !== null && !/^(A0[1-9]|A10|B0[1-9]|B10)$/.test(limit))
    throw new ProtocolError(`Recorded.limit_category ${JSON.stringify(limit)} is not an 適用区分 (A01–A06, B01–B10)`);
  const relation = r.relation ?? null;
  if (relation !== null && relation !== "insured" && relation !== "dependent")
    throw new ProtocolError(`Recorded.relation ${JSON.stringify(relation)} is not insured or dependent`);
  const fetched = r.fetched ?? [];
  if (!Array.isArray(fetched) || fetched.some((k) => !FETCHED_KINDS.includes(k)))
    throw new ProtocolError(`Recorded.fetched ${JSON.stringify(fetched)}: kinds are ${FETCHED_KINDS.join(", ")}`);
  let later: LaterConfirmed | null = null;
  if (r.confirmed_later !== undefined && r.confirmed_later !== null) {
    const { on, validity } = r.confirmed_later;
    const date = typeof on === "string" && /^\d{4}-\d{2}-\d{2}$/.test(on) ? new Date(`${on}T00:00:00Z`) : null;
    if (date === null || isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== on)
      throw new ProtocolError(`confirmed_later.on ${JSON.stringify(on)} is not a date YYYY-MM-DD`);
    if (validity !== undefined && validity !== null && !(Number.isInteger(validity) && validity >= 1 && validity <= 6))
      throw new ProtocolError(`confirmed_later.validity ${JSON.stringify(validity)} is not a 資格有効性 (1–6)`);
    later = { on, validity: validity ?? null };
  }
  const stored = r.stored ?? {};
  if (!isObject(stored)) throw new ProtocolError("Recorded.stored must be an object");
  return {
    type: "recorded",
    visit: r.visit,
    path: r.path,
    insurer_number: textOrNull(r.insurer_number, "insurer_number"),
    symbol: textOrNull(r.symbol, "symbol"),
    number: textOrNull(r.number, "number"),
    branch: textOrNull(r.branch, "branch"),
    relation,
    name: textOrNull(r.name, "name"),
    copay_percent: wholeOrNull(r.copay_percent, "copay_percent", 100),
    limit_category: limit,
    cap: wholeOrNull(r.cap, "cap"),
    charged: wholeOrNull(r.charged, "charged"),
    fetched,
    confirm_later: r.confirm_later,
    confirmed_later: later,
    stored,
  };
}

// ── the loop ───────────────────────────────────────────────────────────────────────────────

function send(obj: FromAdapter): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(JSON.stringify(obj) + "\n", () => resolve());
  });
}

/** Puts a line into the scenario's trace (`provider.log`). Not a reply: call it any time. */
export function log(message: string): void {
  void send({ type: "log", message: String(message) });
}

async function reply(handler: Handler, msg: ToAdapter, started: boolean): Promise<FromAdapter> {
  switch (msg.type) {
    case "hello": {
      if (msg.protocol !== PROTOCOL)
        throw new ProtocolError(`this adapter speaks ${PROTOCOL} only, not ${JSON.stringify(msg.protocol)}`);
      const r = handler.hello ? await handler.hello(msg) : undefined;
      const ready = r ?? { system: { name: "my-system", version: "0.1" } };
      if (!isObject(ready) || !isObject(ready.system) || typeof ready.system.name !== "string" || typeof ready.system.version !== "string")
        throw new ProtocolError("hello must return { system: { name, version } }");
      if (ready.protocol !== undefined && ready.protocol !== PROTOCOL)
        throw new ProtocolError(`Ready.protocol must be ${PROTOCOL}`);
      return { type: "ready", protocol: PROTOCOL, system: { name: ready.system.name, version: ready.system.version } };
    }
    case "visit":
    case "observe": {
      if (!started) throw new ProtocolError(`${msg.type} before hello`);
      let r: Recorded;
      if (msg.type === "visit") r = await handler.visit(msg);
      else if (handler.observe) r = await handler.observe(msg);
      else throw new ProtocolError("this adapter does not handle `observe`");
      const line = recordedLine(r);
      if (r.visit !== msg.visit)
        throw new ProtocolError(`the Recorded for visit ${JSON.stringify(msg.visit)} names visit ${JSON.stringify(r.visit)}`);
      if (msg.type === "visit" && handler instanceof Adapter) handler.recorded.set(msg.visit, r);
      return line;
    }
    case "time":
    case "outage":
    case "end": {
      if (!started) throw new ProtocolError(`${msg.type} before hello`);
      const r =
        msg.type === "time"
          ? handler.time && (await handler.time(msg))
          : msg.type === "outage"
            ? handler.outage && (await handler.outage(msg))
            : handler.end && (await handler.end(msg));
      if (r !== undefined && r !== null && (!isObject(r) || Object.keys(r).length > 0))
        throw new ProtocolError(`${msg.type} must return {} or nothing`);
      return { type: msg.type === "end" ? "bye" : "done" };
    }
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `Error: ${String(e)}`;
}

/**
 * Serves onshi until `end` (or the end of standard input): reads a message, calls the handler's
 * method for its type, writes exactly one reply line. Resolves when done; the process may exit.
 */
export async function run(handler: Handler): Promise<void> {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  let started = false;
  for await (const line of rl) {
    if (line.trim() === "") continue;
    let kind: string | undefined;
    let answer: FromAdapter;
    try {
      const msg = parseMessage(line);
      kind = msg.type;
      answer = await reply(handler, msg, started);
      started = started || kind === "hello";
    } catch (e) {
      if (e instanceof ProtocolError) process.stderr.write(`onshi-adapter: ${e.message}\n`);
      else process.stderr.write(`${e instanceof Error && e.stack ? e.stack : String(e)}\n`);
      answer = { type: "error", message: describe(e) };
    }
    await send(answer);
    if (kind === "end") break;
  }
  rl.close();
}

