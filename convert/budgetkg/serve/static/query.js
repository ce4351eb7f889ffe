// The query page: a SPARQL editor with highlighting, the named queries as examples, and the
// answers of /sparql as a table, true/false or Turtle. Data only ever reaches the page as text
// (textContent, text nodes, attributes), never as markup.
"use strict";

// The server writes its --base into this meta element.
const DATA = document.querySelector('meta[name="budgetkg-base"]').content;
const VOCAB = "https://w3id.org/budgetkg/";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
const DEFAULT_QUERY = `# 图中各类资源的数量 · The classes of the graph, by number of resources.
PREFIX bk: <https://w3id.org/budgetkg/ontology#>

SELECT ?class (COUNT(?resource) AS ?resources) WHERE {
  ?resource a ?class .
}
GROUP BY ?class
ORDER BY DESC(?resources)
LIMIT 25
`;

const KEYWORDS = new Set(`base prefix select construct describe ask where from named distinct
  reduced as order by asc desc limit offset group having values optional union minus graph
  service silent filter bind not exists in undef a true false count sum min max avg sample
  group_concat separator str lang langmatches datatype bound iri uri bnode rand abs ceil floor
  round concat strlen ucase lcase encode_for_uri contains strstarts strends strbefore strafter
  year month day hours minutes seconds timezone tz now uuid struuid md5 sha1 sha256 sha384 sha512
  coalesce if strlang strdt sameterm isiri isuri isblank isliteral isnumeric regex substr replace`
  .split(/\s+/));

// One alternative per kind of token; the group that matched names the kind.
const TOKEN = new RegExp([
  String.raw`(?<comment>#[^\n]*)`,
  String.raw`(?<iri><[^<>"{}|^\x60\\\s]*>)`,
  String.raw`(?<string>"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)`,
  String.raw`(?<variable>[?$][\p{L}\p{N}_]+)`,
  String.raw`(?<prefixed>(?:[\p{L}_][\p{L}\p{N}_.-]*)?:(?:[\p{L}\p{N}_:%-]|\\.|\.(?=[\p{L}\p{N}_:%-]))*)`,
  String.raw`(?<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)`,
  String.raw`(?<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`,
  String.raw`(?<word>[\p{L}_][\p{L}\p{N}_]*)`,
].join("|"), "gu");

const $ = (id) => document.getElementById(id);
const editor = $("query");
const layer = $("highlight");
const results = $("results");
const errorBox = $("error");
const note = $("note");
const statusLine = $("status");
let running = null;

/** An element with properties (className, href, title…) and children (nodes or plain text). */
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// --- the editor -------------------------------------------------------------------------------

function highlight(text) {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > at) out.append(text.slice(at, match.index));
    let kind = Object.keys(match.groups).find((name) => match.groups[name] !== undefined);
    if (kind === "word") kind = KEYWORDS.has(match[0].toLowerCase()) ? "keyword" : "";
    out.append(kind ? el("span", { className: `tok-${kind}` }, match[0]) : match[0]);
    at = match.index + match[0].length;
  }
  // The extra lines keep the layer at least as tall as the text area when it scrolls.
  out.append(text.slice(at), "\n\n");
  return out;
}

function render() {
  layer.replaceChildren(highlight(editor.value));
  syncScroll();
}

function syncScroll() {
  layer.scrollTop = editor.scrollTop;
  layer.scrollLeft = editor.scrollLeft;
}

function setQuery(text) {
  editor.value = text;
  render();
}

// --- terms in results -------------------------------------------------------------------------

/** Where an IRI links to: a page of this server for data and vocabulary, else the IRI itself
 * (only http and https: an IRI such as javascript:… is shown but never made a link). */
function href(iri) {
  const local = (rest) => encodeURIComponent(rest).replace(/%2F/g, "/").replace(/%23/g, "#");
  if (iri.startsWith(DATA)) return "/" + local(iri.slice(DATA.length));
  if (iri.startsWith(VOCAB)) return "/vocab/" + local(iri.slice(VOCAB.length));
  return /^https?:\/\//i.test(iri) ? iri : null;
}

// The graph's usual prefixes, then the query's own; data IRIs under the base as data:….
const USUAL = [["xsd", XSD], ["bk", `${VOCAB}ontology#`], ["bkc", `${VOCAB}codelist/`],
  ["bks", `${VOCAB}structure/`], ["qb", "http://purl.org/linked-data/cube#"],
  ["skos", "http://www.w3.org/2004/02/skos/core#"], ["org", "http://www.w3.org/ns/org#"],
  ["dcterms", "http://purl.org/dc/terms/"], ["prov", "http://www.w3.org/ns/prov#"],
  ["rdfs", "http://www.w3.org/2000/01/rdf-schema#"], ["dcat", "http://www.w3.org/ns/dcat#"],
  ["data", DATA]];

function prefixesOf(query) {
  const prefixes = new Map(USUAL);
  for (const m of query.matchAll(/PREFIX\s+([\p{L}\p{N}_.-]*):\s*<([^>\s]+)>/giu)) {
    prefixes.set(m[1], m[2]);
  }
  return prefixes;
}

function compact(iri, prefixes) {
  const longest = [...prefixes].sort((a, b) => b[1].length - a[1].length);
  for (const [name, ns] of longest) {
    const local = iri.slice(ns.length);
    if (iri.startsWith(ns) && local && /^[\p{L}\p{N}_\/.-]*$/u.test(local)) return `${name}:${local}`;
  }
  return iri;
}

function term(t, prefixes) {
  if (t.type === "uri") {
    const target = href(t.value);
    const label = compact(t.value, prefixes);
    return target
      ? el("a", { href: target, title: t.value, className: "iri" }, label)
      : el("span", { title: t.value, className: "iri" }, label);
  }
  if (t.type === "bnode") return el("span", { className: "bnode" }, `_:${t.value}`);
  if (t.type === "triple") {
    const { subject, predicate, object } = t.value;
    return el("span", { className: "triple" }, "<< ", term(subject, prefixes), " ",
      term(predicate, prefixes), " ", term(object, prefixes), " >>");
  }
  // A decimal (an amount) reads with thousands separators; its datatype is on hover.
  const decimal = t.datatype === `${XSD}decimal` && /^-?\d+(\.\d+)?$/.test(t.value);
  const shown = decimal ? grouped(t.value) : t.value;
  const node = el("span", { className: decimal ? "literal number" : "literal" },
    el("span", { className: "value" }, shown));
  if (t["xml:lang"]) {
    node.append(el("span", { className: "lang" }, `@${t["xml:lang"]}`));
  } else if (t.datatype) {
    node.title = `${t.value} (${compact(t.datatype, prefixes)})`;
    if (!decimal) {
      node.append(el("span", { className: "datatype", title: t.datatype },
        `^^${compact(t.datatype, prefixes)}`));
    }
  }
  return node;
}

/** 156211123.5 -> "156,211,123.5": digits grouped by three, the decimals kept as they are. */
function grouped(value) {
  const [whole, fraction] = value.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + digits + (fraction !== undefined ? `.${fraction}` : "");
}

// --- answers ----------------------------------------------------------------------------------

function showTable(data, prefixes) {
  const vars = data.head.vars ?? [];
  const rows = data.results.bindings;
  const body = el("tbody");
  for (const binding of rows) {
    body.append(el("tr", {}, ...vars.map((v) =>
      el("td", {}, binding[v] ? term(binding[v], prefixes) : ""))));
  }
  const head = el("tr", {}, ...vars.map((v) => el("th", { scope: "col" }, `?${v}`)));
  results.append(el("div", { className: "scroll" }, el("table", { className: "results" },
    el("caption", { className: "visually-hidden" }, "查询结果 Query results"),
    el("thead", {}, head), body)));
  return `${rows.length} 行 · ${rows.length === 1 ? "1 row" : `${rows.length} rows`}`;
}

function showAnswer(body, type, prefixes) {
  if (!type.includes("json")) {
    results.append(el("pre", { className: "graph" }, body));
    return "一个图（Turtle） · a graph (Turtle)";
  }
  const data = JSON.parse(body);
  if (typeof data.boolean === "boolean") {
    results.append(el("p", { className: "boolean" }, String(data.boolean)));
    return `答案 ${data.boolean ? "是" : "否"} · the answer ${data.boolean}`;
  }
  return showTable(data, prefixes);
}

function showError(title, detail) {
  errorBox.replaceChildren(el("strong", {}, title), el("pre", {}, detail.trim()));
  errorBox.hidden = false;
}

function clear() {
  results.replaceChildren();
  errorBox.replaceChildren();
  errorBox.hidden = true;
  note.hidden = true;
}

/** The status line at the end of a run; the answer (or the error) is brought into view. */
function finish(text, state) {
  statusLine.textContent = text;
  statusLine.dataset.state = state;
  const box = $("answer").getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight - 80) {
    $("answer").scrollIntoView({ block: "start" });
  }
}

async function run() {
  const query = editor.value;
  running?.abort();
  const controller = (running = new AbortController());
  clear();
  statusLine.textContent = "正在运行… · Running…";
  statusLine.dataset.state = "running";
  results.setAttribute("aria-busy", "true");
  history.replaceState(null, "", `?${new URLSearchParams({ query })}`);
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { Accept: ACCEPT },
      body: new URLSearchParams({ query }),
      signal: controller.signal,
    });
    const body = await response.text();
    const took = `${Math.round(performance.now() - started)} ms`;
    if (!response.ok) {
      showError(`服务器答复 ${response.status} · The server answered ${response.status} ${response.statusText}`.trim(), body);
      finish(`失败 · Failed · ${took}`, "failed");
      return;
    }
    const summary = showAnswer(body, response.headers.get("Content-Type") ?? "",
      prefixesOf(query));
    if (response.headers.get("X-Result-Truncated") === "true") {
      const cap = response.headers.get("X-Result-Row-Cap");
      note.textContent = `答案不完整：服务器每次最多返回 ${cap ?? "固定数目的"} 行（或三元组），请用 LIMIT 与 OFFSET 分页。`
        + ` The answer was cut off: the server returns at most ${cap ?? "a fixed number of"}`
        + " rows (or triples) per query. Use LIMIT and OFFSET to page through the rest.";
      note.hidden = false;
    }
    finish(`${summary} · ${took}`, "done");
  } catch (error) {
    if (error.name === "AbortError") return;
    showError("查询无法运行 · The query could not be run", String(error.message ?? error));
    finish("失败 · Failed.", "failed");
  } finally {
    if (running === controller) {
      running = null;
      results.removeAttribute("aria-busy");
    }
  }
}

// --- examples and start-up --------------------------------------------------------------------

async function loadExamples() {
  const list = $("examples");
  try {
    const response = await fetch("/queries.json");
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    for (const named of await response.json()) {
      const button = el("button", { type: "button", className: "example" }, named.name);
      button.dataset.name = named.name;
      button.addEventListener("click", () => {
        setQuery(named.query);
        run();
      });
      list.append(el("li", {}, button, " ", el("span", { className: "title" }, named.zh),
        " ", el("span", { className: "en", lang: "en" }, named.en),
        el("span", { className: "about", lang: "en" }, named.description)));
    }
  } catch (error) {
    list.append(el("li", {}, `示例查询无法载入 · The example queries could not be loaded: ${error.message}`));
  }
}

editor.addEventListener("input", render);
editor.addEventListener("scroll", syncScroll);
editor.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  }
});
$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});

$("endpoint").textContent = new URL("/sparql", location.href).href;
const preset = new URLSearchParams(location.search).get("query");
setQuery(preset ?? DEFAULT_QUERY);
loadExamples();
if (preset) run();
