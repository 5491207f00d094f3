/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn. Each one measures aksemu against a baseline in the same run
 * (for example a bare node:https server on this machine) and prints ratios, never absolute pass/fail thresholds:
 * the machines are shared and noisy.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const only = process.argv.slice(2);
const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const file of files) {
  process.stdout.write(`\n## ${file.replace(/\.bench\.ts$/, "")}\n`);
  const mod = (await import(pathToFileURL(join(import.meta.dirname, file)).href)) as { default: () => Promise<void> };
  await mod.default();
}
