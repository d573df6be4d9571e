// Packs the piece the way Activepieces packs its own: compiled from src/ alone into dist/piece/src, with
// a package.json of its own at dist/piece, then that folder packed into dist/<name>-<version>.tgz.
// Activepieces 0.82–0.85 import <package>/src/index.js whatever "main" says, so the built piece must
// sit at src/index.js of the package root.
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const folder = join(dist, "piece");
const project = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

rmSync(folder, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.piece.json")], { stdio: "inherit" });

const manifest = {
  name: project.name,
  version: project.version,
  description: project.description,
  license: project.license,
  private: true,
  type: "commonjs",
  main: "src/index.js",
  types: "src/index.d.ts",
  dependencies: project.dependencies,
  engines: project.engines,
};
writeFileSync(join(folder, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
copyFileSync(join(here, "README.md"), join(folder, "README.md"));

const [packed] = JSON.parse(
  execFileSync("npm", ["pack", "--json", "--pack-destination", dist], { cwd: folder, encoding: "utf8" }),
);
console.log(join(dist, packed.filename));
