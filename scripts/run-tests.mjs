// Runs every test file under test/ with Node's test runner (TypeScript through tsx).
//
// Each suite starts its own aksemu with a fresh data dir. So that the test process can trust every one of them
// through NODE_EXTRA_CA_CERTS (which Node reads once, at start-up), this runner creates one test CA and the suites
// copy it into their data dirs: aksemu then issues its server certificate from that CA instead of making a new one.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadOrCreateTls } from "../dist/server/tls.js";

const root = resolve(import.meta.dirname, "..");
const caDir = join(root, ".aksemu", "test-ca");
mkdirSync(caDir, { recursive: true });
await loadOrCreateTls(caDir, "127.0.0.1");

function collect(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "support" ? [] : collect(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only.map((f) => resolve(f)) : collect(join(root, "test")).sort();
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    ...files,
  ],
  {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(caDir, "ca.pem"), AKSEMU_TEST_CA_DIR: caDir },
  },
);
process.exit(result.status ?? 1);
