import { describe, expect, it } from "vitest";
import {
  isSecretName,
  REDACTED,
  redactedJson,
  redactEnvList,
  redactEnvValue,
  redactSecretValues,
  rememberSecretValue,
} from "../../src/output/redact.js";

describe("isSecretName", () => {
  it.each([
    "PASSWORD",
    "db_password",
    "PGPASSWORD",
    "PASSWD",
    "SMTP_PASS",
    "SECRET_KEY_BASE",
    "GITHUB_TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "privatekey",
    "AWS_SECRET_ACCESS_KEY",
    "AUTH_HEADER",
    "SESSION_KEY",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "COOKIE_SECRET",
    "GOOGLE_APPLICATION_CREDENTIALS",
  ])("counts %s as secret", (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each(["PATH", "HOME", "RAILS_ENV", "DATABASE_URL", "PORT", "KEY", "KEYBOARD", "MONKEY", "SESSION_ID"])(
    "does not count %s as secret",
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );
});

describe("redactEnvValue", () => {
  it.each([
    ["a secret name", "DB_PASSWORD", "hunter2", REDACTED],
    ["a secret name with an empty value", "API_TOKEN", "", REDACTED],
    ["an ordinary value", "RAILS_ENV", "production", "production"],
    ["a URL password", "DATABASE_URL", "postgres://shop:hunter2@db:5432/shop", `postgres://shop:${REDACTED}@db:5432/shop`],
    ["a URL password without a user", "REDIS_URL", "redis://:hunter2@cache:6379/0", `redis://:${REDACTED}@cache:6379/0`],
    ["a URL password with an upper-case scheme", "X", "POSTGRES://u:pw@h", `POSTGRES://u:${REDACTED}@h`],
    ["a URL password with a compound scheme", "X", "postgresql+psycopg://u:pw@h/db", `postgresql+psycopg://u:${REDACTED}@h/db`],
    ["a URL with a user but no password", "X", "https://user@example.com/x", "https://user@example.com/x"],
    ["a URL with a port but no credentials", "X", "http://host:8080/x", "http://host:8080/x"],
    ["text that is not a URL", "X", "user:pw@host", "user:pw@host"],
  ])("shows %s as it may be shown", (_name, name, value, expected) => {
    expect(redactEnvValue(name, value)).toBe(expected);
  });

  it("redacts names the caller marks as secret", () => {
    expect(redactEnvValue("STRIPE_SK", "sk_live_123", new Set(["STRIPE_SK"]))).toBe(REDACTED);
    expect(redactEnvValue("STRIPE_SK", "sk_live_123", new Set(["OTHER"]))).toBe("sk_live_123");
  });
});

describe("redactEnvList", () => {
  it("masks secret values in KEY=VALUE entries and keeps the rest", () => {
    expect(
      redactEnvList([
        "RAILS_ENV=production",
        "SECRET_KEY_BASE=abc=def",
        "DATABASE_URL=postgres://shop:hunter2@db/shop",
        "EMPTY=",
        "NO_EQUALS_SIGN",
        "CUSTOM=visible-unless-marked",
      ]),
    ).toEqual([
      "RAILS_ENV=production",
      `SECRET_KEY_BASE=${REDACTED}`,
      `DATABASE_URL=postgres://shop:${REDACTED}@db/shop`,
      "EMPTY=",
      "NO_EQUALS_SIGN",
      "CUSTOM=visible-unless-marked",
    ]);
  });

  it("passes extra secret names through", () => {
    expect(redactEnvList(["CUSTOM=x", "OTHER=y"], new Set(["CUSTOM"]))).toEqual([`CUSTOM=${REDACTED}`, "OTHER=y"]);
  });
});

describe("URL passwords, wherever they are", () => {
  it.each([
    ["postgres://user:p@ss@host/db", "postgres://user:<redacted>@host/db"],
    ["primary=postgres://u:pw@h", "primary=postgres://u:<redacted>@h"],
    ["postgres://a:pw1@h1,postgres://b:pw2@h2", "postgres://a:<redacted>@h1,postgres://b:<redacted>@h2"],
    ["mysql://u:pw@h:3306/db?x=1", "mysql://u:<redacted>@h:3306/db?x=1"],
    ["http://host/path@x", "http://host/path@x"],
  ])("%s -> %s", (value, shown) => {
    expect(redactEnvValue("DATABASE_URL", value)).toBe(shown);
  });
});

describe("redactedJson", () => {
  it("masks a remembered secret holding a quote or a backslash, which the encoded text would hide", () => {
    const value = 'ab"cd\\ef-unit-91';
    rememberSecretValue(value);
    const document = { env: [`X=${value}`], nested: { words: ["run", value] } };
    // The old way (mask after encoding) misses it: the encoded text holds ab\"cd\\\\ef.
    expect(redactSecretValues(JSON.stringify(document))).toContain("ef-unit-91");
    const text = redactedJson(document, 2);
    expect(text).not.toContain("ef-unit-91");
    expect(JSON.parse(text)).toEqual({ env: [`X=${REDACTED}`], nested: { words: ["run", REDACTED] } });
  });
});
