/**
 * The release ledger of an app, printed: `oneoff release --status` and `oneoff history --ledger`.
 */
import type { EngineFlags } from "../config/environments.js";
import { formatDuration } from "../formats/units.js";
import type { CliIO } from "./command.js";
import { clientFor } from "./client.js";

export async function printLedger(
  app: string,
  io: CliIO,
  options: { json: boolean; last?: number; engine: EngineFlags; config?: string },
): Promise<number> {
  const [{ readLedger }, { formatTable }] = await Promise.all([import("../lifecycle/ledger.js"), import("../output/table.js")]);
  const all = await readLedger(await clientFor(io, options.engine, options.config), app);
  const records = options.last === undefined ? all : all.slice(-options.last);
  if (options.json) {
    io.document("ledger", { app, records: records.map(({ volume: _volume, ...record }) => record) });
    return 0;
  }
  const rows = records.map((record) => [
    record.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    record.by,
    record.task,
    record.imageId.replace(/^sha256:/, "").slice(0, 12),
    String(record.exitCode),
    formatDuration(Date.parse(record.endedAt) - Date.parse(record.startedAt)),
    record.outcome + (record.forced ? " (forced)" : ""),
  ]);
  io.stdout.write(formatTable(["STARTED", "BY", "RELEASE TASK", "RELEASE", "EXIT", "TOOK", "OUTCOME"], rows));
  return 0;
}
