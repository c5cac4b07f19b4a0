// The lesson picker, the variants and the parameter form, generated from the schema.
//
// Number fields are text fields (inputmode numeric): a browser's number field reports "" for
// `--5` or `1e`, which is how garbage used to run the defaults. Here the text is kept as typed
// and converted strictly (schema.js); a field that does not convert is marked and nothing runs.
import { $, el, fill } from './dom.js';
import { defaultsOf, findParam, parseText, unusedParams } from './schema.js';

/** Text markers for a variant's kind: never an emoji alone. */
export const KIND_MARK = { wrong: 'wrong', right: 'right', guide_bug: 'guide’s bug', demo: 'demo' };

export function drawPicker(specs, selected) {
  const sel = $('scenario');
  fill(sel, specs.map((s) => el('option', { value: s.id, selected: s.id === selected }, `${s.title} (${s.section})`)));
  sel.value = selected;
}

export function drawVariants(spec, variant) {
  const box = $('variants');
  fill(box, el('legend', {}, 'Version'), spec.variants.map((v) => el('label', { class: `variant kind-${v.kind}` },
    el('input', { type: 'radio', name: 'variant', value: v.id, checked: v.id === variant }),
    el('span', { class: `mark mark-${v.kind}` }, KIND_MARK[v.kind] ?? v.kind),
    ' ', v.label)));
}

/** The fields of `spec`, showing `texts[name]` where given (raw text from a link), else the default. */
export function drawParams(spec, variant, texts = {}) {
  const d = defaultsOf(spec, variant);
  const form = $('params');
  fill(form, spec.params.map((p) => {
    const id = `param-${p.name}`;
    const help = p.help ? el('span', { id: `${id}-help`, class: 'help' }, p.help) : null;
    const value = texts[p.name] ?? String(d[p.name] ?? '');
    const input = p.kind === 'choice'
      ? el('select', { id, name: p.name, 'aria-describedby': help ? `${id}-help` : null },
        (p.choices.includes(value) ? p.choices : [value, ...p.choices]).map((c) => el('option', { value: c, selected: c === value }, c)))
      : el('input', {
        id, name: p.name, type: 'text', inputmode: p.kind === 'int' ? 'numeric' : 'decimal', autocomplete: 'off',
        spellcheck: 'false', value, 'aria-describedby': help ? `${id}-help` : null,
      });
    input.dataset.default = String(d[p.name] ?? '');
    return el('div', { class: `field field-${p.kind}`, dataset: { param: p.name } },
      el('label', { for: id, title: p.help || null }, p.label, p.unit && p.kind !== 'choice' && p.unit.toLowerCase() !== p.label.toLowerCase() ? el('span', { class: 'unit' }, ` (${p.unit})`) : null),
      input, help, el('span', { id: `${id}-unused`, class: 'help unused-note', hidden: true }));
  }));
  markUnused(spec, variant);
}

/**
 * Fields the variant does not read (schema.js `unusedParams`) are shown as such, switched off and
 * left out of the run: a value there would change nothing, and the form must not pretend it does.
 */
export function markUnused(spec, variant) {
  const unused = unusedParams(spec, variant);
  for (const field of $('params').querySelectorAll('.field[data-param]')) {
    const name = field.dataset.param;
    const why = unused.get(name);
    const input = field.querySelector('input, select');
    const note = field.querySelector('.unused-note');
    field.classList.toggle('field-unused', Boolean(why));
    input.disabled = Boolean(why);
    note.hidden = !why;
    note.textContent = why ? `Not used: ${why}.` : '';
    const ids = [p(`${input.id}-help`), why ? note.id : null].filter(Boolean);
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' ')); else input.removeAttribute('aria-describedby');
  }
  function p(id) { return document.getElementById(id) ? id : null; }
}

/** After a variant switch: fields the user left at the old default take the new variant's. */
export function applyVariantDefaults(spec, variant) {
  const d = defaultsOf(spec, variant);
  markUnused(spec, variant);
  for (const input of $('params').elements) {
    if (!input.name || !(input.name in d)) continue;
    if (input.value.trim() === input.dataset.default) input.value = String(d[input.name]);
    input.dataset.default = String(d[input.name]);
  }
}

/** Every field back to the variant's default. */
export function resetParams(spec, variant) {
  const d = defaultsOf(spec, variant);
  for (const input of $('params').elements) {
    if (input.name && input.name in d) { input.value = String(d[input.name]); input.dataset.default = String(d[input.name]); }
  }
  markInvalid(null);
}

/** The form's values in the schema's types, or an InputError for the first bad field (all marked). */
export function readParams(spec) {
  const { params, errors } = parseForm(spec);
  markInvalid(errors.map((e) => e.param));
  if (errors.length) throw errors[0];
  return params;
}

/** The form's fields in the schema's types, and the errors of those that do not convert; marks
 * nothing (the note beside a pair reads it on every keystroke). */
export function parseForm(spec) {
  const params = {};
  const errors = [];
  for (const input of $('params').elements) {
    if (!input.name || input.disabled) continue; // not read by this variant: not sent
    const p = findParam(spec, input.name);
    if (!p) continue;
    try { params[p.name] = parseText(p, input.value); } catch (e) { errors.push(e); }
  }
  return { params, errors };
}

/** Marks fields as invalid (`names`), or clears every mark (null). */
export function markInvalid(names) {
  for (const input of $('params').elements) {
    if (!input.name) continue;
    if (names?.includes(input.name)) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

/** The field an error is about, if the form has it. */
export function fieldOf(error) {
  const name = error?.param ?? /^([a-z_]+):/.exec(error?.message ?? '')?.[1];
  return name ? $('params').elements.namedItem(name) : null;
}

