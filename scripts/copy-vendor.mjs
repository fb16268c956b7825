// Copy the front-end packages the app serves into static/vendor (run by `npm install`/`npm ci`).
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
// The look comes from the project's own theme (static/css/theme-*.css) on the Utrecht
// component CSS (EUPL-1.2); Gemeente Utrecht's design tokens are proprietary and not used.
const files = {
  "@utrecht/component-library-css/dist/index.css": "utrecht/component-library.css",
  "chart.js/dist/chart.umd.js": "chart.js/chart.umd.js",
  "axe-core/axe.min.js": "axe-core/axe.min.js",
};
rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target);
}
console.log(`static/vendor: ${Object.keys(files).length} files copied`);
