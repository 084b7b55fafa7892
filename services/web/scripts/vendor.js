#!/usr/bin/env node
/**
 * Copies the browser files of npm dependencies into public/vendor/, so that public/ is complete
 * and self-contained (served as is by the api and copied as is into the nginx image).
 * Run by `npm run build -w @mmon/web`; public/vendor/ is not committed.
 */
const fs = require('node:fs');
const path = require('node:path');

const FILES = [
  ['uplot/dist/uPlot.esm.js', 'uPlot.esm.js'],
  ['uplot/dist/uPlot.min.css', 'uPlot.min.css'],
  ['uplot/LICENSE', 'uPlot.LICENSE'],
];

function copyVendor(target = path.join(__dirname, '..', 'public', 'vendor')) {
  fs.mkdirSync(target, { recursive: true });
  for (const [from, to] of FILES) {
    const [pkg, ...rest] = from.split('/');
    const pkgDir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [__dirname] }));
    fs.copyFileSync(path.join(pkgDir, ...rest), path.join(target, to));
  }
  return target;
}

module.exports = { copyVendor };

if (require.main === module) {
  const target = copyVendor(process.argv[2]);
  console.log(`vendor files copied to ${target}`);
}
