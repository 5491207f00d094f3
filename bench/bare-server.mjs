// The benchmark's baseline: a bare node:https server that answers every request with one fixed JSON body.
import { readFileSync } from "node:fs";
import https from "node:https";

const [keyPath, certPath] = process.argv.slice(2);
process.once("message", (body) => {
  const server = https.createServer({ key: readFileSync(keyPath), cert: readFileSync(certPath) }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(body);
  });
  server.listen(0, "127.0.0.1", () => process.send(`https://127.0.0.1:${server.address().port}`));
});
