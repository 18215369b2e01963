// symderiv's page: how the input was read (as you type), then each line's verdict.
// Text from the user or the server is only ever set as textContent or typeset by KaTeX; never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const LABELS = { correct: ["✓", "Correct"], incorrect: ["✗", "Incorrect"], unverifiable: ["?", "Cannot check"] };
const DEBOUNCE_MS = 300;
const OUR_CLASSES = /^sd-(wrong|new)$/;
let options = null;
let readingRequest = 0;
let uploadName = "";         // the uploaded file's name without its suffix: names the report and the note

// ---------------------------------------------------------------- helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

function inline(latex) {
  const box = math(latex);
  box.classList.add("inline");
  return box;
}

function math(latex, display = false) {
  const box = el("div", { class: "math" });
  if (!latex) return box;
  try {
    // MathML is kept beside the HTML (assistive technology reads it); only our own classes are trusted.
    katex.render(latex, box, {
      displayMode: display, throwOnError: false, output: "htmlAndMathml", strict: "ignore",
      trust: (ctx) => ctx.command === "\\htmlClass" && OUR_CLASSES.test(ctx.class),
    });
  } catch (err) {
    box.textContent = latex;
  }
  return box;
}

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  if (!response.ok) {
    const error = new Error(data.detail || data.title || `HTTP ${response.status}`);
    error.problem = data;
    throw error;
  }
  return data;
}

function mode() { return $("mode-document").checked ? "document" : "formula"; }

function model() {
  const out = {};
  for (const field of document.querySelectorAll("#model [data-key]")) {
    if (field.value === "") continue;
    const key = field.dataset.key;
    out[key] = key === "depth" ? Number(field.value) : (field.value === "true" ? true : field.value === "false" ? false : field.value);
  }
  return out;
}

function request() {
  const base = { model: model() };
  if ($("convention").value) base.convention = $("convention").value;
  const define = $("define").value.split("\n").map((d) => d.trim()).filter(Boolean);
  return mode() === "formula" ? { ...base, formula: $("formula").value, ...(define.length ? { define } : {}) }
    : { ...base, document: $("document").value, format: $("format").value, ...(uploadName ? { name: uploadName } : {}) };
}

// ---------------------------------------------------------------- the model form (defaults shown)
function buildModel() {
  const box = $("model");
  for (const [key, spec] of Object.entries(options.model)) {
    const id = `model-${key}`;
    const wrap = el("div");
    wrap.append(el("label", { for: id, text: key }));
    let field;
    if (spec.choices) {
      field = el("select", { id });
      field.append(el("option", { value: "", text: `default (${spec.default})` }));
      for (const c of spec.choices) field.append(el("option", { value: c, text: c }));
    } else {
      field = el("input", { id, type: "number", min: "1", max: "12", placeholder: `default (${spec.default})` });
    }
    field.dataset.key = key;
    field.addEventListener("change", () => { scheduleReading(); });
    wrap.append(field);
    box.append(wrap);
  }
  for (const name of options.conventions.filter((c) => c !== "auto")) {
    $("convention").append(el("option", { value: name, text: name }));
  }
}

// ---------------------------------------------------------------- how it was read
let timer = null;
function scheduleReading() {
  clearTimeout(timer);
  timer = setTimeout(showReading, DEBOUNCE_MS);
}

function markedSource(text, spans) {
  // the line as written, with [start, end) spans marked (a word beside the colour: "wrong part")
  const box = el("div", { class: "source" });
  let at = 0;
  const sorted = spans.filter((s) => Array.isArray(s) && s[0] >= 0 && s[1] <= text.length && s[0] < s[1])
    .sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start < at) continue;
    box.append(text.slice(at, start));
    box.append(el("mark", { class: "wrong", "aria-label": "wrong part", text: text.slice(start, end) }));
    at = end;
  }
  box.append(text.slice(at));
  return box;
}

async function showReading() {
  const out = $("reading");
  if (mode() !== "formula") {
    out.replaceChildren(el("p", { class: "help", text: "A document's lines are read when it is checked: each line's verdict below says how it was read." }));
    return;
  }
  const formula = $("formula").value;
  $("formula-error").hidden = true;
  if (!formula.trim()) {
    out.replaceChildren(el("p", { class: "help", text: "Type a formula: its reading appears here as you type." }));
    return;
  }
  const mine = ++readingRequest;
  try {
    const r = await api("/api/validate", request());
    if (mine !== readingRequest) return;
    const table = el("table", { "aria-label": "symbols as read" },
      el("caption", { text: "Symbols" }),
      el("tr", {}, el("th", { scope: "col", text: "symbol" }), el("th", { scope: "col", text: "role" }),
        el("th", { scope: "col", text: "shape" })));
    for (const s of r.symbols) {
      table.append(el("tr", {}, el("td", {}, math(s.name)), el("td", { text: s.role }), el("td", {}, math(s.shape))));
    }
    const assumptions = el("ul", { "aria-label": "assumptions" });
    for (const a of r.assumptions) assumptions.append(el("li", { text: a }));
    out.replaceChildren(
      el("div", { class: "field" }, el("span", { class: "name", text: "Read as" })), math(r.reading, true),
      table,
      el("div", { class: "field" }, el("span", { class: "name", text: "Convention:" }), r.convention),
      el("div", { class: "field" }, el("span", { class: "name", text: "Model:" }), r.model),
      el("div", { class: "field" }, el("span", { class: "name", text: "Assumptions:" })), assumptions);
  } catch (err) {
    if (mine !== readingRequest) return;
    const spans = err.problem && err.problem.span ? [err.problem.span] : [];
    $("formula-error").textContent = `Cannot read it: ${err.message}`;
    $("formula-error").hidden = false;
    out.replaceChildren(el("p", { class: "error", text: `Cannot read it: ${err.message}` }), markedSource(formula, spans));
  }
}

function showDocumentReading(r) {
  // check --json's "model" (the document's own forward pass, when it has one): each symbol's role and shape
  const out = $("reading");
  const rows = Array.isArray(r.model) ? r.model : [];
  const parts = [el("div", { class: "field" }, el("span", { class: "name", text: "Document:" }), String(r.note || ""))];
  if (rows.length) {
    const table = el("table", { "aria-label": "the document's model as read" },
      el("caption", { text: "Symbols (the document's forward pass)" }),
      el("tr", {}, ...["symbol", "role", "shape", "defined on"].map((h) => el("th", { scope: "col", text: h }))));
    for (const s of rows) {
      const shape = Array.isArray(s.shape) ? s.shape.join(" \\times ") : String(s.shape || "");
      table.append(el("tr", {}, el("td", {}, math(s.name)), el("td", { text: s.role || "" }), el("td", {}, math(shape)),
        el("td", { text: s.line || "" })));
    }
    parts.push(table);
  } else if (typeof r.model === "string" && r.model) {
    parts.push(el("div", { class: "field" }, el("span", { class: "name", text: "Model:" }), r.model));
  } else {
    parts.push(el("p", { class: "help", text: "No forward pass in the document: its lines are read in the model set above (or its front matter)." }));
  }
  const assumptions = [...new Set([...(r.assumptions || []), ...r.entries.flatMap((e) => e.assumptions || [])])];
  if (assumptions.length) {
    const list = el("ul", { "aria-label": "assumptions" });
    for (const a of assumptions) list.append(el("li", { text: a }));
    parts.push(el("div", { class: "field" }, el("span", { class: "name", text: "Assumptions:" })), list);
  }
  out.replaceChildren(...parts);
}

// ---------------------------------------------------------------- verdicts
function counterexampleTable(ce) {
  const table = el("table", { "aria-label": "counterexample" }, el("caption", { text: "Counterexample" }));
  for (const [key, value] of Object.entries(ce)) {
    let cell;
    if (value && typeof value === "object" && !Array.isArray(value) && (value.values || value.top_left)) {
      const rows = value.values || value.top_left;
      cell = el("table");
      for (const row of rows) cell.append(el("tr", {}, ...(Array.isArray(row) ? row : [row]).map((x) => el("td", { text: String(x) }))));
      const note = value.shape ? ` (${value.shape.join("×")}${value.top_left ? ", top-left corner" : ""})` : "";
      cell = el("div", {}, cell, note);
    } else {
      cell = document.createTextNode(typeof value === "object" ? JSON.stringify(value) : String(value));
    }
    table.append(el("tr", {}, el("th", { scope: "row", text: key }), el("td", {}, cell)));
  }
  return table;
}

function leftSide(claim) {
  // the text before the first "=" outside braces and parentheses (verify --json gives the true right side only)
  let depth = 0;
  for (let k = 0; k < claim.length; k++) {
    const ch = claim[k];
    if (ch === "\\") { k++; continue; }
    if ("{(".includes(ch)) depth++;
    else if ("})".includes(ch)) depth--;
    else if (ch === "=" && depth === 0 && !":<>!".includes(claim[k - 1] || "")) return claim.slice(0, k).trim();
  }
  return "";
}

async function verdictCard(v) {
  const verdict = v.verdict;
  const [icon, label] = LABELS[verdict] || ["?", verdict];
  const line = v.claim || v.link || v.source_latex || "";
  const corrected = v.corrected_latex || (v.fix && v.fix.latex) || (v.expected && leftSide(line) ? `${leftSide(line)} = ${v.expected}` : null);
  const card = el("article", { class: `card ${verdict}`, "aria-label": `${label}${v.id ? ": line " + v.id : ""}`, "data-verdict": verdict });
  const head = el("div", { class: "label" }, el("span", { class: "icon", "aria-hidden": "true", text: icon }), label);
  if (v.id) head.append(el("span", { class: "id", text: v.id }));
  card.append(head);
  let marks = null;
  if (verdict === "incorrect" && corrected) {
    try { marks = await api("/api/marks", { source: line, corrected }); } catch (err) { marks = null; }
  }
  // the wrong part: the diagnostics' spans when the checker gives them, else what the correction changed
  const spans = (v.diagnostics || []).map((d) => d.span).filter(Boolean);
  card.append(el("div", { class: "field" }, el("span", { class: "name", text: "Line as written:" })));
  card.append(math(marks && marks.marked ? marks.source : line, true));
  if (verdict === "incorrect") {
    if (spans.length) card.append(markedSource(line, spans));
    if (marks && marks.changes.length) {
      const list = el("ul", { class: "changes", "aria-label": "what is wrong" });
      for (const [old, neu] of marks.changes) {
        const item = el("li", { class: "change" });
        if (old && neu) item.append("wrong part: ", inline(old), " should be ", inline(neu));
        else if (old) item.append("remove: ", inline(old));
        else item.append("missing: ", inline(neu));
        list.append(item);
      }
      card.append(list);
    }
  }
  if (corrected && verdict === "incorrect") {
    card.append(el("div", { class: "field" }, el("span", { class: "name", text: "Corrected line:" })));
    const fixed = math(marks ? marks.corrected : corrected, true);
    fixed.classList.add("corrected");
    card.append(fixed);
  }
  if (v.reason) card.append(el("div", { class: "field reason" }, el("span", { class: "name", text: "Reason:" }), v.reason));
  const extra = (v.diagnosis || []).filter((d) => d !== v.reason);
  if (extra.length) {
    const list = el("ul", { "aria-label": "diagnosis" });
    for (const d of extra) list.append(el("li", { text: d }));
    card.append(list);
  }
  if (Array.isArray(v.assumptions) && v.assumptions.length) {
    card.append(el("div", { class: "field help" }, `Read assuming: ${v.assumptions.join("; ")}`));
  }
  if (typeof v.model === "string" && v.model) card.append(el("div", { class: "field help" }, `Model: ${v.model}; convention ${v.convention || "default"}`));
  if (v.counterexample) card.append(counterexampleTable(v.counterexample));
  return card;
}

async function check() {
  const body = request();
  const status = $("status");
  if (mode() === "formula" ? !body.formula.trim() : !body.document.trim()) {
    status.textContent = mode() === "formula" ? "Type a formula first." : "Paste or upload a document first.";
    return;
  }
  status.textContent = "Checking…";
  $("verdicts").replaceChildren();
  $("check").disabled = true;
  try {
    if (mode() === "formula") {
      const v = await api("/api/verify", body);
      $("verdicts").replaceChildren(await verdictCard(v));
      status.textContent = `Verdict: ${(LABELS[v.verdict] || ["", v.verdict])[1]}.`;
    } else {
      const r = await api("/api/check", body);
      const counts = {};
      const cards = [];
      for (const e of r.entries) {
        counts[e.verdict] = (counts[e.verdict] || 0) + 1;
        cards.push(await verdictCard(e));
      }
      const summary = Object.entries(counts).map(([k, n]) => `${n} ${(LABELS[k] || ["", k])[1].toLowerCase()}`).join(", ");
      $("verdicts").replaceChildren(...cards);
      showDocumentReading(r);
      status.textContent = `Checked ${r.entries.length} lines: ${summary}.`;
    }
  } catch (err) {
    status.textContent = `Cannot check: ${err.message}`;
    $("verdicts").replaceChildren(el("p", { class: "error", role: "alert", text: `Cannot check: ${err.message}` }));
  } finally {
    $("check").disabled = false;
  }
}

// ---------------------------------------------------------------- share and download
function stateToHash() {
  const params = new URLSearchParams();
  const body = request();
  params.set("mode", mode());
  if (body.formula !== undefined) params.set("formula", body.formula);
  if (body.define) params.set("define", body.define.join("\n"));
  if (body.document !== undefined) { params.set("document", body.document); params.set("format", body.format); }
  if (Object.keys(body.model).length) params.set("model", JSON.stringify(body.model));
  if (body.convention) params.set("convention", body.convention);
  return "#" + params.toString();
}

function hashToState() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has("mode")) return false;
  const doc = params.get("mode") === "document";
  $(doc ? "mode-document" : "mode-formula").checked = true;
  showMode();
  if (params.has("formula")) $("formula").value = params.get("formula");
  $("define").value = params.get("define") || "";
  if (params.has("document")) $("document").value = params.get("document");
  if (params.has("format")) $("format").value = params.get("format");
  if (params.has("convention")) $("convention").value = params.get("convention");
  let m = {};
  try { m = JSON.parse(params.get("model") || "{}"); } catch (err) { m = {}; }
  for (const field of document.querySelectorAll("#model [data-key]")) {
    const value = m[field.dataset.key];
    field.value = value === undefined ? "" : String(value);
  }
  return true;
}

async function share() {
  const url = location.origin + location.pathname + stateToHash();
  history.replaceState(null, "", url);
  const box = $("share-url");
  box.value = url;
  box.hidden = false;
  box.focus();
  box.select();
  try { await navigator.clipboard.writeText(url); $("status").textContent = "Link copied: opening it reproduces this check."; }
  catch (err) { $("status").textContent = "Link ready in the box beside the button: copy it to share this check."; }
}

async function download(kind) {
  $("status").textContent = `Writing the .${kind} report…`;
  try {
    const r = await api("/api/report", { ...request(), kind });
    const bytes = r.encoding === "base64" ? Uint8Array.from(atob(r.content), (c) => c.charCodeAt(0)) : r.content;
    const type = { md: "text/markdown", tex: "application/x-tex", pdf: "application/pdf" }[kind];
    const link = el("a", { href: URL.createObjectURL(new Blob([bytes], { type })), download: r.name });
    document.body.append(link);
    link.click();
    link.remove();
    $("status").textContent = `Report ${r.name} downloaded.`;
  } catch (err) {
    $("status").textContent = `No report: ${err.message}`;
  }
}

// ---------------------------------------------------------------- wiring
function showMode() {
  const doc = mode() === "document";
  $("formula-box").hidden = doc;
  $("document-box").hidden = !doc;
  scheduleReading();
}

function readUpload(file) {
  const ext = file.name.split(".").pop().toLowerCase();
  uploadName = file.name.replace(/\.[^.]*$/, "");
  $("format").value = { md: "md", markdown: "md", tex: "tex", ipynb: "ipynb" }[ext] || "md";
  const reader = new FileReader();
  reader.onload = () => { $("document").value = reader.result; $("status").textContent = `Loaded ${file.name}: press Check.`; };
  reader.readAsText(file);
}

async function start() {
  options = await api("/api/options");
  buildModel();
  const version = await api("/api/version").catch(() => ({}));
  $("download-pdf").hidden = !version.pdf;
  for (const radio of document.querySelectorAll("input[name=mode]")) radio.addEventListener("change", showMode);
  $("formula").addEventListener("input", scheduleReading);
  $("define").addEventListener("input", scheduleReading);
  $("convention").addEventListener("change", scheduleReading);
  $("form").addEventListener("submit", (e) => { e.preventDefault(); check(); });
  for (const box of [$("formula"), $("document")]) {
    box.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); check(); } });
  }
  $("upload").addEventListener("change", (e) => { if (e.target.files[0]) readUpload(e.target.files[0]); });
  $("share").addEventListener("click", share);
  for (const b of document.querySelectorAll("button.download")) b.addEventListener("click", () => download(b.dataset.kind));
  if (hashToState()) { await showReading(); await check(); }
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => { start().catch((err) => { $("status").textContent = `The page could not start: ${err.message}`; }); });
