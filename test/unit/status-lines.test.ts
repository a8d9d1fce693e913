import { describe, expect, it } from "vitest";
import { statusBlock, streamReporter } from "../../src/output/reporter.js";

/**
 * Just enough of a terminal to replay what the reporter writes: printable text, \r, \n, and
 * the three escapes it uses (ESC[nA cursor up, ESC[2K erase line, ESC[0J erase to the end).
 */
class Screen {
  lines: string[] = [""];
  row = 0;
  column = 0;
  readonly isTTY = true;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {}
  write(chunk: string): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const escape = /^\x1b\[(\d*)([AKJ])/.exec(chunk.slice(i));
      if (escape) {
        const [all, count, code] = escape;
        if (code === "A") this.row = Math.max(0, this.row - Number(count || 1));
        if (code === "K") this.lines[this.row] = "";
        if (code === "J") this.lines = [...this.lines.slice(0, this.row), (this.lines[this.row] ?? "").slice(0, this.column)];
        i += all.length - 1;
      } else if (chunk[i] === "\r") this.column = 0;
      else if (chunk[i] === "\n") {
        this.row++;
        this.column = 0;
        while (this.lines.length <= this.row) this.lines.push("");
      } else {
        const line = (this.lines[this.row] ?? "").padEnd(this.column);
        this.lines[this.row] = line.slice(0, this.column) + chunk[i] + line.slice(this.column + 1);
        this.column++;
      }
    }
    return true;
  }
  text(): string {
    return this.lines.join("\n").trimEnd();
  }
}

describe("status lines on a terminal", () => {
  it("redraws a block in place, taking away lines it no longer has", () => {
    const screen = new Screen(80, 24);
    const report = streamReporter(screen as never, { quiet: false });
    report.info("before");
    report.status(["pulling x: 0/2 layers", "aaaaaaaaaaaa: Pulling fs layer", "bbbbbbbbbbbb: Pulling fs layer"]);
    report.status(["pulling x: 1/2 layers", "aaaaaaaaaaaa: Pull complete", "bbbbbbbbbbbb: Downloading [=>  ] 1MB/4MB"]);
    expect(screen.text()).toBe(
      "oneoff: before\npulling x: 1/2 layers\naaaaaaaaaaaa: Pull complete\nbbbbbbbbbbbb: Downloading [=>  ] 1MB/4MB",
    );
    report.status("one line now");
    expect(screen.text()).toBe("oneoff: before\none line now");
    // A message takes the block's place; the block is drawn again below it by the next status.
    report.warn("a warning");
    expect(screen.text()).toBe("oneoff: before\noneoff: a warning");
  });

  it("leaves the block on screen when asked to keep it, and takes it away otherwise", () => {
    const kept = new Screen(80, 24);
    const keep = streamReporter(kept as never, { quiet: false });
    keep.status(["pulled x: 2/2 layers", "aaaaaaaaaaaa: Pull complete"]);
    keep.endStatus({ keep: true });
    keep.info("next");
    expect(kept.text()).toBe("pulled x: 2/2 layers\naaaaaaaaaaaa: Pull complete\noneoff: next");
    const cleared = new Screen(80, 24);
    const clear = streamReporter(cleared as never, { quiet: false });
    clear.status(["pulling x", "aaaaaaaaaaaa: Downloading"]);
    clear.endStatus();
    clear.info("next");
    expect(cleared.text()).toBe("oneoff: next");
  });

  it("draws nothing without a terminal or with --quiet", () => {
    const pipe = {
      isTTY: false,
      written: "",
      write(chunk: string) {
        this.written += chunk;
        return true;
      },
    };
    streamReporter(pipe as never, { quiet: false }).status(["a", "b"]);
    const quiet = new Screen(80, 24);
    streamReporter(quiet as never, { quiet: true }).status(["a", "b"]);
    expect(pipe.written).toBe("");
    expect(quiet.text()).toBe("");
  });

  it("cuts lines to the width and leaves out middle lines that would not fit the height", () => {
    expect(statusBlock(["x".repeat(50)], 20, 24)).toEqual(["x".repeat(19)]);
    const lines = ["head", ...Array.from({ length: 10 }, (_, i) => `layer ${i}`)];
    expect(statusBlock(lines, 80, 6)).toEqual(["head", "... 7 more", "layer 7", "layer 8", "layer 9"]);
    // Redrawn at that height, the block stays within the screen and in place.
    const screen = new Screen(80, 6);
    const report = streamReporter(screen as never, { quiet: false });
    report.status(lines);
    report.status(lines.map((line) => `${line}!`));
    expect(screen.text()).toBe("head!\n... 7 more\nlayer 7!\nlayer 8!\nlayer 9!");
  });
});
