import { existsSync, rmSync } from "node:fs";
import type { Command } from "commander";
import type { Store } from "../store/store.js";

async function openStore(opts: { store?: string }): Promise<Store> {
  const { Store } = await import("../store/store.js");
  return Store.open(opts.store ?? process.env.WHEELWRIGHT_STORE);
}

export function registerStoreCommands(program: Command): void {
  program
    .command("gc")
    .description("Delete store paths that no GC root (e.g. a project's .venv) reaches")
    .option("--store <dir>", "store root")
    .option("--dry-run", "only list what would be deleted")
    .addHelpText("after", "\nExamples:\n  wheelwright gc --dry-run\n  wheelwright gc")
    .action(async (opts: { store?: string; dryRun?: boolean }) => {
      const store = await openStore(opts);
      try {
        const result = await store.gc({ dryRun: opts.dryRun === true });
        for (const path of result.deleted) process.stdout.write(`${opts.dryRun ? "would delete" : "deleted"} ${store.toRealPath(path)}\n`);
        process.stdout.write(`${result.deleted.length} paths, ${(result.bytesFreed / 1e6).toFixed(1)} MB ${opts.dryRun ? "would be " : ""}freed\n`);
        // Packages installed without bytecode (compile-bytecode = false) have it cached outside the store.
        const { pycacheDir } = await import("../venv/pycache.js");
        const caches = result.deleted.map((path) => pycacheDir(store.toRealPath(path))).filter((dir) => existsSync(dir));
        for (const dir of caches) {
          if (!opts.dryRun) rmSync(dir, { recursive: true, force: true });
          process.stdout.write(`${opts.dryRun ? "would delete" : "deleted"} bytecode cache ${dir}\n`);
        }
      } finally {
        store.close();
      }
    });

  const storeCmd = program.command("store").description("Inspect and check the store");
  storeCmd
    .command("verify")
    .description("Re-hash every store path and report (or repair) corruption")
    .option("--store <dir>", "store root")
    .option("--repair", "delete and unregister corrupt paths so the next sync rebuilds them")
    .action(async (opts: { store?: string; repair?: boolean }) => {
      const store = await openStore(opts);
      try {
        const result = await store.verify({ repair: opts.repair === true });
        for (const bad of result.corrupt) process.stdout.write(`corrupt ${store.toRealPath(bad.path)}: expected ${bad.expected.narHash}, found ${bad.actual.narHash}\n`);
        for (const path of result.missing) process.stdout.write(`missing ${store.toRealPath(path)}\n`);
        for (const path of result.repaired) process.stdout.write(`repaired (removed) ${store.toRealPath(path)}\n`);
        process.stdout.write(`${result.checked} paths checked, ${result.corrupt.length} corrupt, ${result.missing.length} missing\n`);
        if (result.corrupt.length + result.missing.length > 0 && !opts.repair) process.exitCode = 4;
      } finally {
        store.close();
      }
    });
  storeCmd
    .command("ls")
    .description("List valid store paths with their sizes")
    .option("--store <dir>", "store root")
    .action(async (opts: { store?: string }) => {
      const store = await openStore(opts);
      try {
        for (const info of store.list()) process.stdout.write(`${String(info.narSize).padStart(12)} ${store.toRealPath(info.path)}\n`);
      } finally {
        store.close();
      }
    });
}
