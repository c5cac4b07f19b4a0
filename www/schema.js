// The parameter schema, as `scenarios()` publishes it from the Rust core (the one source of truth):
//
//   [{id, section, title, shows, variants: [{id, label, kind, defaults}],
//     params: [{name, kind: "int" | "float" | "choice", label, unit, help, default, min, max, choices}]}]
//
// This module only reads it. It converts text (a form field, a URL) to the schema's type, strictly,
// and checks that values handed to the API have the schema's type. Ranges and choices are checked
// by the core, which owns their messages; nothing here keeps a copy of a range or a choice list.

/** A short, safe rendering of a bad value for an error message (at most ~40 characters). */
export function quote(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': {
      const s = v.length > 40 ? `${v.slice(0, 40)}…` : v;
      return `${JSON.stringify(s)}${v.length > 40 ? ` (${v.length.toLocaleString('en-US')} characters)` : ''}`;
    }
    case 'number': return String(v);
    case 'undefined': return 'nothing';
    case 'object': return 'an object';
    default: return `a ${typeof v}`;
  }
}

/** A parameter or key name, as safe to show as a value. */
export const shortName = (k) => (k.length > 40 ? `${k.slice(0, 40)}…` : k);

export class InputError extends Error {
  /** `name`: the parameter the message is about (for the form), or null. */
  constructor(message, name = null) {
    super(message);
    this.name = 'InputError';
    this.param = name;
  }
}

export const findSpec = (specs, id) => specs.find((s) => s.id === id) ?? null;
export const findVariant = (spec, id) => spec.variants.find((v) => v.id === id) ?? null;
export const findParam = (spec, name) => spec.params.find((p) => p.name === name) ?? null;

/** Every parameter's value for a variant before the user changes anything. */
export function defaultsOf(spec, variantId) {
  const v = findVariant(spec, variantId) ?? spec.variants[0];
  const out = {};
  for (const p of spec.params) out[p.name] = v.defaults?.[p.name] ?? p.default;
  return out;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Text → the schema's type, strictly: `--5`, `1e`, `abc`, `` are refused, never read as a default.
 * Returns the value or throws an InputError naming the parameter.
 */
export function parseText(param, text) {
  const t = String(text).trim();
  const bad = (what) => new InputError(`${param.name}: expected ${what}, got ${quote(String(text))}`, param.name);
  switch (param.kind) {
    case 'int':
      if (!INT.test(t)) throw bad('a whole number');
      if (!Number.isSafeInteger(Number(t))) throw bad('a whole number this size can hold');
      return Number(t);
    case 'float':
      if (!FLOAT.test(t) || !Number.isFinite(Number(t))) throw bad('a number');
      return Number(t);
    case 'choice':
      if (t === '') throw bad('a choice');
      return t;
    default:
      throw new InputError(`${param.name}: the schema gives an unknown kind ${quote(param.kind)}`, param.name);
  }
}

/** The type check a value given to the API must pass (JSON numbers for numbers, strings for choices). */
export function checkType(param, value) {
  const bad = (what) => new InputError(`${param.name}: expected ${what}, got ${quote(value)}`, param.name);
  switch (param.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) throw bad('a whole number');
      return;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('a number');
      return;
    case 'choice':
      if (typeof value !== 'string' || value.length > 100) throw bad('one of the listed choices');
      return;
    default:
      throw new InputError(`${param.name}: the schema gives an unknown kind ${quote(param.kind)}`, param.name);
  }
}

const MAX_KEYS = 64;

/**
 * Checks what a caller (the API, the widget's host) passes as `params`, without recursing into
 * anything: `params` must be a plain object, each value a number or a string of the schema's
 * type. Unknown names are left for the core, which names them ("wrokers: unknown parameter").
 * Returns `{ variant, params }` with `variant` taken out.
 */
export function checkParams(spec, params) {
  if (params === undefined) return { variant: null, params: {} };
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new InputError(`params: expected an object, got ${quote(params)}`);
  }
  const keys = Object.keys(params);
  if (keys.length > MAX_KEYS) throw new InputError(`params: expected at most ${MAX_KEYS} names, got ${keys.length}`);
  const out = {};
  let variant = null;
  for (const k of keys) {
    const v = params[k];
    if (k === 'variant') {
      if (v != null && typeof v !== 'string') throw new InputError(`variant: expected a variant id, got ${quote(v)}`);
      if (v != null) variant = v.length > 100 ? v.slice(0, 100) : v;
      continue;
    }
    const p = spec ? findParam(spec, k) : null;
    if (p) checkType(p, v);
    else if (v !== null && typeof v === 'object') throw new InputError(`${shortName(k)}: expected a number or a string, got ${quote(v)}`, k);
    else if (typeof v === 'string' && v.length > 100) throw new InputError(`${shortName(k)}: unknown parameter, with ${quote(v)}`, k);
    out[k] = v;
  }
  return { variant, params: out };
}

/** Keys a page URL may carry besides parameters. */
export const URL_KEYS = ['scenario', 'variant', 'run', 'build', 'coi', 'engine'];

/**
 * What a link asks for: `{ scenario, variant, texts, run, errors }`. `texts` keeps the raw text
 * of each parameter (the form shows it as typed, so nothing is lost); `errors` lists every
 * problem, and a link with errors never runs.
 */
export function readLink(specs, search) {
  const q = new URLSearchParams(search);
  const errors = [];
  let spec = specs[0];
  const wanted = q.get('scenario');
  if (wanted != null) {
    spec = findSpec(specs, wanted);
    if (!spec) {
      errors.push(new InputError(`scenario: unknown scenario ${quote(wanted)} in the link; showing ${specs[0].id}`));
      spec = specs[0];
    }
  }
  let variant = spec.variants[0].id;
  const wantedVariant = q.get('variant');
  if (wantedVariant != null && spec.id === wanted) {
    if (findVariant(spec, wantedVariant)) variant = wantedVariant;
    else errors.push(new InputError(`variant: ${spec.id} has no variant ${quote(wantedVariant)}; it has ${spec.variants.map((v) => v.id).join(', ')}`));
  }
  const texts = {};
  const values = {};
  for (const [k, raw] of q) {
    if (URL_KEYS.includes(k)) continue;
    const p = findParam(spec, k);
    if (!p) { errors.push(new InputError(`${shortName(k)}: not a parameter of ${spec.id}`, k)); continue; }
    texts[k] = raw.length > 200 ? raw.slice(0, 200) : raw;
    try { values[k] = parseText(p, raw); } catch (e) { errors.push(e); }
  }
  const run = q.get('run');
  if (run != null && run !== '1' && run !== '0') errors.push(new InputError(`run: expected 1 or 0, got ${quote(run)}`));
  return { spec, variant, texts, values, run: run === '1', errors };
}

/** The link to a run: scenario, variant, the parameters that differ from the defaults, `run=1`. */
export function linkFor(base, spec, variant, params, { run = true } = {}) {
  const u = new URL(base);
  u.search = '';
  u.searchParams.set('scenario', spec.id);
  u.searchParams.set('variant', variant);
  const d = defaultsOf(spec, variant);
  for (const p of spec.params) {
    const v = params[p.name];
    if (v !== undefined && v !== d[p.name]) u.searchParams.set(p.name, String(v));
  }
  if (run) u.searchParams.set('run', '1');
  return u.toString();
}

/** `tasks 1,000 · workers 5 · seed 3`: the parameters of a run, for labels. */
export function describeParams(spec, params, { only = null } = {}) {
  const names = only ?? spec?.params.map((p) => p.name) ?? Object.keys(params);
  return names.filter((n) => params?.[n] !== undefined)
    .map((n) => `${n} ${typeof params[n] === 'number' ? params[n].toLocaleString('en-US') : params[n]}`)
    .join(' · ');
}
