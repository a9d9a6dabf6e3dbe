// The few Node APIs the starter uses, declared here so that `tsc` needs no @types/node (Debian
// ships tsc, not @types/node). When you install @types/node (`npm install -D @types/node`),
// delete this file and the "types": [] line of tsconfig.json.

interface NodeWritable {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
}

interface NodeReadable {
  pause(): this;
  destroy(error?: Error): this;
}

declare const process: {
  readonly stdin: NodeReadable;
  readonly stdout: NodeWritable;
  readonly stderr: NodeWritable;
  readonly env: { [name: string]: string | undefined };
  readonly argv: string[];
  exitCode: number | undefined;
  exit(code?: number): never;
};

interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}

declare var console: Console;

declare module "readline" {
  interface Interface extends AsyncIterable<string> {
    close(): void;
  }
  function createInterface(options: { input: NodeReadable; crlfDelay?: number; terminal?: boolean }): Interface;
}

/** Untyped access to any other Node module (`const fs = require("fs")`) until @types/node is there. */
declare function require(id: string): any;
