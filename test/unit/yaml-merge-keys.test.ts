import { describe, expect, it } from "vitest";
import type { Node } from "yaml";
import { isMap, isSeq } from "yaml";
import { YamlReader } from "../../src/config/yaml-reader.js";

/** The document as plain values, every mapping read through the reader's entries (so merged). */
function read(text: string): unknown {
  const { reader, root } = YamlReader.parse(text, "compose.yaml", {});
  const plain = (node: Node | null, at: string): unknown => {
    if (isMap(node))
      return Object.fromEntries(reader.entries(node, at).map(([key, value]) => [key, plain(value, at ? `${at}.${key}` : key)]));
    if (isSeq(node)) return node.items.map((item, i) => plain(reader.deref(item), `${at}[${i}]`));
    return reader.string(node, at);
  };
  return plain(root, "");
}

const errorOf = (text: string) => {
  try {
    read(text);
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
};

describe("YAML merge keys (<<), as compose reads them", () => {
  it("merges one mapping under the mapping's own keys, which win wherever they are written", () => {
    expect(read("base: &base {image: shop, user: app}\nweb:\n  user: root\n  <<: *base\n  command: x\n").web).toEqual({
      image: "shop",
      user: "root",
      command: "x",
    });
  });

  it("merges a list of mappings, the earlier one winning, and merges within merged mappings", () => {
    const text = [
      "a: &a {one: a, two: a}",
      "b: &b {two: b, three: b}",
      "c: &c {<<: *b, four: c}",
      "web:",
      "  <<: [*a, *c]",
      "  own: web",
      "",
    ].join("\n");
    expect(read(text).web).toEqual({ one: "a", two: "a", three: "b", four: "c", own: "web" });
  });

  it("puts keys in the order compose gets them: merged ones first, then the mapping's own", () => {
    const { web } = read("base: &base {b: 1, c: 1}\nweb:\n  a: 2\n  <<: *base\n  c: 2\n") as { web: object };
    expect(Object.entries(web)).toEqual([
      ["b", "1"],
      ["c", "2"],
      ["a", "2"],
    ]);
  });

  it('keeps a quoted "<<" as an ordinary key', () => {
    expect(read("web:\n  '<<': literal\n").web).toEqual({ "<<": "literal" });
  });

  it("locates an error in a merged value at the line where the anchor writes it", () => {
    const { reader, root } = YamlReader.parse("base: &base\n  user: [not, a, string]\nweb:\n  <<: *base\n", "compose.yaml", {});
    const web = reader.entries(root, "").find(([key]) => key === "web")?.[1] ?? null;
    const [, user] = reader.entries(web, "web")[0]!;
    expect(() => reader.string(user, "web.user")).toThrow(/^compose\.yaml:2:9: web\.user: expected a string, got a list$/);
  });

  it("refuses a merge of an anchor that is not there, or of something that is not a mapping, in one located line", () => {
    expect(errorOf("web:\n  <<: *nowhere\n")).toBe("compose.yaml:2:7: unknown alias *nowhere");
    expect(errorOf("number: &number 5\nweb:\n  <<: *number\n")).toBe("compose.yaml:3:7: web.<<: << merges the number 5");
    expect(errorOf("web:\n  <<: [plain]\n")).toBe('compose.yaml:2:8: web.<<: << merges the string "plain"');
  });
});

describe("a merge key that merges its own mapping", () => {
  it("is refused in one located line rather than followed forever", () => {
    expect(errorOf("web: &web\n  user: app\n  <<: *web\n")).toBe("compose.yaml:3:7: web.<<: << merges a mapping into itself");
  });
});
