// Builds the vendored front-end assets into src/opsdesk/static/vendor/.
// Run from this folder with `npm run build`. The output is committed, so
// running the Django project never needs Node.
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '..', 'src', 'opsdesk', 'static', 'vendor');

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'warning',
  // No loaders for fonts or images on purpose: Tabler's CSS only uses inline
  // data: URIs, and any other url() makes esbuild fail the build instead of
  // shipping a broken reference.
};

// Output file -> [entry point, packages named in the file's header comment].
const jsBundles = {
  'opsdesk.js': ['src/main.js', ['htmx.org', '@tabler/core']],
  'cytoscape.js': ['src/bundle-cytoscape.js', ['cytoscape']],
  'chart.js': ['src/bundle-chart.js', ['chart.js', '@kurkle/color']],
  'fullcalendar.js': ['src/bundle-fullcalendar.js', [
    '@fullcalendar/core', '@fullcalendar/daygrid', '@fullcalendar/timegrid',
    '@fullcalendar/list', 'preact',
  ]],
};

// No header comment here: @charset must stay the first thing in a CSS file.
// Tabler's own licence comment is kept at the end of the file.
const cssBundles = {
  'opsdesk.css': 'src/main.css',
};

// Not every package ships a licence comment in its bundled sources, so each
// output starts with one line per package: name, version and licence.
async function banner(packages) {
  const lines = [];
  for (const name of packages) {
    const pkg = JSON.parse(await readFile(path.join(here, 'node_modules', name, 'package.json'), 'utf8'));
    lines.push(` * ${name} ${pkg.version} (${pkg.license})`);
  }
  return `/*! opsdesk vendor bundle, built from:\n${lines.join('\n')}\n */`;
}

async function build() {
  await mkdir(outdir, { recursive: true });

  const jobs = [];
  for (const [out, [entry, packages]] of Object.entries(jsBundles)) {
    jobs.push(esbuild.build({
      ...common,
      banner: { js: await banner(packages) },
      entryPoints: [entry],
      outfile: path.join(outdir, out),
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      define: { 'process.env.NODE_ENV': '"production"' },
    }));
  }
  for (const [out, entry] of Object.entries(cssBundles)) {
    jobs.push(esbuild.build({
      ...common,
      entryPoints: [entry],
      outfile: path.join(outdir, out),
    }));
  }
  await Promise.all(jobs);
}

// Fail if a built file would fetch anything from another host at runtime.
async function check() {
  const problems = [];
  for (const name of await readdir(outdir)) {
    const text = await readFile(path.join(outdir, name), 'utf8');
    // Licence comments (/*! ... */) may name their project's site.
    const code = text.replace(/\/\*![\s\S]*?\*\//g, '').replace(/\/\*\*[\s\S]*?\*\//g, '');
    if (name.endsWith('.css')) {
      for (const m of code.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/g)) {
        if (!m[2].startsWith('data:')) problems.push(`${name}: url(${m[2]})`);
      }
      for (const m of code.matchAll(/@import[^;]*;/g)) problems.push(`${name}: ${m[0]}`);
    } else {
      // A string literal that is a URL could be fetched. URLs inside error
      // messages and the w3.org XML namespaces (used for SVG) are fine.
      for (const m of code.matchAll(/["'`](?:https?:)?\/\/(?!www\.w3\.org\/)[^"'`\s]*/g)) {
        problems.push(`${name}: ${m[0]}`);
      }
    }
  }
  if (problems.length) {
    throw new Error(`external references in built files:\n  ${problems.join('\n  ')}`);
  }
}

async function report() {
  const rows = [];
  let total = 0;
  let totalGz = 0;
  for (const name of (await readdir(outdir)).sort()) {
    const file = path.join(outdir, name);
    const { size } = await stat(file);
    const gz = gzipSync(await readFile(file)).length;
    total += size;
    totalGz += gz;
    rows.push(`  ${name.padEnd(16)} ${(size / 1024).toFixed(1).padStart(7)} KiB  (${(gz / 1024).toFixed(1)} KiB gzip)`);
  }
  rows.push(`  ${'total'.padEnd(16)} ${(total / 1024).toFixed(1).padStart(7)} KiB  (${(totalGz / 1024).toFixed(1)} KiB gzip)`);
  console.log(`Built into ${path.relative(process.cwd(), outdir)}:\n${rows.join('\n')}`);
}

await build();
await check();
await report();
