import { describe, expect, it } from "vitest";
import { isServiceName, jobServiceName } from "../../src/requests/job-name.js";

const SUFFIX = "abc123";
// What the brief for a job's name asks, stricter than Swarm itself (which also takes capitals and _).
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LONG_APP = `${"a".repeat(30)}.${"b".repeat(49)}`;

describe("jobServiceName", () => {
  it.each([
    ["a plain app", { app: "shop" }, "shop-run-abc123"],
    ["a plain app's task", { app: "shop", task: "migrate" }, "shop-migrate-run-abc123"],
    ["a lock", { app: "shop", lock: "release" }, "shop-lock-release"],
    ["a name given with --name", { app: "shop", name: "nightly-report" }, "nightly-report"],
  ])("leaves %s's name as it was", (_, plan, name) => {
    expect(jobServiceName(plan, SUFFIX)).toBe(name);
  });

  it.each([
    ["dots (a mktemp -d folder)", { app: "tmp.Xa3bC9dE" }, /^tmp-xa3bc9de-[0-9a-f]{6}-run-abc123$/],
    ["a domain", { app: "example.com" }, /^example-com-[0-9a-f]{6}-run-abc123$/],
    ["capitals, a dot and an underscore", { app: "My.App_v2" }, /^my-app-v2-[0-9a-f]{6}-run-abc123$/],
    ["underscores", { app: "my_app" }, /^my-app-[0-9a-f]{6}-run-abc123$/],
    ["a task with a dot and a colon", { app: "shop", task: "db.seed:all" }, /^shop-db-seed-all-[0-9a-f]{6}-run-abc123$/],
    ["leading and trailing punctuation", { app: "-.shop._" }, /^shop-[0-9a-f]{6}-run-abc123$/],
    ["nothing usable", { app: "___" }, /^[0-9a-f]{6}-run-abc123$/],
    ["80 characters", { app: LONG_APP }, /^a{30}-b{14}-[0-9a-f]{6}-run-abc123$/],
    ["a lock of an app with a dot", { app: "my.app", lock: "release" }, /^my-app-[0-9a-f]{6}-lock-release$/],
    ["a lock with a dot and capitals", { app: "shop", lock: "DB.migrate" }, /^shop-lock-db-migrate-[0-9a-f]{6}$/],
    ["a long app's long lock", { app: LONG_APP, lock: `L${"x".repeat(70)}` }, /^a+-[0-9a-f]{6}-lock-lx+-[0-9a-f]{6}$/],
  ])("makes a DNS label of an app with %s, recognisably", (_, plan, shape) => {
    const name = jobServiceName(plan, SUFFIX);
    expect(name).toMatch(shape);
    expect(name).toMatch(DNS_LABEL);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(isServiceName(name)).toBe(true);
  });

  it("gives apps that read alike after the change different names, and the same app the same name each time", () => {
    const apps = ["my.app", "my-app", "my_app", "My.App", "MY.APP", "my..app"];
    const locks = apps.map((app) => jobServiceName({ app, lock: "release" }, SUFFIX));
    expect(new Set(locks).size).toBe(apps.length);
    expect(apps.map((app) => jobServiceName({ app, lock: "release" }, SUFFIX))).toEqual(locks);
    const longA = jobServiceName({ app: `${LONG_APP}-one` }, SUFFIX);
    const longB = jobServiceName({ app: `${LONG_APP}-two` }, SUFFIX);
    expect(longA).not.toBe(longB);
  });
});

describe("isServiceName (Swarm's rule for a service name)", () => {
  it.each(["shop", "Nightly_Report", "a", "a-b_c9", "x".repeat(63)])("takes %s", (name) => {
    expect(isServiceName(name)).toBe(true);
  });
  it.each(["my.job", "-shop", "shop-", "shop_", "", "x".repeat(64), "with space"])("refuses %j", (name) => {
    expect(isServiceName(name)).toBe(false);
  });
});
