import { describe, expect, it } from "vitest";
import { RECORDING_MASK, StreamMasker } from "../../src/output/stream-masker.js";
import { CastWriter, type CastHeader } from "../../src/session/asciicast.js";
import { DEFAULT_RECORD_LIMIT_BYTES, recordingChoice } from "../../src/plan/recording-choice.js";
import { parseConfigFile } from "../../src/config/file.js";
import { parseCast, playCast, replayDelays, standardCast } from "../../src/lifecycle/replay.js";
import { packOneFile, readOneFile } from "../../src/formats/one-file-tar.js";
import { execFileSync } from "node:child_process";

const maskAll = (secrets: string[], chunks: string[]) => {
  const masker = new StreamMasker(secrets);
  return chunks.map((chunk) => masker.push(chunk)).join("") + masker.end();
};

describe("the streaming secret masker", () => {
  const secret = "s3cr3t-value";
  const text = `before ${secret} after`;

  it("masks a value split at every position, across two chunks", () => {
    for (let at = 0; at <= text.length; at++) {
      expect(maskAll([secret], [text.slice(0, at), text.slice(at)])).toBe(`before ${RECORDING_MASK} after`);
    }
  });

  it("masks a value split across many one-character chunks", () => {
    expect(maskAll([secret], [...text])).toBe(`before ${RECORDING_MASK} after`);
  });

  it("masks the longer of two values that start at one place, even when the chunk ends after the shorter", () => {
    expect(maskAll(["abcd", "abcdefgh"], ["x abcd", "efgh y"])).toBe(`x ${RECORDING_MASK} y`);
  });

  it("leaves neither of two overlapping values whole", () => {
    for (let at = 0; at <= 10; at++) {
      const out = maskAll(["abcdef", "defghi"], ["-abcdefghi-".slice(0, at), "-abcdefghi-".slice(at)]);
      expect(out).not.toContain("abcdef");
      expect(out).not.toContain("defghi");
      expect(out).toContain(RECORDING_MASK);
    }
  });

  it("passes text through untouched and holds nothing back when there are no secrets", () => {
    const masker = new StreamMasker([]);
    expect(masker.push("abc")).toBe("abc");
    expect(masker.end()).toBe("");
  });

  it("holds back no more than the longest value's length - 1", () => {
    const masker = new StreamMasker(["abcdef"]);
    expect(masker.push("0123456789")).toBe("01234");
    expect(masker.end()).toBe("56789");
  });

  it("masks values with characters a regular expression would read", () => {
    expect(maskAll(["a.b*c(d)"], ["x a.b*", "c(d) aXbbc(d)"])).toBe(`x ${RECORDING_MASK} aXbbc(d)`);
  });
});

describe("the asciicast writer", () => {
  const header: CastHeader = { width: 80, height: 24, timestamp: 1700000000, env: { TERM: "xterm", SHELL: undefined }, title: "console" };
  const cast = (secrets: string[], limitBytes: number, act: (writer: CastWriter, tick: (ms: number) => void) => void) => {
    const lines: string[] = [];
    let now = 0;
    const writer = new CastWriter(header, { secrets, limitBytes, elapsedMs: () => now, sink: (line) => lines.push(line) });
    act(writer, (ms) => (now += ms));
    const ended = writer.end();
    return { lines: lines.map((line) => JSON.parse(line) as unknown), text: lines.join(""), ended };
  };

  it("writes the v2 header, then output, resize, input and stderr events with their times", () => {
    const { lines, text } = cast([], 1 << 20, (writer, tick) => {
      writer.write("o", Buffer.from("hello\r\n"));
      tick(1500);
      writer.resize(100, 30);
      tick(250);
      writer.write("i", Buffer.from("ls\r"));
      writer.write("e", Buffer.from("oops\n"));
    });
    expect(lines[0]).toEqual({ version: 2, width: 80, height: 24, timestamp: 1700000000, env: { TERM: "xterm" }, title: "console" });
    expect(lines.slice(1)).toEqual([
      [0, "o", "hello\r\n"],
      [1.5, "r", "100x30"],
      [1.75, "i", "ls\r"],
      [1.75, "e", "oops\n"],
    ]);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("keeps a UTF-8 character split across two chunks whole", () => {
    const bytes = Buffer.from("né €", "utf8");
    for (let at = 1; at < bytes.length; at++) {
      const { lines } = cast([], 1 << 20, (writer) => {
        writer.write("o", bytes.subarray(0, at));
        writer.write("o", bytes.subarray(at));
      });
      expect((lines.slice(1) as Array<[number, string, string]>).map((event) => event[2]).join("")).toBe("né €");
    }
  });

  it("masks a secret split across two writes, and never writes it", () => {
    const { text } = cast(["hunter2-secret"], 1 << 20, (writer) => {
      writer.write("o", Buffer.from("pass: hunter2-"));
      writer.write("o", Buffer.from("secret\n"));
    });
    expect(text).not.toContain("hunter2");
    expect(text).toContain(RECORDING_MASK);
  });

  it("stops at the cap with one marker event, and says it was cut", () => {
    const { lines, ended } = cast([], 1024, (writer) => {
      for (let i = 0; i < 100; i++) writer.write("o", Buffer.from(`line ${i}\r\n`));
    });
    const last = lines.at(-1) as [number, string, string];
    expect(last[1]).toBe("m");
    expect(last[2]).toBe("recording cut at 1k (record_limit)");
    expect(lines.filter((line) => Array.isArray(line) && line[1] === "m")).toHaveLength(1);
    expect(ended.cut).toBe(true);
    expect(ended.bytes).toBeLessThan(1024 + 100);
  });

  it("is not cut when everything fits", () => {
    expect(cast([], 1024, (writer) => writer.write("o", Buffer.from("short"))).ended.cut).toBe(false);
  });
});

describe("whether a run is recorded", () => {
  const task = (record?: boolean | "input") => ({ name: "console", ...(record === undefined ? {} : { record }) });
  const environment = (record?: boolean | "input") => ({ name: "production", ...(record === undefined ? {} : { record }) });

  it("records nothing when neither oneoff.yaml nor --record asks", () => {
    expect(recordingChoice(undefined, {}, environment(), task())).toEqual({});
  });

  it("records with --record alone, output only, at the default cap", () => {
    expect(recordingChoice(true, undefined, undefined, undefined)).toEqual({
      recording: { input: false, limitBytes: DEFAULT_RECORD_LIMIT_BYTES },
    });
    expect(DEFAULT_RECORD_LIMIT_BYTES).toBe(64 * 1024 * 1024);
  });

  it("lets the task beat the environment, and the environment beat the top level", () => {
    expect(recordingChoice(undefined, { record: false }, environment(true), task("input")).recording?.input).toBe(true);
    expect(recordingChoice(undefined, { record: true }, environment(false), task())).toEqual({});
    expect(recordingChoice(undefined, { record: false }, environment("input"), task()).recording?.input).toBe(true);
    expect(recordingChoice(undefined, { record: true, recordLimitBytes: 1024 }, environment(), task()).recording).toEqual({
      input: false,
      limitBytes: 1024,
    });
    expect(recordingChoice(undefined, { record: true }, environment(), task(false))).toEqual({});
  });

  it("lets a config's record: false beat --record, and says so in one line naming where", () => {
    const choice = recordingChoice(true, { record: true }, environment(true), task(false));
    expect(choice.recording).toBeUndefined();
    expect(choice.recordingRefused).toBe(
      "not recording this session: tasks.console.record is false in oneoff.yaml, which --record does not override",
    );
    expect(recordingChoice(true, { record: false }, environment(), task()).recordingRefused).toContain("record is false");
    expect(recordingChoice(true, {}, environment(false), task()).recordingRefused).toContain("environments.production.record");
  });

  it("keeps input with --record when the config says input", () => {
    expect(recordingChoice(true, { record: "input" }, undefined, undefined).recording?.input).toBe(true);
  });

  it("says a detached one-off is not recorded", () => {
    expect(recordingChoice(true, {}, undefined, undefined, true).recordingRefused).toContain("detached");
  });
});

describe("record: and record_limit: in oneoff.yaml", () => {
  const parse = (text: string) => parseConfigFile(text, { path: "/app/oneoff.yaml", displayPath: "oneoff.yaml", env: {} }).config;

  it("reads them at the top level, per environment and per task", () => {
    const config = parse(
      "record: true\nrecord_limit: 1m\nenvironments:\n  prod:\n    record: input\ntasks:\n  console:\n    command: [sh]\n    record: false\n",
    );
    expect(config.record).toBe(true);
    expect(config.recordLimitBytes).toBe(1024 * 1024);
    expect(config.environments?.prod?.record).toBe("input");
    expect(config.tasks.console?.record).toBe(false);
  });

  it("refuses a record: that is not true, false or input, and a record_limit: that is not a size", () => {
    expect(() => parse("record: yes please\n")).toThrow(/record: expected true, false or input/);
    expect(() => parse("record_limit: lots\n")).toThrow(/record_limit: "lots" is not a size/);
  });
});

describe("replay timing", () => {
  it("waits the time between events, divided by the speed", () => {
    expect(replayDelays([{ seconds: 0.5 }, { seconds: 1.5 }, { seconds: 1.5 }], 1)).toEqual([500, 1000, 0]);
    expect(replayDelays([{ seconds: 0.5 }, { seconds: 1.5 }], 2)).toEqual([250, 500]);
  });

  it("caps every pause at the idle limit before the speed applies", () => {
    expect(replayDelays([{ seconds: 10 }, { seconds: 11 }, { seconds: 100 }], 2, 4)).toEqual([2000, 500, 2000]);
  });

  it("never waits a negative time for an event out of order", () => {
    expect(replayDelays([{ seconds: 2 }, { seconds: 1 }, { seconds: 3 }], 1)).toEqual([2000, 0, 1000]);
  });

  it("plays output to stdout, stderr to stderr, skips resizes and typing, with the given sleep", async () => {
    const cast = parseCast(
      '{"version":2,"width":80,"height":24}\n[0.5,"o","a"]\n[1,"r","100x30"]\n[2,"i","x"]\n[3,"e","b"]\nnot json\n[3,"m","recording cut at 1k (record_limit)"]\n',
    );
    const out: string[] = [];
    const err: string[] = [];
    const slept: number[] = [];
    await playCast(
      cast!,
      { stdout: (text) => out.push(text), stderr: (text) => err.push(text) },
      {
        speed: 10,
        sleep: async (ms) => void slept.push(ms),
      },
    );
    expect(out).toEqual(["a"]);
    expect(err).toEqual(["b", "\noneoff: recording cut at 1k (record_limit)\n"]);
    expect(slept).toEqual([50, 50, 100, 100]);
  });

  it("writes the standard v2 file, stderr as output", () => {
    const cast = parseCast('{"version":2,"width":80,"height":24}\n[1,"e","b"]\n[2,"o","c"]\n')!;
    expect(standardCast(cast)).toBe('{"version":2,"width":80,"height":24}\n[1,"o","b"]\n[2,"o","c"]\n');
  });

  it("reads no cast from text that is not one", () => {
    expect(parseCast("")).toBeUndefined();
    expect(parseCast('{"version":1}\n')).toBeUndefined();
  });
});

describe("the one-file tar", () => {
  it("packs a file that reads back, and that tar itself lists", () => {
    const data = Buffer.from("x".repeat(1000));
    const tar = packOneFile("session.cast.gz", data, new Date(0));
    expect(tar.length % 512).toBe(0);
    expect(readOneFile(tar)?.equals(data)).toBe(true);
    expect(execFileSync("tar", ["-tvf", "-"], { input: tar }).toString()).toMatch(/-rw------- .* 1000 .*session\.cast\.gz/);
  });

  it("reads nothing from a truncated or empty archive", () => {
    const tar = packOneFile("f", Buffer.from("y".repeat(600)), new Date(0));
    expect(readOneFile(tar.subarray(0, 700))).toBeUndefined();
    expect(readOneFile(Buffer.alloc(1024))).toBeUndefined();
  });
});
