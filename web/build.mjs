// Builds the UI into ../chalicelib/static: content-hashed script and style, and index.html naming them.
// The app serves that folder (chalicelib is what Chalice deploys); nothing here is committed.
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "chalicelib", "static");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, "src", "main.tsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  entryNames: "[name].[hash]",
  chunkNames: "[name].[hash]",
  splitting: true,
  outdir: join(out, "assets"),
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((name) => name.startsWith("main.") && name.endsWith(".js"));
const chunks = outputs.filter((name) => name.endsWith(".js") && name !== script);
const style = outputs.find((name) => name.endsWith(".css"));
const page = readFileSync(join(here, "index.html"), "utf8")
  .replace("{{script}}", `ui/assets/${script}`)
  .replace("{{style}}", `ui/assets/${style}`);
writeFileSync(join(out, "index.html"), page);

let total = 0;
for (const name of ["index.html", `assets/${script}`, `assets/${style}`]) {
  const bytes = readFileSync(join(out, name));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  total += gzipped;
  console.log(`${name.padEnd(28)} ${String(bytes.length).padStart(8)} B  ${String(gzipped).padStart(7)} B gzipped`);
}
console.log(`${"first load".padEnd(28)} ${" ".repeat(10)}  ${String(total).padStart(7)} B gzipped`);
for (const name of chunks) {
  const bytes = readFileSync(join(out, "assets", name));
  console.log(`${("assets/" + name).padEnd(28)} ${String(bytes.length).padStart(8)} B  ${String(gzipSync(bytes, { level: 9 }).length).padStart(7)} B gzipped (loaded with a ticket)`);
}
