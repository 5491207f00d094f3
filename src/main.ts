#!/usr/bin/env node
/**
 * The `aksemu` command. With no sub-command it starts the server; `aksemu az ...` and `aksemu env` help a user point
 * the Azure CLI at a running instance.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { parseIsoInstant } from "./clock/instant.js";
import { prewarmSigningKey } from "./identity/keys.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError("a port is 0-65535 (0 picks a free one).");
  return port;
}

function parseInstant(value: string): Date {
  // A bare date means its midnight UTC; a date-time without a zone is read as UTC, not the machine's local time.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00Z`
    : /T[\d:.]+$/i.test(value)
      ? `${value}Z`
      : value;
  const date = parseIsoInstant(text);
  if (date === undefined) {
    throw new InvalidArgumentError("give an ISO-8601 instant of a real date, e.g. 2026-11-27T00:00:00Z.");
  }
  return date;
}

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("give a number of milliseconds ≥ 0.");
  return n;
}

const program = new Command()
  .name("aksemu")
  .description("Azure Kubernetes Service's management plane, on your machine.")
  .version(pkg.version)
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--port <port>", "port to listen on (0 picks a free port)", parsePort, 8443)
  .option("--data-dir <dir>", "where state, certificates and keys are kept", "./.aksemu")
  .option("--in-memory", "keep nothing on disk", false)
  .addOption(
    new Option("--clock <mode>", "real: time flows; frozen: time moves only when told").choices(["real", "frozen"]),
  )
  .option("--now <instant>", "the clock's starting time (ISO-8601)", parseInstant)
  .option(
    "--strict-api-version",
    "refuse api-versions newer than the known ones instead of serving them with a warning",
    false,
  )
  .option("--cert <file>", "your own TLS certificate (PEM)")
  .option("--key <file>", "your own TLS private key (PEM)")
  .option("--operation-duration <ms>", "emulated duration of a long-running operation", parsePositiveNumber, 250)
  .option("--realistic-timings", "cluster operations take AKS-like emulated minutes (create ~5 min)", false)
  .option(
    "--page-size <n>",
    "items per page before a nextLink",
    (v) => Math.max(1, Math.floor(parsePositiveNumber(v))),
    100,
  )
  .option("--verbose", "log every request to stderr", false)
  .action(async (opts: Record<string, unknown>) => {
    if ((opts.cert === undefined) !== (opts.key === undefined)) {
      program.error("--cert and --key go together.");
    }
    // A first start generates the token-signing RSA key: start it before loading the server's modules, so the two
    // overlap (see identity/keys.ts).
    prewarmSigningKey(opts.inMemory === true ? undefined : resolve(opts.dataDir as string));
    // Loaded here, not at the top: `aksemu az` must not pay for loading the server.
    const { startServer } = await import("./server/start.js");
    const server = await startServer({
      host: opts.host as string,
      port: opts.port as number,
      dataDir: opts.dataDir as string,
      inMemory: opts.inMemory as boolean,
      ...(opts.clock === undefined ? {} : { clockMode: opts.clock as "real" | "frozen" }),
      ...(opts.now === undefined ? {} : { now: opts.now as Date }),
      strictApiVersion: opts.strictApiVersion as boolean,
      ...(opts.cert === undefined ? {} : { cert: opts.cert as string, key: opts.key as string }),
      operationDurationMs: opts.operationDuration as number,
      realisticTimings: opts.realisticTimings as boolean,
      pageSize: opts.pageSize as number,
      verbose: opts.verbose as boolean,
      version: pkg.version,
    });
    const trust =
      server.caPath === undefined
        ? `trust: in-memory mode writes no files; fetch the CA from ${server.url}/_emulator/ca.pem`
        : `trust: NODE_EXTRA_CA_CERTS=${server.caPath} (Node), REQUESTS_CA_BUNDLE=${server.caPath} (Python, az CLI)`;
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`aksemu: ${signal}, shutting down\n`);
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`aksemu: shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    // Only now announce readiness: whoever waits for the ready line may signal us right away.
    process.stdout.write(
      `aksemu listening on ${server.url}\ntenant: ${server.tenantId}\nsubscription: ${server.subscriptionId}\n${trust}\n`,
    );
  });

// Root options go before a sub-command (`aksemu --data-dir d az ...` also works); everything after `az` is az's.
program.enablePositionalOptions().helpCommand(true);

function dataDirFor(sub: Command): string {
  const own = sub.opts<{ dataDir?: string }>().dataDir;
  return own ?? program.opts<{ dataDir: string }>().dataDir;
}

program
  .command("az")
  .description(
    "run your Azure CLI against the aksemu running with --data-dir (private az profile, CA trusted, logged in); " +
      "every argument after the sub-command's own options goes to az untouched, e.g. `aksemu az aks list -o table`",
  )
  .usage("[--data-dir <dir>] <az arguments...>")
  .option("--data-dir <dir>", "the data dir of the running aksemu (default: ./.aksemu)")
  .argument("[args...]", "arguments for az")
  .helpOption(false)
  .passThroughOptions()
  .allowUnknownOption()
  .allowExcessArguments()
  .action(async (args: string[], _opts: unknown, sub: Command) => {
    const { runAz, CliError } = await import("./cli/azure-cli.js");
    try {
      process.exitCode = await runAz(args, { dataDir: dataDirFor(sub) });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
    }
  });

program
  .command("env")
  .description("print the shell exports and az commands that point your own az at the running aksemu")
  .option("--data-dir <dir>", "the data dir of the running aksemu (default: ./.aksemu)")
  .action(async (_opts: unknown, sub: Command) => {
    const { envScript, findServer, CliError } = await import("./cli/azure-cli.js");
    try {
      const dataDir = dataDirFor(sub);
      process.stdout.write(envScript(dataDir, findServer(dataDir)));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`aksemu: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
