import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { closest, editDistance, shellQuote, splitWords } from "../../src/formats/words.js";

/** Words a shell would mangle if they were not quoted. */
const TRICKY_WORDS = [
  "",
  " ",
  "  leading and trailing  ",
  "a b",
  "'",
  "''",
  "it's",
  '"',
  '""',
  'say "hi"',
  "\\",
  "\\\\",
  "ends with \\",
  "\\'",
  "'\\''",
  "$HOME",
  "${PATH:-x}",
  "$(id)",
  "`id`",
  "a\nb",
  "\n",
  "\t",
  "tab\there",
  "*",
  "~",
  "!history",
  "#comment",
  "a;b",
  "a&&b",
  "a|b",
  "<in>out",
  "(sub)",
  "{brace}",
  "-",
  "--",
  "=",
  "--flag=value with space",
  "ünïcödé ✓",
  "emoji 🚀",
  `mix 'single' "double" \\back $dollar \`tick\``,
  "\u0000nul",
  "\r\n",
];

describe("splitWords", () => {
  it.each([
    ["words separated by spaces", "rake db:migrate VERBOSE=1", ["rake", "db:migrate", "VERBOSE=1"]],
    ["an empty string", "", []],
    ["only whitespace", " \t\n ", []],
    ["runs of mixed whitespace", "  a \t b\n\nc  ", ["a", "b", "c"]],
    ["a single-quoted word with spaces", "echo 'hello world'", ["echo", "hello world"]],
    ["a double-quoted word with spaces", 'echo "hello world"', ["echo", "hello world"]],
    ["an empty single-quoted word", "a '' b", ["a", "", "b"]],
    ["an empty double-quoted word", 'a "" b', ["a", "", "b"]],
    ["quotes glued to unquoted text", `pre'mid dle'"post fix"end`, ["premid dlepost fixend"]],
    ["an option with a quoted value", `--message="fix: it's done"`, ["--message=fix: it's done"]],
    ["backslashes kept inside single quotes", String.raw`'a\b\'`, ["a\\b\\"]],
    ["double quotes inside single quotes", `'say "hi"'`, ['say "hi"']],
    ["single quotes inside double quotes", `"it's"`, ["it's"]],
    ["an escaped double quote inside double quotes", String.raw`"say \"hi\""`, ['say "hi"']],
    ["an escaped backslash inside double quotes", String.raw`"a\\b"`, [String.raw`a\b`]],
    ["escaped $ and backtick inside double quotes", String.raw`"\$HOME \`x\`"`, ["$HOME `x`"]],
    ["other backslashes kept inside double quotes", String.raw`"a\nb\ c"`, [String.raw`a\nb\ c`]],
    ["an escaped space outside quotes", String.raw`my\ file.txt`, ["my file.txt"]],
    ["an escaped quote outside quotes", String.raw`it\'s`, ["it's"]],
    ["an escaped backslash outside quotes", String.raw`a\\b`, [String.raw`a\b`]],
    ["a newline inside quotes", "'line1\nline2'", ["line1\nline2"]],
    ["no variable expansion", "echo $HOME ${PATH}", ["echo", "$HOME", "${PATH}"]],
    ["no glob expansion", "ls *.txt ~ ?", ["ls", "*.txt", "~", "?"]],
    ["no command substitution", "echo $(id) `id`", ["echo", "$(id)", "`id`"]],
    ["shell operators as plain words", "a && b | c; d > e", ["a", "&&", "b", "|", "c;", "d", ">", "e"]],
  ])("splits %s", (_name, text, expected) => {
    expect(splitWords(text)).toEqual(expected);
  });

  it.each([
    ["an unterminated single quote", "echo 'oops", "unterminated single quote"],
    ["an unterminated double quote", 'echo "oops', "unterminated double quote"],
    ["a double quote whose closing quote is escaped", String.raw`echo "oops\"`, "unterminated double quote"],
    ["a lone single quote", "'", "unterminated single quote"],
  ])("refuses %s", (_name, text, message) => {
    expect(() => splitWords(text)).toThrow(message);
  });
});

describe("shellQuote", () => {
  it.each([
    ["a plain word", "migrate", "migrate"],
    ["a path", "/usr/local/bin/rake", "/usr/local/bin/rake"],
    ["an option with a value", "--env=VERBOSE=1,x:y", "--env=VERBOSE=1,x:y"],
    ["an address", "user@host%eth0+1", "user@host%eth0+1"],
    ["an empty word", "", "''"],
    ["a word with a space", "hello world", "'hello world'"],
    ["a single quote", "it's", String.raw`'it'\''s'`],
    ["a dollar sign", "$HOME", "'$HOME'"],
    ["a glob", "*.txt", "'*.txt'"],
    ["a non-ASCII word", "café", "'café'"],
  ])("quotes %s as the shell needs", (_name, word, expected) => {
    expect(shellQuote(word)).toBe(expected);
  });

  const trickyWords = TRICKY_WORDS;

  it.each(trickyWords.map((word) => [JSON.stringify(word), word]))("round-trips %s through splitWords", (_name, word) => {
    expect(splitWords(shellQuote(word))).toEqual([word]);
  });

  it("round-trips a whole argv joined with spaces", () => {
    expect(splitWords(trickyWords.map(shellQuote).join(" "))).toEqual(trickyWords);
  });

  it("round-trips random words built from shell-special characters", () => {
    const alphabet = ["a", "Z", "0", " ", "\t", "\n", "'", '"', "\\", "$", "`", "*", "#", ";", "&", "|", "=", "-", "é", "{", "}"];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const argv = Array.from({ length: 1 + random(4) }, () =>
        Array.from({ length: random(12) }, () => alphabet[random(alphabet.length)]).join(""),
      );
      expect(splitWords(argv.map(shellQuote).join(" "))).toEqual(argv);
    }
  });
});

describe("shellQuote, read by a real sh", () => {
  it("gives sh back every word as it was (a NUL cannot be an argument at all)", () => {
    const words = TRICKY_WORDS.filter((word) => !word.includes("\0"));
    const printed = execFileSync("sh", ["-c", `printf '%s\\0' ${words.map(shellQuote).join(" ")}`]).toString("utf8");
    expect(printed.split("\0").slice(0, -1)).toEqual(words);
  });
});

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["same", "same", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
    ["flaw", "lawn", 2],
    ["comand", "command", 1],
    ["netwrok", "network", 2],
    ["workdri", "workdir", 2],
    ["Image", "image", 1],
  ])("counts %j -> %j as %i edits", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("closest", () => {
  const settingKeys = [
    "image",
    "release",
    "env",
    "env_file",
    "network",
    "networks",
    "user",
    "workdir",
    "entrypoint",
    "memory",
    "cpus",
    "labels",
  ];

  it.each([
    ["a one-letter typo", "comand", ["command", "description", "env"], "command"],
    ["a transposition", "netwrok", settingKeys, "network"],
    ["a transposition at the end", "workdri", settingKeys, "workdir"],
    ["a different case", "IMAGE", settingKeys, "image"],
    ["a near miss of a longer key", "enviroment", ["environment", "env"], "environment"],
    ["the exact key", "labels", settingKeys, "labels"],
    ["a short word within two edits", "ab", ["xy"], "xy"],
    ["a 9-letter word within three edits", "abcdefghi", ["abcdefxyz"], "abcdefxyz"],
  ])("suggests for %s", (_name, word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  it.each([
    ["a word far from every candidate", "enviroment", settingKeys],
    ["a short word three edits away", "abc", ["xyz"]],
    ["a 9-letter word four edits away", "abcdefghi", ["abcdewxyz"]],
    ["no candidates", "image", []],
  ])("suggests nothing for %s", (_name, word, candidates) => {
    expect(closest(word, candidates)).toBeUndefined();
  });

  it("prefers the first of equally close candidates", () => {
    expect(closest("cat", ["bat", "cut"])).toBe("bat");
    expect(closest("cat", ["cut", "bat"])).toBe("cut");
  });

  it("accepts any iterable of candidates", () => {
    expect(closest("memry", new Set(["memory", "cpus"]))).toBe("memory");
  });
});

describe("splitWords with a trailing backslash", () => {
  it.each([
    ["abc\\", ["abc\\"]],
    ["\\", ["\\"]],
    ["a b\\", ["a", "b\\"]],
  ])("keeps it, as sh does: %s", (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });
});
