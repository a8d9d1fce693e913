/**
 * Secrets delivered as files: written into the created one-off before it starts, through the
 * archive endpoint, as a tar built in memory from the value (never a temp file on this disk).
 * The engine puts them in the container's writable layer, on the engine host's disk, until
 * the container is removed; not in its env, not in `docker inspect`. A tmpfs would hide them
 * (test/integration/archive-tmpfs.test.ts), so targets under mounts are refused earlier.
 */
import path from "node:path";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import type { SecretValue } from "../config/secret-values.js";
import { mountHolding, underMount } from "../config/secrets.js";
import type { Mount } from "../types/config.js";
import type { ContainerEngine } from "../engine/types.js";
import { isDirectory, isSymlink, smallFileText, tooLargeToRead } from "../engine/archive-answers.js";
import { OneoffError } from "../output/errors.js";

export async function deliverSecretFiles(
  client: ContainerEngine,
  containerId: string,
  secrets: readonly SecretValue[],
  mounts: readonly Mount[] | undefined,
): Promise<void> {
  const files = secrets.filter(({ secret }) => secret.delivery.as === "file");
  if (!files.length) return;
  const owner = await ownerOf(client, containerId);
  for (const { secret, value } of files) {
    const { target, at } = secret.delivery as { target: string; at: string };
    // The literal path was checked against the mounts with the config; the image's links
    // may still lead it into one (/run/secrets -> /data, a volume).
    const real = await realPathInOneOff(client, containerId, target);
    const mount = real === target ? undefined : mountHolding(real, mounts);
    if (mount)
      throw underMount(
        `${at}: secrets.${secret.name}.target: ${target} leads through a link in the image to ${real}, under the ${mount.type} mounted at ${mount.target}`,
        mount,
        secret.name,
      );
    const existing = await client.statPath(containerId, target);
    if (existing && isDirectory(existing)) {
      throw new OneoffError(`secret ${secret.name}: ${target} is a directory in the image`, {
        hint: "give secrets.NAME.target a file path",
      });
    }
    // The archive endpoint extracts into an existing directory: create the missing ones in the
    // archive itself, from the deepest one that exists.
    const missing: string[] = [];
    let base = path.posix.dirname(target);
    while (base !== "/" && !(await client.statPath(containerId, base))) {
      missing.unshift(path.posix.basename(base));
      base = path.posix.dirname(base);
    }
    const archive = pack();
    const mtime = new Date();
    for (let depth = 1; depth <= missing.length; depth++) {
      archive.entry({ name: missing.slice(0, depth).join("/"), type: "directory", mode: 0o755, uid: 0, gid: 0, mtime });
    }
    archive.entry(
      { name: [...missing, path.posix.basename(target)].join("/"), mode: 0o400, uid: owner.uid, gid: owner.gid, mtime, size: value.length },
      value,
    );
    archive.finalize();
    await client.putArchive(containerId, base, Readable.from(archive));
  }
}

/**
 * Where `file` really is in the one-off, every link on the way followed: the archive endpoint's
 * stat gives a link's target fully resolved in the container, so each component is asked in turn.
 */
async function realPathInOneOff(client: ContainerEngine, containerId: string, file: string): Promise<string> {
  let real = "";
  let given = "";
  for (const part of file.split("/").filter(Boolean)) {
    given = `${given}/${part}`;
    const found = await client.statPath(containerId, given);
    if (!found) return `${real}${file.slice(given.length - part.length - 1)}`;
    real = found.linkTarget && isSymlink(found) ? found.linkTarget : `${real}/${part}`;
  }
  return real || "/";
}

/** The uid and gid the one-off runs as (its user, or the image's), looked up in the image when named. */
async function ownerOf(client: ContainerEngine, containerId: string): Promise<{ uid: number; gid: number }> {
  const user = (await client.inspectProcess(containerId))?.runtime.user ?? "";
  const [name = "", group] = user.split(":");
  // Over the cap the lookup is refused rather than guessed: a wrong owner would hand the
  // file to another user of the image, or keep it from the one-off's own.
  const read = async (file: string, lookingUp: string) => {
    const text = smallFileText(await client.readArchive(containerId, file));
    if (text === "too large")
      throw new OneoffError(`${tooLargeToRead(file)} to look up ${lookingUp} for the secret files`, {
        hint: 'give the user as numbers, such as -u 1000:1000 or user: "1000:1000": they need no lookup',
      });
    return text ?? "";
  };
  const entry = (file: string, key: string) =>
    file
      .split("\n")
      .map((line) => line.split(":"))
      .find((fields) => fields[0] === key);
  let uid = 0;
  let gid = 0;
  if (/^\d+$/.test(name)) uid = Number(name);
  else if (name) {
    const fields = entry(await read("/etc/passwd", `user ${name}`), name);
    uid = Number(fields?.[2] ?? 0);
    gid = Number(fields?.[3] ?? 0);
  }
  if (group !== undefined)
    gid = /^\d+$/.test(group) ? Number(group) : Number(entry(await read("/etc/group", `group ${group}`), group)?.[2] ?? 0);
  else if (/^\d+$/.test(name)) {
    // uid alone: its primary group when /etc/passwd knows it, else the uid's own number is not assumed.
    gid = Number(
      (await read("/etc/passwd", `uid ${name}'s group`))
        .split("\n")
        .map((line) => line.split(":"))
        .find((fields) => fields[2] === name)?.[3] ?? 0,
    );
  }
  return { uid, gid };
}
