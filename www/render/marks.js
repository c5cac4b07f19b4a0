// The colour and name of each kind of instant (the Report's marks, and findings drawn as one).
// Shared by the charts, the timeline and the order of events; no drawing here.
export const MARK_STYLE = {
  cancel: ['#6a1b9a', 'cancel'], deadline: ['#6a1b9a', 'deadline'], deadlock: ['#c62828', 'deadlock'],
  panic: ['#c62828', 'panic'], fatal_send: ['#c62828', 'fatal send'], timeout: ['#9a6700', 'timeout'],
  close: ['#333333', 'close'], add: ['#0072B2', 'Add'], done: ['#009E73', 'Done'], wait: ['#CC79A7', 'Wait'],
  wait_returned: ['#7b3fbf', 'Wait returned'], send: ['#56B4E9', 'send'], drop: ['#c62828', 'drop'],
  acquire: ['#0072B2', 'acquire'], release: ['#009E73', 'release'], receive: ['#D55E00', 'receive'],
  // A finding drawn as an instant: when main gave up waiting.
  hang: ['#9a6700', 'main gave up waiting'],
};
/** The longest mark label the charts and the timeline draw; a longer one is drawn as its kind's
 * name (the legend and the order of events have it whole). */
export const MARK_LABEL_MAX = 32;
/** What a chart or the timeline writes beside a mark's line. */
export const markText = (m) => (m.label && m.label.length <= MARK_LABEL_MAX ? m.label : markStyle(m.kind)[1]);
export const markStyle = (kind) => MARK_STYLE[kind] ?? ['#777777', kind];
