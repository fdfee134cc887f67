/** `doctor`: print what wheelwright finds here (interpreters, sandbox, store, settings). */
import type { Command } from "commander";
import { addProjectOptions, toFlags } from "./options.js";

export function registerDoctorCommand(program: Command): void {
  addProjectOptions(
    program
      .command("doctor")
      .description("Check interpreters, the build sandbox, the store's health and the configuration in effect")
      .option("--json", "print the report as JSON")
      .addHelpText("after", "\nExits with 1 when it finds a problem.\n\nExamples:\n  wheelwright doctor\n  wheelwright doctor --store /tmp/store --json"),
  ).action(async (opts: Record<string, unknown>) => {
    const { doctor } = await import("../inspect/doctor.js");
    const report = await doctor({ ...(opts.project ? { dir: opts.project as string } : {}), flags: toFlags(opts) });
    if (report.problems.length > 0) process.exitCode = 1;
    const w = (line: string) => process.stdout.write(line + "\n");
    if (opts.json) {
      w(JSON.stringify(report, null, 2));
      return;
    }
    w(`interpreters (${report.interpreters.length}):`);
    for (const i of report.interpreters) w(`  ${i.implementation} ${i.version.padEnd(10)} ${i.executable}`);
    w(`sandbox: ${report.sandbox.available} (mode ${report.sandbox.mode}; bwrap: ${report.sandbox.details.bwrap}; unshare: ${report.sandbox.details.unshare})`);
    const s = report.store;
    if ("error" in s) w(`store ${s.root}: ${s.error}`);
    else {
      w(`store: ${s.root}`);
      w(`  layout: ${s.layoutVersion} (this wheelwright: ${s.supportedLayoutVersion})`);
      w(`  paths: ${s.paths} valid, ${(s.narBytes / 1e6).toFixed(1)} MB; roots: ${s.roots.live} live, ${s.roots.dead} dead`);
      w(`  database integrity: ${s.integrity}`);
      w(`  temp entries: ${s.tempEntries.length}${s.tempEntries.length > 0 ? ` (${s.tempEntries.slice(0, 5).join(", ")})` : ""}; unregistered store entries: ${s.unregistered.length}`);
    }
    w(`project: ${report.project.dir}${report.project.lockFile ? ` (lock ${report.project.lockFile})` : ""}${report.project.note ? ` — ${report.project.note}` : ""}`);
    w("settings:");
    for (const row of report.settings) w(`  ${row.key.padEnd(24)} ${JSON.stringify(row.value) ?? "(unset)"}`.padEnd(70) + ` [${row.origin}]`);
    if (report.problems.length === 0) w("no problems found");
    else {
      w(`problems (${report.problems.length}):`);
      for (const problem of report.problems) w(`  - ${problem}`);
    }
  });
}
