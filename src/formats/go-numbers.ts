/**
 * Numbers as the docker CLI's Go reads them, so a value means to oneoff what it means to docker:
 * strconv.ParseFloat's syntax (go-units' sizes: --memory 1e8, 0x1p30) and big.Rat's (--cpus
 * 3/2, 0x1.8, 1p-1). Underscores may stand between digits (1_000), as in Go's literals. Pure.
 */

/** Digits of a base, with underscores between them. */
const DIGITS = { 2: "[01]+(?:_[01]+)*", 8: "[0-7]+(?:_[0-7]+)*", 10: "\\d+(?:_\\d+)*", 16: "[\\da-fA-F]+(?:_[\\da-fA-F]+)*" } as const;
type Base = keyof typeof DIGITS;
/**
 * A mantissa of a base: digits with at most one point in or around them (1., .5, 1.5); after a
 * base prefix, an underscore may come first, before a digit (0x_1).
 */
const mantissa = (base: Base, prefixed = false) =>
  `(?:${prefixed ? "_?" : ""}${DIGITS[base]}(?:\\.(?:${DIGITS[base]})?)?|\\.${DIGITS[base]})`;

/** strconv.ParseFloat: decimal with an optional e exponent, or hexadecimal with a required p exponent. */
const GO_FLOAT = new RegExp(`^[+-]?(?:${mantissa(10)}(?:[eE][+-]?${DIGITS[10]})?|0[xX]${mantissa(16, true)}[pP][+-]?${DIGITS[10]})$`);

/** `text` as Go's strconv.ParseFloat reads it, or undefined where Go refuses it (or it overflows). */
export function goFloat(text: string): number | undefined {
  if (!GO_FLOAT.test(text)) return undefined;
  const plain = text.replaceAll("_", "");
  const hex = /^([+-]?)0[xX]([\da-fA-F]*)\.?([\da-fA-F]*)[pP]([+-]?\d+)$/.exec(plain);
  // A hexadecimal mantissa times a power of two: its digits are read exactly, then rounded once.
  const value = hex
    ? (hex[1] === "-" ? -1 : 1) * Number(BigInt(`0x0${hex[2]}${hex[3]}`)) * 2 ** (Number(hex[4]) - 4 * (hex[3] as string).length)
    : Number(plain);
  return Number.isFinite(value) ? value : undefined;
}

/** An exact fraction. */
export interface Rational {
  numerator: bigint;
  denominator: bigint;
}

const PREFIXES: Record<string, Base> = { b: 2, o: 8, x: 16 };

/** An integer as Go's big.Int SetString reads it with base 0: 0b, 0o, 0x, or a leading 0 for octal. */
function goInteger(text: string, signed: boolean): bigint | undefined {
  const match = new RegExp(
    `^(${signed ? "[+-]?" : ""})(?:0([bB])_?(${DIGITS[2]})|0([oO])_?(${DIGITS[8]})|0([xX])_?(${DIGITS[16]})|0_?(${DIGITS[8]})|(0|[1-9](?:_?\\d)*))$`,
  ).exec(text);
  if (!match) return undefined;
  const [, sign, , binary, , octal, , hex, leadingZeroOctal, decimal] = match;
  const digits = (
    binary ? `0b${binary}` : octal ? `0o${octal}` : hex ? `0x${hex}` : leadingZeroOctal ? `0o${leadingZeroOctal}` : decimal
  ) as string;
  const value = BigInt(digits.replaceAll("_", ""));
  return sign === "-" ? -value : value;
}

/**
 * big.Rat's float form: a base prefix (0b, 0o, 0x; a leading 0 is decimal), a point, an e or p
 * exponent (a hex mantissa takes e as a digit: only p).
 */
function ratFloatForm(prefix: string | undefined): RegExp {
  const base: Base = prefix ? (PREFIXES[prefix] as Base) : 10;
  const start = prefix ? `0[${prefix}${prefix.toUpperCase()}]` : "";
  const exponent = base === 16 ? "[pP]" : "[eEpP]";
  return new RegExp(`^([+-]?)${start}(${mantissa(base, prefix !== undefined)})(?:(${exponent})([+-]?${DIGITS[10]}))?$`);
}
/** Beyond this, an exponent makes a value no limit can be (Go's own bound is larger). */
const MAX_EXPONENT = 10_000;

/**
 * `text` as Go's big.Rat SetString reads it: a fraction A/B (each an integer with an optional
 * base prefix, a leading 0 meaning octal; B unsigned and not 0), or a number with an optional
 * base prefix, point and exponent (e: a power of 10; p: of 2). Undefined where Go refuses it; an
 * exponent past MAX_EXPONENT is Infinity's stand-in: undefined too, unless the number is 0.
 */
export function goRational(text: string): Rational | undefined {
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const numerator = goInteger(text.slice(0, slash), true);
    const denominator = goInteger(text.slice(slash + 1), false);
    return numerator === undefined || !denominator ? undefined : { numerator, denominator };
  }
  const prefix = /^[+-]?0([bBoOxX])/.exec(text)?.[1]?.toLowerCase();
  const match = ratFloatForm(prefix).exec(text);
  if (!match) return undefined;
  const [, sign, digits = "", exponentKind, exponentText] = match;
  const [whole = "", fraction = ""] = digits.replaceAll("_", "").split(".");
  let numerator = BigInt(`${prefix ? `0${prefix}` : ""}${whole}${fraction}`);
  let denominator = BigInt(prefix ? (PREFIXES[prefix] as Base) : 10) ** BigInt(fraction.length);
  if (sign === "-") numerator = -numerator;
  if (exponentKind === undefined || numerator === 0n) return { numerator, denominator };
  const exponent = Number(exponentText?.replaceAll("_", ""));
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  const power = (/[eE]/.test(exponentKind) ? 10n : 2n) ** BigInt(Math.abs(exponent));
  if (exponent >= 0) numerator *= power;
  else denominator *= power;
  return { numerator, denominator };
}
