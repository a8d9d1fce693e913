/**
 * docker run --gpus, as the docker CLI reads it (`all`, a count, or comma-separated fields
 * count=, device=, driver=, capabilities=, options=, a field with commas in double quotes),
 * to and from the Engine API's DeviceRequests, and its row of settings/table.ts. oneoff passes
 * it to the engine untested on a GPU: there is none where its tests run. Pure.
 */
import type { GpuRequest } from "../types/config.js";
import { problem, type Problem, type SettingRow } from "./row.js";

/** The capability every GPU request carries, as the docker CLI adds it. */
const GPU = "gpu";

export function parseGpus(text: string): GpuRequest | Problem {
  const fields = csvFields(text);
  if (fields === undefined || fields.length === 0) return problem("not all, a count, or FIELD=VALUE,...");
  const request: GpuRequest = { capabilities: [GPU] };
  const seen = new Set<string>();
  for (const field of fields) {
    const eq = field.indexOf("=");
    const key = eq < 0 ? "count" : field.slice(0, eq);
    const value = eq < 0 ? field : field.slice(eq + 1);
    if (seen.has(key)) return problem(`${key} given twice`);
    seen.add(key);
    if (key === "count") {
      const count = value === "all" ? -1 : /^\d+$/.test(value) ? Number(value) : undefined;
      if (count === undefined) return problem(`count "${value}" is not all or a number`);
      request.count = count;
    } else if (key === "device") request.deviceIds = value.split(",");
    else if (key === "driver") request.driver = value;
    else if (key === "capabilities") request.capabilities = [...value.split(","), GPU];
    else if (key === "options") {
      const pairs = (csvFields(value) ?? []).map((pair) => [pair.split("=")[0] ?? "", pair.split("=").slice(1).join("=")]);
      request.options = Object.fromEntries(pairs);
    } else return problem(`"${key}" is not count, device, driver, capabilities or options`);
  }
  // One GPU when neither a count nor devices are named, as docker has it.
  if (request.count === undefined && request.deviceIds === undefined) request.count = 1;
  return request;
}

/** The Engine API's DeviceRequest for a --gpus value. */
function gpuDeviceRequest(request: GpuRequest): Record<string, unknown> {
  return {
    Driver: request.driver ?? "",
    Count: request.count ?? 0,
    DeviceIDs: request.deviceIds ?? null,
    Capabilities: [request.capabilities],
    Options: request.options ?? {},
  };
}

/** The GPU request among a container's DeviceRequests, if it has one. */
function gpusFromDeviceRequests(value: unknown): GpuRequest | undefined {
  if (!Array.isArray(value)) return undefined;
  const found = value.find(
    (entry) => Array.isArray(entry?.Capabilities) && entry.Capabilities.some((set: unknown) => Array.isArray(set) && set.includes(GPU)),
  );
  if (!found) return undefined;
  const capabilities = (found.Capabilities as string[][]).find((set) => set.includes(GPU)) ?? [GPU];
  return {
    capabilities: [...capabilities],
    ...(found.Count ? { count: found.Count as number } : {}),
    ...(found.DeviceIDs?.length ? { deviceIds: [...(found.DeviceIDs as string[])] } : {}),
    ...(found.Driver ? { driver: found.Driver as string } : {}),
    ...(found.Options && Object.keys(found.Options).length ? { options: { ...(found.Options as Record<string, string>) } } : {}),
  };
}

/** A --gpus value as the docker CLI reads it back: `all` or a count where that says it all. */
function gpusText(request: GpuRequest): string {
  const extraCapabilities = request.capabilities.filter((capability) => capability !== GPU);
  const count = request.count === -1 ? "all" : String(request.count);
  if (!request.deviceIds && !request.driver && !request.options && extraCapabilities.length === 0) return count;
  const fields = [
    ...(request.deviceIds ? [`"device=${request.deviceIds.join(",")}"`] : [`count=${count}`]),
    ...(request.driver ? [`driver=${request.driver}`] : []),
    ...(extraCapabilities.length ? [`"capabilities=${extraCapabilities.join(",")}"`] : []),
    ...(request.options
      ? [
          `"options=${Object.entries(request.options)
            .map(([key, value]) => `${key}=${value}`)
            .join(",")}"`,
        ]
      : []),
  ];
  return fields.join(",");
}

/** Comma-separated fields, a field in double quotes keeping its commas (one CSV record); undefined when a quote is open. */
function csvFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (char === "," && !quoted) {
      fields.push(field);
      field = "";
    } else field += char;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields.filter((entry) => entry !== "");
}

/** --gpus: no compose key of the same shape (compose's gpus: is device requests), passed to the engine. */
export function gpusRow(): SettingRow<"gpus"> {
  return {
    name: "gpus",
    shape: "text",
    flag: "--gpus",
    argument: "<gpus>",
    help: "GPUs to give it: all, a count, or device=ID,... (passed to the engine; untested here, no GPU)",
    example: "all",
    parse: (text) => parseGpus(text),
    api: { part: "HostConfig", field: "DeviceRequests", write: (value) => [gpuDeviceRequest(value)], read: gpusFromDeviceRequests },
    words: (value) => [gpusText(value)],
  };
}
