/**
 * Text oneoff did not write itself (names from a container's archive, label values, engine
 * messages) never reaches the terminal raw: every control character shows as a visible escape,
 * so it can neither move the cursor, set the clipboard (OSC 52) nor forge an `oneoff:` line.
 */
import { describe, expect, it } from "vitest";
import { escapeControls } from "../../src/output/escape-controls.js";
import { formatErrorLine, OneoffError } from "../../src/output/errors.js";
import { jsonDocument } from "../../src/output/json-document.js";
import { statusBlock, streamReporter } from "../../src/output/reporter.js";
import { formatTable } from "../../src/output/table.js";

/** Any C0 control, DEL or C1 control: what must never be written raw. */
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function captured(): { written: string; write(chunk: string): boolean } {
  return {
    written: "",
    write(chunk: string) {
      this.written += chunk;
      return true;
    },
  };
}

describe("escapeControls", () => {
  it.each([
    ["\n", "\\n"],
    ["\r", "\\r"],
    ["\t", "\\t"],
    ["\x1b", "\\x1b"],
    ["\x00", "\\x00"],
    ["\x07", "\\x07"],
    ["\x08", "\\x08"],
    ["\x0b", "\\x0b"],
    ["\x0c", "\\x0c"],
    ["\x1f", "\\x1f"],
    ["\x7f", "\\x7f"],
    ["\u0080", "\\u0080"],
    ["\u009b", "\\u009b"],
    ["\u009d", "\\u009d"],
    ["\u009f", "\\u009f"],
  ])("shows %j as %s", (control, shown) => {
    expect(escapeControls(`a${control}b`)).toBe(`a${shown}b`);
  });

  it("leaves no C0 control, DEL or C1 control raw", () => {
    const every = Array.from({ length: 0xa0 }, (_, code) => String.fromCharCode(code)).join("");
    const shown = escapeControls(every);
    expect(shown).not.toMatch(RAW_CONTROL);
    // Each control is one escape; the printable ASCII between stays as it is.
    expect(shown).toContain(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\x7f");
  });

  it("defuses CSI and OSC sequences, OSC 52 (set the clipboard) among them", () => {
    expect(escapeControls("name\x1b[2J\x1b[H")).toBe("name\\x1b[2J\\x1b[H");
    expect(escapeControls("f\x1b]52;c;cm0gLXJmIH4=\x07")).toBe("f\\x1b]52;c;cm0gLXJmIH4=\\x07");
    expect(escapeControls("f\x1b]52;c;cm0gLXJmIH4=\x1b\\")).toBe("f\\x1b]52;c;cm0gLXJmIH4=\\x1b\\");
    expect(escapeControls("f\u009d52;c;eA==\u009c")).toBe("f\\u009d52;c;eA==\\u009c");
  });

  it("keeps a forged line on the one it came in", () => {
    expect(escapeControls("x\r\noneoff: all is well")).toBe("x\\r\\noneoff: all is well");
  });

  it("leaves valid non-ASCII text and plain text as they are", () => {
    for (const text of ["café", "漢字", "naïve → ok", "emoji 🙂", "a\\nb (a backslash and n)", ""]) {
      expect(escapeControls(text)).toBe(text);
    }
  });
});

describe("what oneoff prints, escaped in one place", () => {
  it("escapes the reporter's info and warn lines, also with --quiet", () => {
    const stderr = captured();
    const report = streamReporter(stderr as never, { quiet: false });
    report.info("copied out/\x1b]52;c;eA==\x07");
    report.warn("refused out/f\r\noneoff: forged");
    const quiet = captured();
    streamReporter(quiet as never, { quiet: true }).warn("refused out/\x1b[2Jf");
    expect(stderr.written).toBe("oneoff: copied out/\\x1b]52;c;eA==\\x07\noneoff: refused out/f\\r\\noneoff: forged\n");
    expect(quiet.written).toBe("oneoff: refused out/\\x1b[2Jf\n");
  });

  it("escapes status lines before cutting them to the width", () => {
    expect(statusBlock(["layer\x1b[2J: Downloading\r\n"], 80, 24)).toEqual(["layer\\x1b[2J: Downloading\\r\\n"]);
    expect(statusBlock(["\x1b[2J\x1b[2J"], 11, 24)).toEqual(["\\x1b[2J\\x1"]);
  });

  it("escapes the error line, hint too, and keeps it one line", () => {
    const line = formatErrorLine(new OneoffError("refused out/\x1b]52;c;eA==\x07: a\rfifo", { hint: "see\x1b[31m" }));
    expect(line).toBe("oneoff: refused out/\\x1b]52;c;eA==\\x07: a\\rfifo (see\\x1b[31m)");
    expect(formatErrorLine(new Error("boom\x1b[2J"))).toContain("boom\\x1b[2J");
  });

  it("keeps table cells on one line and aligns the columns on what is shown", () => {
    const table = formatTable(
      ["ID", "TASK/COMMAND", "BY"],
      [
        ["abc", "sh -c exec 2>&1\necho \x1b]52;c;eA==\x07", "ann\r"],
        ["def", "true", "bob"],
      ],
    );
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const lines = table.split("\n");
    expect(lines).toEqual([
      "ID    TASK/COMMAND                               BY",
      "abc   sh -c exec 2>&1\\necho \\x1b]52;c;eA==\\x07   ann\\r",
      "def   true                                       bob",
      "",
    ]);
  });

  it("writes DEL and C1 controls in a JSON document as \\u escapes, the same value once parsed", () => {
    const value = "a\x7fb\u009bc\x1bd";
    const document = jsonDocument("ps", { value });
    expect(document.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(document).toContain("a\\u007fb\\u009bc\\u001bd");
    expect((JSON.parse(document) as { value: string }).value).toBe(value);
  });
});
