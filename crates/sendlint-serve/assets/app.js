// The sendlint support page. Every value that came from DNS, a manifest or
// SES is inserted as text (textContent / text nodes), never as markup.

const ROLE_TITLES = {
  spf_mx: ["MAIL FROM MX", "SPF badge, part 1"],
  spf_txt: ["MAIL FROM SPF", "SPF badge, part 2"],
  dkim: ["DKIM", "BYODKIM key"],
  dmarc: ["DMARC", "recommended; never blocks sending"],
};
const BADGE_ICONS = { Pending: "…", Verifying: "↻", Verified: "✓", Failed: "✕" };

const state = {
  token: sessionStorage.getItem("sendlint-token") || "",
  info: null,
  providers: [],
  timer: null,
  workspace: null,
};

// ---------------------------------------------------------------- helpers --

/** Builds an element; string children become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "title" || k === "href" ||
             k === "id" || k === "for" || k === "type" || k === "scope" || k === "tabindex" || k === "hidden" ||
             k === "colspan") {
      node.setAttribute(k, v === true ? "" : String(v));
    } else node[k] = v;
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return node;
}

/** A form's control by name (not a property: `form.role` is ARIA's). */
function field(form, name) {
  return form.elements.namedItem(name);
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function pollSeconds() {
  const q = new URLSearchParams(location.search).get("poll");
  const n = q === null ? NaN : Number(q);
  if (Number.isFinite(n) && n > 0) return n;
  return state.info ? state.info.poll_seconds : 30;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(path, {
    method: options.method || (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const e = (data && data.error) || {};
    if (response.status === 401) showTokenBox();
    throw new ApiError(response.status, e.code || "http_" + response.status, e.message || response.statusText);
  }
  return data;
}

function showTokenBox() {
  document.getElementById("token-box").hidden = false;
}

function errorBox(err) {
  return el("div", { class: "panel error-box", role: "alert" },
    el("strong", { text: "Could not check: " }), err.message || String(err));
}

function copyButton(value, what) {
  const button = el("button", { type: "button", class: "copy", "aria-label": `Copy ${what}`, title: `Copy ${what}` }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = "Copied";
    } catch {
      // no clipboard permission: select the value so Ctrl-C works
      const code = button.parentElement && button.parentElement.querySelector("code");
      if (code) window.getSelection().selectAllChildren(code);
      button.textContent = "Press Ctrl-C";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1600);
  });
  return button;
}

function copyable(value, what) {
  return el("div", { class: "copyable" }, el("code", { text: value }), copyButton(value, what));
}

function badge(stateName) {
  return el("span", { class: `badge badge-${stateName.toLowerCase()}`, "data-state": stateName },
    el("span", { "aria-hidden": "true", class: "badge-icon", text: BADGE_ICONS[stateName] || "" }), stateName);
}

/** The observed value with the labelled byte ranges marked. */
function highlighted(text, labels) {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const spans = labels
    .filter((l) => l.offset <= bytes.length)
    .map((l) => ({ start: l.offset, end: Math.min(bytes.length, l.offset + Math.max(l.length, 1)), text: l.text }))
    .sort((a, b) => a.start - b.start);
  const out = el("code", { class: "observed" });
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue; // overlapping labels: the first one wins
    if (s.start > at) out.append(document.createTextNode(decoder.decode(bytes.slice(at, s.start))));
    out.append(el("mark", { title: s.text }, decoder.decode(bytes.slice(s.start, s.end))));
    at = s.end;
  }
  if (at < bytes.length) out.append(document.createTextNode(decoder.decode(bytes.slice(at))));
  return out;
}

// ------------------------------------------------------------ the report --

function diagnosisView(d) {
  return el("li", { class: `diagnosis sev-${d.severity}`, "data-code": d.code },
    el("div", { class: "diag-head" },
      el("span", { class: `sev sev-${d.severity}`, text: d.severity }),
      el("a", { class: "code", href: `#/rule/${encodeURIComponent(d.code)}`, text: d.code })),
    el("p", { class: "message", text: d.message }),
    d.labels && d.labels.length
      ? el("ul", { class: "labels" }, d.labels.map((l) => el("li", {}, el("mark", { text: "▔" }), " ", l.text)))
      : null,
    el("p", { class: "help" }, el("strong", { text: "Fix: " }), d.help),
    d.registrar ? el("p", { class: "advice-for", text: `Advice for ${providerName(d.registrar)}` }) : null);
}

function providerName(id) {
  const p = state.providers.find((p) => p.id === id);
  return p ? p.name : id;
}

// What the customer types. An MX's priority has a field of its own in every
// provider's form: typed into Value it becomes part of the exchange
// (mx.priority-in-value), so it is never offered as part of the value.
function valueFields(r, title) {
  const mx = r.type === "MX" && /^(\d+)\s+(\S+)$/.exec(r.expected || "");
  if (mx) {
    return [
      el("dt", { text: "Value" }), el("dd", {}, copyable(mx[2], `${title} value`)),
      el("dt", { text: "Priority" }), el("dd", {}, copyable(mx[1], `${title} priority`)),
    ];
  }
  return [el("dt", { text: "Value" }), el("dd", {}, copyable(r.expected, `${title} value`))];
}

function recordCard(r) {
  const [title, subtitle] = ROLE_TITLES[r.role] || [r.role, ""];
  const observed = r.observed.length
    ? el("div", { class: "obs-list" }, r.observed.map((o, i) =>
        highlighted(o, r.diagnoses.flatMap((d) => d.labels.filter((l) => l.record === i)))))
    : el("p", { class: "none", text: "Nothing published yet." });
  return el("article", { class: `card state-${r.state.toLowerCase()}`, "data-role": r.role, "aria-label": `${title}: ${r.state}` },
    el("header", { class: "card-head" },
      el("div", {}, el("h3", { text: title }), el("p", { class: "sub", text: subtitle })),
      badge(r.state)),
    el("dl", { class: "facts" },
      el("dt", { text: "Type" }), el("dd", {}, el("code", { text: r.type })),
      r.name ? [el("dt", { text: "Name" }), el("dd", {}, copyable(r.name, `${title} name`))] : null,
      r.found_at ? [el("dt", { text: "Found at" }), el("dd", {}, el("code", { class: "warn", text: r.found_at }))] : null,
      valueFields(r, title),
      el("dt", { text: "DNS says" }), el("dd", {}, observed)),
    r.diagnoses.length ? el("ul", { class: "diagnoses" }, r.diagnoses.map(diagnosisView)) : null);
}

function verdict(report) {
  const errors = [...report.records.flatMap((r) => r.diagnoses), ...report.diagnoses]
    .filter((d) => d.severity === "error").length;
  const waiting = report.records.filter((r) => r.role !== "dmarc" && r.state !== "Verified").map((r) => ROLE_TITLES[r.role][0]);
  const text = report.sending_unlocked
    ? "Sending unlocked: MAIL FROM MX, SPF and DKIM are verified."
    : errors
      ? `Sending locked: ${errors} ${errors === 1 ? "error" : "errors"} to fix.`
      : `Sending locked: waiting for ${waiting.join(", ")}.`;
  return el("div", { class: `verdict ${report.sending_unlocked ? "ok" : "locked"}`, id: "verdict", "data-unlocked": String(report.sending_unlocked), role: "status" },
    el("span", { class: "verdict-icon", "aria-hidden": "true", text: report.sending_unlocked ? "✓" : "!" }), text);
}

function reportView(report, meta) {
  const host = report.dns_host ? providerName(report.dns_host) : "not detected";
  const context = [
    report.org ? `org ${report.org}` : null,
    report.zone ? `zone ${report.zone}` : "zone not found",
    `DNS host ${host}`,
    report.ses_consulted ? "SES consulted" : "DNS only (SES not consulted)",
  ].filter(Boolean).join(" · ");
  return el("div", { class: "report", "data-domain": report.domain },
    el("div", { class: "report-head" },
      el("div", {}, el("h2", { text: report.domain }), el("p", { class: "context", text: context })),
      meta),
    verdict(report),
    report.diagnoses.length
      ? el("ul", { class: "diagnoses domain-wide" }, report.diagnoses.map(diagnosisView))
      : null,
    el("div", { class: "cards" }, report.records.map(recordCard)),
    el("div", { id: "provider-form" }));
}

/** The setup a report was made for, from its expected records. */
function setupOf(report) {
  const rec = (role) => report.records.find((r) => r.role === role);
  const mx = rec("spf_mx"), dkim = rec("dkim");
  const region = mx && (mx.expected.match(/feedback-smtp\.([a-z0-9-]+)\.amazonses\.com/) || [])[1];
  const selector = dkim && dkim.name.endsWith(`._domainkey.${report.domain}`)
    ? dkim.name.slice(0, dkim.name.length - `._domainkey.${report.domain}`.length) : null;
  const key = dkim && (dkim.expected.match(/(?:^|;\s*)p=([A-Za-z0-9+/=]{16,})/) || [])[1];
  return { domain: report.domain, region, selector, mail_from: mx ? mx.name : null, key };
}

async function providerForm(report, registrar, into) {
  const s = setupOf(report);
  if (!registrar || !s.region || !s.selector) return;
  const q = new URLSearchParams({ domain: s.domain, selector: s.selector, region: s.region, registrar });
  if (s.mail_from) q.set("mail_from", s.mail_from);
  if (s.key) q.set("public_key", s.key);
  if (report.zone) q.set("apex", report.zone);
  let data;
  try {
    data = await api(`/api/v1/records?${q}`);
  } catch {
    return;
  }
  clear(into);
  into.append(el("section", { class: "panel form-for", "aria-labelledby": "form-title" },
    el("h2", { id: "form-title", text: `What to type into ${data.provider}` }),
    data.notes.map((n) => el("p", { class: "note", text: n })),
    el("ol", { class: "form-records" }, data.records.map((r) =>
      el("li", {},
        el("h3", { text: (ROLE_TITLES[r.role] || [r.role])[0] }),
        el("dl", { class: "facts" }, r.fields.flatMap((f) => [
          el("dt", { text: f.field }),
          el("dd", {}, copyable(f.value, `${(ROLE_TITLES[r.role] || [r.role])[0]} ${f.field}`)),
        ])))))));
}

const FIX_FORMS = [
  ["human", "Steps to follow"],
  ["nsupdate", "nsupdate script"],
  ["route53", "Route 53 change batch"],
  ["cloudflare", "Cloudflare API script"],
  ["terraform", "Terraform"],
  ["zone", "Zone-file lines"],
];

/** The form a DNS host takes its changes in: its API's, else steps to follow. */
function defaultFixForm(dnsHost) {
  return dnsHost === "cloudflare" || dnsHost === "route53" ? dnsHost : "human";
}

/**
 * The Fix panel: the change-set that makes the domain pass (POST /api/v1/fix),
 * in the form picked (the DNS host's by default), with Copy and Download.
 * Made once per page and moved into each re-rendered report; `registrar`
 * words the steps for that DNS provider instead of the detected one.
 */
function fixPanel(report, registrar) {
  const s = setupOf(report);
  if (!s.region || !s.selector) return null;
  const select = el("select", { id: "fix-form", name: "fix-form" },
    FIX_FORMS.map(([v, label]) => el("option", { value: v, text: label })));
  select.value = defaultFixForm(registrar || report.dns_host);
  const status = el("p", { id: "fix-status", class: "status", "aria-live": "polite" });
  const code = el("code", { id: "fix-text" });
  const copy = el("button", { type: "button", id: "fix-copy", class: "copy", disabled: true }, "Copy");
  const download = el("a", { id: "fix-download", class: "button", hidden: true }, "Download");
  let text = "";
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      copy.textContent = "Copied";
      copy.dataset.copied = "true";
    } catch {
      // no clipboard permission: select the text so Ctrl-C works
      window.getSelection().selectAllChildren(code);
      copy.textContent = "Press Ctrl-C";
      copy.dataset.copied = "selected";
    }
    setTimeout(() => { copy.textContent = "Copy"; }, 1600);
  });
  const load = async () => {
    const body = checkBody(s);
    body.as = select.value;
    status.textContent = "Working out the change…";
    copy.disabled = true;
    try {
      const fix = await api(`/api/v1/fix${registrar ? `?registrar=${encodeURIComponent(registrar)}` : ""}`, { body });
      text = fix.text;
      code.textContent = text;
      const n = fix.changes.changes.length;
      const unknown = fix.changes.unknown.length;
      status.textContent = n === 0 && unknown === 0
        ? "Nothing to change in DNS."
        : n === 0
          ? `Nothing to change in what could be compared; ${unknown} not compared (see the text).`
          : `${n} ${n === 1 ? "change" : "changes"}; ${unknown} left as they are (see the text).`;
      download.setAttribute("href", `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`);
      download.setAttribute("download", fix.file_name);
      download.hidden = false;
      copy.disabled = false;
      panel.dataset.form = fix.form;
      panel.dataset.changes = String(n);
    } catch (err) {
      text = "";
      code.textContent = "";
      download.hidden = true;
      status.textContent = `Could not work out the change: ${err.message || err}`;
    }
  };
  select.addEventListener("change", load);
  const panel = el("section", { class: "panel fix-panel", id: "fix-panel", "aria-labelledby": "fix-title" },
    el("h2", { id: "fix-title", text: "Fix" }),
    el("p", { class: "note", text: "The exact change that makes this domain pass: only its own records, unrelated ones kept." }),
    el("div", { class: "row" }, el("label", { for: "fix-form", text: "Form " }), select, copy, download),
    status,
    el("pre", { class: "fix-text" }, code));
  load();
  return panel;
}

// ------------------------------------------------------------- views ------

function showView(name) {
  for (const v of ["check", "domain", "explain", "workspace"]) {
    document.getElementById(`view-${v}`).hidden = v !== name;
  }
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function stopPolling() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

function metaLine(checkedAt, nextIn) {
  const when = checkedAt ? new Date(checkedAt) : new Date();
  return el("p", { class: "meta", "aria-live": "off" },
    el("span", { text: `Checked ${when.toLocaleTimeString()}` }),
    nextIn ? el("span", { text: ` · re-checks every ${nextIn} s` }) : null);
}

/** Runs `load` now and every `seconds`, while `token` is current. */
function poll(seconds, load) {
  stopPolling();
  const tick = async () => {
    await load();
    state.timer = setTimeout(tick, seconds * 1000);
  };
  tick();
}

function permalinkFor(setup, registrar) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(setup)) if (v) q.set(k, v);
  if (registrar) q.set("registrar", registrar);
  return `${location.origin}${location.pathname}${location.search}#/check?${q}`;
}

// The API takes domain names in ASCII: an internationalized name typed on the
// page (bücher.example) is sent as its A-label (xn--bcher-kva.example), which
// the browser's own URL parser computes. Anything it cannot parse is sent as typed.
function asciiDomain(name) {
  const typed = name.trim();
  if (/^[\x00-\x7f]*$/.test(typed)) return typed;
  try {
    return new URL(`http://${typed}/`).hostname;
  } catch (_) {
    return typed;
  }
}

function checkBody(s) {
  const body = { domain: asciiDomain(s.domain), region: s.region.trim(), dkim_selector: s.selector.trim() };
  if (s.mail_from && s.mail_from.trim()) body.mail_from = s.mail_from.trim();
  if (s.key && s.key.trim()) body.dkim_public_key = s.key.trim();
  return body;
}

function routeCheck(params) {
  showView("check");
  const form = document.getElementById("check-form");
  const result = document.getElementById("check-result");
  const s = {
    domain: params.get("domain") || "", region: params.get("region") || "us-east-1",
    selector: params.get("selector") || "", mail_from: params.get("mail_from") || "", key: params.get("key") || "",
  };
  const registrar = params.get("registrar") || "";
  field(form, "domain").value = s.domain;
  field(form, "region").value = s.region;
  field(form, "selector").value = s.selector;
  field(form, "mail_from").value = s.mail_from;
  field(form, "key").value = s.key;
  field(form, "registrar").value = registrar;
  stopPolling();
  clear(result);
  if (!s.domain || !s.selector) return;
  const seconds = pollSeconds();
  const link = permalinkFor(s, registrar);
  let lastForm = "";
  let fix;
  poll(seconds, async () => {
    try {
      const report = await api(`/api/v1/check${registrar ? `?registrar=${encodeURIComponent(registrar)}` : ""}`, { body: checkBody(s) });
      const meta = el("div", { class: "meta-box" }, metaLine(null, seconds),
        el("div", { class: "permalink" }, el("span", { class: "sr-only", text: "Permalink: " }),
          el("a", { href: link, text: "Permalink for the ticket" }), copyButton(link, "permalink")));
      const view = reportView(report, meta);
      const formBox = view.querySelector("#provider-form");
      clear(result);
      result.append(view);
      if (fix === undefined) fix = fixPanel(report, registrar);
      if (fix) view.append(fix);
      const who = registrar || report.dns_host;
      if (who) {
        if (lastForm) formBox.replaceWith(lastForm);
        else providerForm(report, who, formBox).then(() => { lastForm = formBox; });
      }
    } catch (err) {
      clear(result);
      result.append(errorBox(err));
    }
  });
}

function routeDomain(name) {
  showView("domain");
  const result = document.getElementById("domain-result");
  document.getElementById("domain-title").textContent = "Workspace domain";
  clear(result);
  const seconds = state.info ? Math.min(pollSeconds(), state.info.refresh_seconds) : pollSeconds();
  let formDone = false;
  let fix;
  poll(seconds, async () => {
    try {
      const line = await api(`/api/v1/domains/${encodeURIComponent(name)}`);
      clear(result);
      if (line.error) {
        result.append(el("div", { class: "panel error-box", role: "alert" }, el("strong", { text: "Manifest entry not usable: " }), line.error));
        return;
      }
      const view = reportView(line, el("div", { class: "meta-box" }, metaLine(line.checked_at, state.info && state.info.refresh_seconds)));
      result.append(view);
      if (fix === undefined) fix = fixPanel(line);
      if (fix) view.append(fix);
      if (line.dns_host && !formDone) {
        formDone = true;
        await providerForm(line, line.dns_host, view.querySelector("#provider-form"));
      }
    } catch (err) {
      clear(result);
      result.append(errorBox(err));
    }
  });
}

function routeRule(code) {
  showView("domain");
  stopPolling();
  const result = document.getElementById("domain-result");
  document.getElementById("domain-title").textContent = code;
  clear(result);
  api(`/api/v1/rules/${encodeURIComponent(code)}`).then((r) => {
    result.append(el("article", { class: "panel rule-doc" },
      el("p", { class: "context", text: `${r.severity} · ${r.roles.join(", ")}${r.provider ? ` · provider ${r.provider}` : ""}` }),
      el("h2", { text: "What it does" }), el("p", { text: r.docs.what }),
      el("h2", { text: "Why is this bad?" }), el("p", { text: r.docs.why }),
      r.docs.example ? [el("h2", { text: "Example" }), el("pre", {}, el("code", { text: r.docs.example }))] : null,
      r.docs.references.length ? [el("h2", { text: "References" }), el("ul", {}, r.docs.references.map((x) => el("li", { text: x })))] : null));
  }).catch((err) => result.append(errorBox(err)));
}

function routeExplain() {
  showView("explain");
  stopPolling();
}

async function explainSubmit(event) {
  event.preventDefault();
  const f = event.target;
  const result = document.getElementById("explain-result");
  const body = { role: field(f, "role").value, raw: field(f, "raw").value };
  for (const k of ["expected", "region", "domain", "registrar"]) {
    if (field(f, k).value.trim()) body[k] = field(f, k).value.trim();
  }
  if (body.domain) body.domain = asciiDomain(body.domain);
  clear(result);
  try {
    const r = await api("/api/v1/explain", { body });
    result.append(el("div", { class: "explained" }, recordCard(r)));
  } catch (err) {
    result.append(errorBox(err));
  }
}

// ---------------------------------------------------------- workspace -----

function routeWorkspace() {
  showView("workspace");
  const seconds = state.info ? state.info.refresh_seconds : 30;
  poll(Math.min(seconds, pollSeconds()), async () => {
    try {
      state.workspace = await api("/api/v1/domains");
      renderWorkspace();
    } catch (err) {
      const s = document.getElementById("ws-status");
      s.textContent = `Could not load the workspace: ${err.message}`;
    }
  });
}

function fillSelect(select, values, label) {
  const keep = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const v of values) select.append(el("option", { value: v, text: label ? label(v) : v }));
  select.value = values.includes(keep) ? keep : "";
}

function renderWorkspace() {
  const w = state.workspace;
  const status = document.getElementById("ws-status");
  if (!w.checked_at) {
    status.textContent = "The first check of the workspace is running…";
    return;
  }
  status.textContent = `Last checked ${new Date(w.checked_at).toLocaleTimeString()}; re-checked every ${w.refresh_seconds} s.`;
  const s = w.summary;
  const summary = document.getElementById("ws-summary");
  clear(summary);
  const roles = ["spf_mx", "spf_txt", "dkim", "dmarc"];
  summary.append(el("div", { class: "summary" },
    el("div", { class: "stat" }, el("span", { class: "num", text: String(s.total) }), el("span", { text: "domains" })),
    el("div", { class: "stat ok" }, el("span", { class: "num", text: String(s.unlocked) }), el("span", { text: "sending unlocked" })),
    el("div", { class: "stat locked" }, el("span", { class: "num", text: String(s.not_unlocked) }), el("span", { text: "locked" })),
    s.bad_entries ? el("div", { class: "stat" }, el("span", { class: "num", text: String(s.bad_entries) }), el("span", { text: "bad entries" })) : null),
    el("div", { class: "summary-tables" },
      el("table", { class: "counts" },
        el("caption", { text: "Records per badge" }),
        el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Record" }),
          ["Pending", "Verifying", "Verified", "Failed"].map((b) => el("th", { scope: "col" }, badge(b))))),
        el("tbody", {}, roles.map((r) => el("tr", {}, el("th", { scope: "row", text: ROLE_TITLES[r][0] }),
          ["Pending", "Verifying", "Verified", "Failed"].map((b) => el("td", { text: String(((s.badges || {})[r] || {})[b] || 0) })))))),
      el("div", { class: "top-codes" }, el("h2", { text: "Top codes" }),
        s.top_codes.length
          ? el("ol", {}, s.top_codes.map((c) => {
              const b = el("button", { type: "button", class: "linkish", "data-code": c.code }, el("code", { text: c.code }), ` ${c.domains}`);
              b.addEventListener("click", () => { document.getElementById("w-code").value = c.code; renderRows(); });
              return el("li", {}, b);
            }))
          : el("p", { text: "No diagnoses." }))));
  const lines = w.domains.filter((d) => !d.error);
  fillSelect(document.getElementById("w-provider"), [...new Set(lines.map((d) => d.dns_host || "unknown"))].sort(),
    (v) => (v === "unknown" ? "not detected" : providerName(v)));
  fillSelect(document.getElementById("w-code"), [...new Set(lines.flatMap(codesOf))].sort());
  renderRows();
}

function codesOf(d) {
  return [...(d.records || []).flatMap((r) => r.diagnoses), ...(d.diagnoses || [])].map((x) => x.code);
}

function errorsOf(d) {
  return [...(d.records || []).flatMap((r) => r.diagnoses), ...(d.diagnoses || [])].filter((x) => x.severity === "error").length;
}

function renderRows() {
  const w = state.workspace;
  if (!w || !w.checked_at) return;
  const search = document.getElementById("w-search").value.trim().toLowerCase();
  const wantBadge = document.getElementById("w-badge").value;
  const provider = document.getElementById("w-provider").value;
  const code = document.getElementById("w-code").value;
  const unlock = document.getElementById("w-unlock").value;
  const sort = document.getElementById("w-sort").value;
  let rows = w.domains.filter((d) => {
    if (search && !`${d.domain || ""} ${d.org || ""}`.toLowerCase().includes(search)) return false;
    if (d.error) return !wantBadge && !provider && !code && !unlock;
    if (wantBadge && !d.records.some((r) => r.state === wantBadge)) return false;
    if (provider && (d.dns_host || "unknown") !== provider) return false;
    if (code && !codesOf(d).includes(code)) return false;
    if (unlock === "locked" && d.sending_unlocked) return false;
    if (unlock === "unlocked" && !d.sending_unlocked) return false;
    return true;
  });
  const by = {
    index: (a, b) => a.index - b.index,
    domain: (a, b) => String(a.domain).localeCompare(String(b.domain)),
    org: (a, b) => String(a.org || "").localeCompare(String(b.org || "")) || a.index - b.index,
    errors: (a, b) => errorsOf(b) - errorsOf(a) || a.index - b.index,
    provider: (a, b) => String(a.dns_host || "~").localeCompare(String(b.dns_host || "~")) || a.index - b.index,
  }[sort] || ((a, b) => a.index - b.index);
  rows = rows.slice().sort(by);
  const tbody = document.querySelector("#ws-table tbody");
  clear(tbody);
  for (const d of rows) {
    if (d.error) {
      tbody.append(el("tr", { "data-domain": d.domain || "" },
        el("td", {}, el("span", { class: "dom", text: d.domain || `entry ${d.index}` }), d.org ? el("span", { class: "org", text: d.org }) : null),
        el("td", { colspan: 7, class: "bad-entry", text: `Not a usable entry: ${d.error}` })));
      continue;
    }
    const byRole = Object.fromEntries(d.records.map((r) => [r.role, r]));
    tbody.append(el("tr", { "data-domain": d.domain },
      el("td", {}, el("a", { class: "dom", href: `#/domain/${encodeURIComponent(d.domain)}`, text: d.domain }),
        d.org ? el("span", { class: "org", text: d.org }) : null),
      el("td", { text: d.dns_host ? providerName(d.dns_host) : "—" }),
      ["spf_mx", "spf_txt", "dkim", "dmarc"].map((r) => el("td", { "data-role": r }, byRole[r] ? badge(byRole[r].state) : "—")),
      el("td", {}, d.sending_unlocked ? el("span", { class: "unlock ok", text: "Unlocked" }) : el("span", { class: "unlock locked", text: "Locked" })),
      el("td", { class: "codes" }, [...new Set(codesOf(d))].map((c) => el("code", { text: c })))));
  }
  const count = document.getElementById("ws-count");
  count.textContent = `${rows.length} of ${w.domains.length} domains shown.`;
}

// -------------------------------------------------------------- router ----

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  if (path === "/explain") return routeExplain();
  if (path === "/workspace") return routeWorkspace();
  if (path.startsWith("/domain/")) return routeDomain(decodeURIComponent(path.slice("/domain/".length)));
  if (path.startsWith("/rule/")) return routeRule(decodeURIComponent(path.slice("/rule/".length)));
  if (path === "/check") return routeCheck(params);
  if (path === "/" && state.info && state.info.workspace && !query) {
    location.replace("#/workspace");
    return undefined;
  }
  return routeCheck(params);
}

async function start() {
  document.getElementById("check-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.target;
    const q = new URLSearchParams();
    for (const k of ["domain", "region", "selector", "mail_from", "key", "registrar"]) {
      if (field(f, k).value.trim()) q.set(k, field(f, k).value.trim());
    }
    const next = `#/check?${q}`;
    if (location.hash === next) route();
    else location.hash = next;
  });
  document.getElementById("explain-form").addEventListener("submit", explainSubmit);
  document.getElementById("ws-filters").addEventListener("input", renderRows);
  document.getElementById("ws-filters").addEventListener("change", renderRows);
  document.getElementById("ws-filters").addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = document.getElementById("token").value;
    sessionStorage.setItem("sendlint-token", state.token);
    document.getElementById("token-box").hidden = true;
    init();
  });
  window.addEventListener("hashchange", route);
  await init();
}

async function init() {
  try {
    state.info = await api("/api/v1/info");
    state.providers = await api("/api/v1/providers");
  } catch {
    // without info the page still works with its defaults; a 401 showed the token box
  }
  document.getElementById("nav-workspace").hidden = !(state.info && state.info.workspace);
  for (const id of ["f-registrar", "e-registrar"]) {
    fillSelect(document.getElementById(id), state.providers.map((p) => p.id), providerName);
  }
  document.body.dataset.ready = "true";
  route();
}

start();
