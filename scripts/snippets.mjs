// Extracts the code the page shows from the compiled files: marked regions of go/*.go and
// src/scenario/**/*.rs, for every scenario and variant of the schema.
//
//   node scripts/snippets.mjs <schema.json> <out.json>
//
// <schema.json> is `cargo run --release -- list --json` (the one source of truth for ids).
// Markers, the same in both languages:
//   // snippet:start <scenario>[/<variant>]
//   ...
//   // snippet:end <scenario>[/<variant>]
// For (scenario, variant) the excerpt is `<scenario>/<variant>` if marked, else `<scenario>`.
// A key may mark several regions of one file (a helper and the function that uses it): they are
// shown in file order, a blank line apart; `line` is the first region's.
// Output: {"<scenario>": {"<variant>": {"go": {file, line, code}, "rust": {file, line, code}}}}.
// A missing or unbalanced marker is an error: the build fails and says which.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
// A marker is a comment alone on its line, or after code (rustfmt moves a comment that follows
// a closing brace onto the brace's line: `} // snippet:end x`); such code belongs to the region.
const MARK = /^(.*?)\s*\/\/ snippet:(start|end) ([a-z0-9-]+(?:\/[a-z0-9-]+)?)\s*$/;

function files(dir, ext, recurse) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (recurse) out.push(...files(path, ext, recurse));
    } else if (name.endsWith(ext) && !name.endsWith('_test.go')) {
      out.push(path);
    }
  }
  return out;
}

// Removes the indentation every non-blank line shares (tabs in Go, spaces in Rust).
export function dedent(lines) {
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^[\t ]*/)[0]);
  let common = indents[0] ?? '';
  for (const i of indents) while (!i.startsWith(common)) common = common.slice(0, -1);
  return lines.map((l) => (l.startsWith(common) ? l.slice(common.length) : l.trimStart()));
}

// Every marked region of the files, by key; errors for unbalanced or repeated markers.
export function regions(paths, errors) {
  const found = new Map();
  for (const path of paths) {
    const file = relative(ROOT, path);
    const lines = readFileSync(path, 'utf8').split('\n');
    const open = new Map(); // key -> index of its start line
    // The code of a line without its marker comment; null for a marker alone on its line.
    const codeOf = (l) => {
      const m = l.match(MARK);
      if (!m) return l;
      return m[1].trim() ? m[1] : null;
    };
    lines.forEach((line, i) => {
      const m = line.match(MARK);
      if (!m) return;
      const [, , what, key] = m;
      if (what === 'start') {
        if (open.has(key)) errors.push(`${file}:${i + 1}: snippet ${key} started twice`);
        // A start marker after code starts the region with that line.
        open.set(key, codeOf(line) === null ? i : i - 1);
        return;
      }
      if (!open.has(key)) {
        errors.push(`${file}:${i + 1}: snippet:end ${key} without a start`);
        return;
      }
      const from = open.get(key);
      open.delete(key);
      // Marker comments of other regions inside are not part of the code shown.
      const upTo = codeOf(line) === null ? i : i + 1;
      const body = lines.slice(from + 1, upTo).map(codeOf).filter((l) => l !== null);
      while (body.length && !body[body.length - 1].trim()) body.pop();
      if (!body.length) errors.push(`${file}:${from + 1}: snippet ${key} is empty`);
      const code = dedent(body).join('\n');
      const prev = found.get(key);
      if (prev && prev.file !== file) errors.push(`${file}:${from + 1}: snippet ${key} is also in ${prev.file}`);
      else if (prev) prev.code += `\n\n${code}`;
      else {
        let first = from + 1; // the first code line (1-based), after any nested markers
        while (first < i && codeOf(lines[first]) === null) first++;
        found.set(key, { file, line: first + 1, code });
      }
    });
    for (const [key, i] of open) errors.push(`${file}:${i + 1}: snippet ${key} has no snippet:end`);
  }
  return found;
}

export function extract(schema, { goDir = join(ROOT, 'go'), rustDir = join(ROOT, 'src/scenario') } = {}) {
  const errors = [];
  const go = regions(files(goDir, '.go', false), errors);
  const rust = regions(files(rustDir, '.rs', true), errors);
  const out = {};
  for (const s of schema) {
    out[s.id] = {};
    for (const v of s.variants) {
      const entry = {};
      for (const [lang, found] of [['go', go], ['rust', rust]]) {
        const hit = found.get(`${s.id}/${v.id}`) ?? found.get(s.id);
        if (hit) entry[lang] = hit;
        else errors.push(`no ${lang} snippet for ${s.id}/${v.id}: mark one with // snippet:start ${s.id}/${v.id} (or ${s.id})`);
      }
      out[s.id][v.id] = entry;
    }
  }
  return { snippets: out, errors };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [schemaPath, outPath] = process.argv.slice(2);
  if (!schemaPath || !outPath) {
    console.error('usage: node scripts/snippets.mjs <schema.json> <out.json>');
    process.exit(2);
  }
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const { snippets, errors } = extract(schema);
  // What go vet says of the guide's by-value WaitGroup (go/testdata, checked by go/vet_test.go).
  const vet = snippets['waitgroup-misuse']?.['by-value'];
  if (vet) {
    vet.go_vet = {
      file: 'go/testdata/byvalue.go',
      line: 1,
      code: readFileSync(join(ROOT, 'go/testdata/byvalue.go'), 'utf8').trimEnd(),
      vet: readFileSync(join(ROOT, 'go/testdata/byvalue.vet.txt'), 'utf8').trimEnd(),
    };
  }
  if (errors.length) {
    console.error(`snippets: ${errors.length} problem${errors.length > 1 ? 's' : ''}:\n  ${errors.join('\n  ')}`);
    process.exit(1);
  }
  writeFileSync(outPath, JSON.stringify(snippets));
  const n = Object.values(snippets).reduce((a, s) => a + Object.keys(s).length, 0);
  console.log(`snippets: ${n} scenario variants, Go and Rust, written to ${outPath}`);
}
