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
    // `String(-0)` is "0", which reads as a value the range allows (re-check of issue 11).
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'undefined': return 'nothing';
    case 'object': return isPlainObject(v) ? 'an object' : kindOf(v);
    default: return `a ${typeof v}`;
  }
}

/**
 * A plain object (`{…}`, from this realm or another, or `Object.create(null)`): what `params` must
 * be. A Map, Set, Date, RegExp or class instance has no own enumerable keys of its parameters
 * (`Object.keys(new Map([['tasks', 5]]))` is empty), so it used to run the defaults (review R8).
 */
export function isPlainObject(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** `a Map`, `a Date`, `an instance of a class`: what an object that is not plain is. */
function kindOf(v) {
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  if (tag !== 'Object') return `a ${tag}`;
  return 'an instance of a class';
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

/**
 * The parameters of a scenario that `variantId` does not read: `Map(name → why)`, from the
 * schema's `variants[].ignores` (declared in Rust, and checked there: a deterministic run gives
 * the same Report whatever their value).
 */
export function unusedParams(spec, variantId) {
  const v = findVariant(spec, variantId) ?? spec.variants[0];
  return new Map((v.ignores ?? []).map((name) => [name, 'this version does not read it']));
}

/** A run's parameters without those its variant does not read (for labels and limit lines). */
export function usedParams(specs, run) {
  const spec = findSpec(specs ?? [], run?.scenario);
  const params = { ...(run?.params ?? {}) };
  if (!spec) return params;
  for (const name of unusedParams(spec, run.variant).keys()) delete params[name];
  return params;
}

/** Every parameter's value for a variant before the user changes anything. */
export function defaultsOf(spec, variantId) {
  const v = findVariant(spec, variantId) ?? spec.variants[0];
  const out = {};
  for (const p of spec.params) out[p.name] = v.defaults?.[p.name] ?? p.default;
  return out;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What a parameter accepts, in the core's words (`ParamSpec::expected` in src/params.rs). */
export function expected(param) {
  switch (param.kind) {
    case 'int': return `a whole number from ${param.min} to ${param.max}`;
    case 'float': return `a number from ${param.min} to ${param.max}`;
    case 'choice': return `one of ${param.choices.join(', ')}`;
    default: return `a value of kind ${quote(param.kind)}`;
  }
}

const reject = (param, got) => new InputError(`${param.name}: expected ${expected(param)}, got ${got}`, param.name);

/**
 * Checks a typed value against the schema's rule (type, range, choices) and returns it, or throws
 * an InputError worded as the core words it. The core checks again: it is the authority; this
 * check only lets the page refuse before anything on screen changes.
 */
export function checkValue(param, value) {
  switch (param.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < param.min || value > param.max) throw reject(param, quote(value));
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < param.min || value > param.max) throw reject(param, quote(value));
      return value;
    case 'choice':
      if (typeof value !== 'string' || !param.choices.includes(value)) throw reject(param, quote(value));
      return value;
    default:
      throw reject(param, quote(value));
  }
}

/**
 * Text → the schema's type, strictly: `--5`, `1e`, `abc`, `` are refused, never read as a default.
 * Returns the checked value or throws an InputError naming the parameter.
 */
export function parseText(param, text) {
  const t = String(text).trim();
  const bad = () => reject(param, quote(String(text)));
  switch (param.kind) {
    case 'int':
      if (!INT.test(t)) throw bad();
      return param.min == null ? Number(t) : checkValue(param, Number(t));
    case 'float':
      if (!FLOAT.test(t) || !Number.isFinite(Number(t))) throw bad();
      return checkValue(param, Number(t));
    case 'choice':
      return checkValue(param, t);
    default:
      throw bad();
  }
}

const MAX_KEYS = 64;

/**
 * Checks what a caller (the API, the widget's host) passes as `params`, without recursing into
 * anything: `params` must be a plain object, each name one the scenario takes, each value of the
 * schema's type and range (JSON numbers for numbers, never strings). Returns `{ variant, params }`
 * with `variant` taken out.
 */
export function checkParams(spec, params) {
  try {
    return readParams(spec, params);
  } catch (e) {
    if (e instanceof InputError) throw e;
    // A Proxy's traps (getPrototypeOf, ownKeys, get) can throw anything; the caller still gets
    // an error about `params`, not the trap's own (re-check of issue 11).
    throw new InputError(`params: could not be read (${quote(String(e?.message ?? e))})`);
  }
}

function readParams(spec, params) {
  if (params === undefined) return { variant: null, params: {} };
  if (!isPlainObject(params)) throw new InputError(`params: expected an object, got ${quote(params)}`);
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
    if (!p) throw new InputError(`${shortName(k)}: unknown parameter of ${spec?.id}; it takes ${spec?.params.map((x) => x.name).join(', ')}`, k);
    out[k] = checkValue(p, v);
  }
  return { variant, params: out };
}

/** Keys a page URL may carry besides parameters. */
export const URL_KEYS = ['scenario', 'variant', 'run', 'build', 'coi', 'engine'];
/** The values a link may give the keys that are not parameters (scenario and variant are checked
 * against the schema): `build=single` forces the single-threaded build (engine.worker.js),
 * `coi=0` keeps the page from becoming cross-origin isolated (coi-config.js). */
const URL_VALUES = { build: ['single'], coi: ['0', '1'], run: ['1', '0'] };

/**
 * What a link asks for: `{ scenario, variant, texts, run, errors }`. `texts` keeps the raw text
 * of each parameter (the form shows it as typed, so nothing is lost); `errors` lists every
 * problem, and a link with errors never runs.
 */
export function readLink(specs, search) {
  const q = new URLSearchParams(search);
  const errors = [];
  // A key given twice is a link that means two things: `?tasks=10&tasks=20` ran 20 and said
  // nothing (review). Every key once, or an error naming both values.
  const twice = new Set();
  for (const k of new Set(q.keys())) {
    const all = q.getAll(k);
    if (all.length < 2) continue;
    twice.add(k);
    errors.push(new InputError(`${shortName(k)}: given ${all.length === 2 ? 'twice' : `${all.length} times`} in the link (${all.slice(0, 3).map(quote).join(', ')}); give it once`, URL_KEYS.includes(k) ? null : k));
  }
  // The keys that are not parameters take only the values the page knows: `?build=evil` was
  // ignored without a word.
  for (const [k, allowed] of Object.entries(URL_VALUES)) {
    const v = q.get(k);
    if (v != null && !allowed.includes(v)) errors.push(new InputError(`${k}: expected ${allowed.join(' or ')}, got ${quote(v)}`));
  }
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
  // A parameter the variant never reads is left out: its field is switched off, so a bad value
  // there could neither run nor be corrected (re-check of review R7: `senders=abc` on
  // send-on-closed/wrong blocked the run behind a disabled field).
  const ignored = new Set(findVariant(spec, variant)?.ignores ?? []);
  for (const [k, raw] of q) {
    if (URL_KEYS.includes(k) || ignored.has(k) || twice.has(k)) continue;
    const p = findParam(spec, k);
    if (!p) { errors.push(new InputError(`${shortName(k)}: not a parameter of ${spec.id}`, k)); continue; }
    texts[k] = raw.length > 200 ? raw.slice(0, 200) : raw;
    try { values[k] = parseText(p, raw); } catch (e) { errors.push(e); }
  }
  const run = q.get('run');
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
