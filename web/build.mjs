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

const outputs = result.metafile.outputs;
const names = Object.keys(outputs).map((path) => basename(path));
const mainPath = Object.keys(outputs).find((path) => basename(path).startsWith("main.") && path.endsWith(".js"));
const script = basename(mainPath);
const style = names.find((name) => name.endsWith(".css"));
// Chunks the script imports statically load with it: the page names them so they download at once.
const preloaded = outputs[mainPath].imports.filter((i) => i.kind === "import-statement").map((i) => basename(i.path));
const chunks = names.filter((name) => name.endsWith(".js") && name !== script && !preloaded.includes(name));
const page = readFileSync(join(here, "index.html"), "utf8")
  .replace("{{script}}", `ui/assets/${script}`)
  .replace("{{style}}", `ui/assets/${style}`)
  .replace("{{preload}}", preloaded.map((name) => `<link rel="modulepreload" href="ui/assets/${name}">`).join("\n"));
writeFileSync(join(out, "index.html"), page);

let total = 0;
for (const name of ["index.html", `assets/${script}`, ...preloaded.map((n) => `assets/${n}`), `assets/${style}`]) {
  const bytes = readFileSync(join(out, name));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  total += gzipped;
  console.log(`${name.padEnd(28)} ${String(bytes.length).padStart(8)} B  ${String(gzipped).padStart(7)} B gzipped`);
}
console.log(`${"first load".padEnd(28)} ${" ".repeat(10)}  ${String(total).padStart(7)} B gzipped`);
for (const name of chunks) {
  const bytes = readFileSync(join(out, "assets", name));
  console.log(`${("assets/" + name).padEnd(28)} ${String(bytes.length).padStart(8)} B  ${String(gzipSync(bytes, { level: 9 }).length).padStart(7)} B gzipped (loaded on first use)`);
}
