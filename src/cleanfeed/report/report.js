// The cleanfeed run report. Every string from a page is untrusted: the DOM is built with
// createElement and text nodes only (no innerHTML, no href or src from page data), and the
// Content-Security-Policy of the file allows this script and nothing else.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const STATUS = ["kept", "duplicate", "dropped"];
  const ROWS = 100;      // rows per list page
  const STORIES = 20;    // stories per list page
  const MAX_EDITS = 2000; // word diff: beyond this many edits two texts are shown unaligned

  const S = JSON.parse(document.getElementById("cf-summary").textContent);
  const I = JSON.parse(document.getElementById("cf-index").textContent);
  const N = I.id.length;
  const chunks = new Map();
  let haystack = null;
  const state = { view: "overview", item: -1, page: 0, q: "", status: "all" };

  // ---- DOM helpers: text only ----------------------------------------------------------
  function el(tag, cls, ...kids) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const k of kids) if (k !== null && k !== undefined) e.append(k); // strings become text nodes
    return e;
  }
  function link(text, hash) { // hash: built here from numbers and fixed words only
    const a = el("a", null, String(text));
    a.setAttribute("href", hash);
    return a;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function pct(n) { return (100 * n).toFixed(1) + " %"; }

  // ---- data ----------------------------------------------------------------------------
  async function body(i) { // the page's text, metadata and removals: its chunk decoded on first use
    const c = Math.floor(i / S.chunk_pages);
    let rows = chunks.get(c);
    if (rows === undefined) {
      rows = inflate(document.getElementById("cf-c" + c));
      chunks.set(c, rows);
    }
    return (await rows)[i % S.chunk_pages] || null;
  }
  async function inflate(node) { // base64 of gzipped JSON (a third of the JSON's size)
    if (!node) return [];
    const bin = atob(node.textContent);
    const bytes = new Uint8Array(bin.length);
    for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }
  function matches(i, q) {
    if (!q) return true;
    if (haystack === null) {
      haystack = new Array(N);
      for (let j = 0; j < N; j++) {
        haystack[j] = (I.id[j] + "\u0000" + (I.site[j] || "") + "\u0000" + (I.title[j] || "")).toLowerCase();
      }
    }
    return haystack[i].indexOf(q) !== -1;
  }
  function score(sim) { return sim[2] === "jaccard" ? sim[0] : sim[1]; }
  function simText(sim) {
    return "similarity " + score(sim).toFixed(3) + " (rule: " + sim[2] + "; Jaccard " + sim[0].toFixed(3) +
      ", containment " + sim[1].toFixed(3) + ")";
  }
  function label(i) { return I.title[i] || I.id[i]; }

  // ---- frame -----------------------------------------------------------------------------
  const app = document.getElementById("cf-app");
  const nav = el("nav");
  const tabs = {};
  for (const [v, name] of [["overview", "Overview"], ["stories", "Stories"], ["pages", "Pages"], ["dropped", "Dropped"]]) {
    tabs[v] = link(name, "#" + v);
    nav.append(tabs[v]);
  }
  const search = el("input");
  search.id = "cf-search";
  search.type = "search";
  search.placeholder = "filter: id, site or title";
  const statusBox = el("select");
  statusBox.id = "cf-status";
  for (const s of ["all", ...STATUS]) { const o = el("option", null, s); o.value = s; statusBox.append(o); }
  const view = el("main");
  view.id = "cf-view";
  app.append(el("header", null, el("h1", null, "cleanfeed report"), nav, search, statusBox), view);
  let timer = 0;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = search.value.trim().toLowerCase(); state.page = 0; render(); }, 120);
  });
  statusBox.addEventListener("change", function () { state.status = statusBox.value; state.page = 0; render(); });

  function pager(total, per, into) {
    const pages = Math.max(1, Math.ceil(total / per));
    const prev = el("button", null, "\u2190 previous"), next = el("button", null, "next \u2192");
    prev.disabled = state.page <= 0;
    next.disabled = state.page >= pages - 1;
    prev.addEventListener("click", function () { state.page--; render(); });
    next.addEventListener("click", function () { state.page++; render(); });
    const from = total ? state.page * per + 1 : 0, to = Math.min(total, (state.page + 1) * per);
    const p = el("div", "pager", prev, next, el("span", "note", fmt(from) + "\u2013" + fmt(to) + " of " + fmt(total)));
    p.dataset.total = String(total);
    into.append(p);
  }

  // ---- plots (SVG, drawn here) -----------------------------------------------------------
  function hbars(rows, unit) { // rows: [label, value]
    const max = Math.max(1e-9, ...rows.map(r => r[1]));
    const h = 18 * rows.length + 6, w = 520, left = 170, room = w - left - 90;
    const s = svg("svg", { width: w, height: h, viewBox: "0 0 " + w + " " + h, role: "img" });
    rows.forEach(function (r, k) {
      const y = 3 + 18 * k;
      s.append(svg("text", { x: left - 6, y: y + 12, "text-anchor": "end" }, String(r[0]).slice(0, 28)));
      s.append(svg("rect", { class: "bar", x: left, y: y + 2, height: 13, width: Math.max(1, room * r[1] / max) }));
      s.append(svg("text", { x: left + Math.max(1, room * r[1] / max) + 4, y: y + 12 }, unit(r[1])));
    });
    return s;
  }
  function histogram(series, bins, lo, hi, names) { // series: arrays of values, stacked
    const w = 520, h = 190, left = 40, bottom = 28, top = 8;
    const counts = series.map(() => new Array(bins).fill(0));
    series.forEach(function (vals, s) {
      for (const v of vals) counts[s][Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / (hi - lo) * bins)))]++;
    });
    let max = 1;
    for (let b = 0; b < bins; b++) max = Math.max(max, counts.reduce((t, c) => t + c[b], 0));
    const g = svg("svg", { width: w, height: h, viewBox: "0 0 " + w + " " + h, role: "img" });
    const bw = (w - left - 10) / bins, ph = h - bottom - top;
    g.append(svg("line", { class: "axis", x1: left, y1: top + ph, x2: w - 10, y2: top + ph }));
    g.append(svg("text", { x: left - 4, y: top + 10, "text-anchor": "end" }, fmt(max)));
    g.append(svg("text", { x: left - 4, y: top + ph, "text-anchor": "end" }, "0"));
    for (let b = 0; b < bins; b++) {
      let y = top + ph;
      counts.forEach(function (c, s) {
        if (!c[b]) return;
        const bh = ph * c[b] / max;
        y -= bh;
        const r = svg("rect", { class: "bar" + (s ? s : ""), x: left + b * bw + 1, y: y, width: bw - 2, height: bh });
        r.append(svg("title", {}, names[s] + ": " + c[b]));
        g.append(r);
      });
    }
    for (let t = 0; t <= 4; t++) {
      g.append(svg("text", { x: left + t * (w - left - 10) / 4, y: h - 10, "text-anchor": "middle" },
        (lo + t * (hi - lo) / 4).toFixed(2)));
    }
    return g;
  }

  // ---- overview ------------------------------------------------------------------------
  function overview() {
    const v = el("div");
    const stats = S.stats || {};
    const card = (n, what) => el("div", "card", el("b", null, fmt(n)), el("span", null, what));
    v.append(el("h2", null, "The run at a glance"), el("div", "cards",
      card(S.pages, "pages in"), card(S.kept, "kept"), card(S.duplicate, "duplicates"), card(S.dropped, "dropped"),
      card(S.stories.length, "stories with copies"), card(S.largest_story, "pages in the largest story"),
      el("div", "card", el("b", null, stats.seconds !== undefined ? Number(stats.seconds).toFixed(1) + " s" : "\u2013"),
        el("span", null, "wall time"))));
    const grid = el("div", "grid");
    const panel = (title, ...kids) => { const p = el("div", "panel", el("h3", null, title), ...kids); grid.append(p); return p; };
    const reasons = S.dropped_by_reason;
    panel("Dropped, by reason", reasons.length ? hbars(reasons, fmt) : el("p", "note", "no page was dropped"));
    const stages = Object.entries(stats.stage_seconds || {}).sort((a, b) => b[1] - a[1]);
    panel("Time per stage (seconds; worker:* summed over worker processes)",
      stages.length ? hbars(stages, x => x.toFixed(2) + " s") : el("p", "note", "no stage times were given"));
    panel("Story sizes (pages per story: 1 = a story with no copy)",
      hbars(S.cluster_sizes.map(r => [r[0] + (r[0] === 1 ? " page" : " pages"), r[1]]), fmt));
    const bySeries = [[], [], []], names = ["jaccard", "containment", "exact"];
    for (let i = 0; i < N; i++) {
      const sim = I.sim[i];
      if (sim) bySeries[Math.max(0, names.indexOf(sim[2]))].push(score(sim));
    }
    panel("Similarity of accepted duplicates to their kept page",
      histogram(bySeries, 20, 0, 1, names),
      el("p", "note", "blue: matched on Jaccard, orange: on containment, violet: exact copies. " +
        "Pairs the deduplicator checked and refused (near misses) are not in the run's records."));
    panel("Removals by rule category (count; characters previewed)",
      S.removals.length ? hbars(S.removals.map(r => [r[0], r[1]]), fmt) : el("p", "note", "no removal records (the run kept none)"),
      el("p", "note", S.removals.map(r => r[0] + ": " + fmt(r[2]) + " chars").join(" \u00b7 ")));
    v.append(grid);
    return v;
  }

  // ---- lists -----------------------------------------------------------------------------
  function pageRows(filter) {
    const q = state.q, rows = [];
    for (let i = 0; i < N; i++) if (filter(i) && matches(i, q)) rows.push(i);
    return rows;
  }
  function pageTable(rows, columns) {
    const v = el("div");
    pager(rows.length, ROWS, v);
    const t = el("table");
    t.id = "cf-rows";
    t.append(el("tr", null, ...columns.map(c => el("th", null, c[0]))));
    for (const i of rows.slice(state.page * ROWS, (state.page + 1) * ROWS)) {
      const tr = el("tr", "row", ...columns.map(c => el("td", null, c[1](i))));
      tr.dataset.id = I.id[i];
      tr.addEventListener("click", function () { location.hash = "#page-" + i; });
      t.append(tr);
    }
    v.append(t);
    return v;
  }
  function badge(i) { return el("span", "badge s" + I.st[i], STATUS[I.st[i]]); }
  function pages() {
    const want = STATUS.indexOf(state.status);
    const rows = pageRows(i => want < 0 || I.st[i] === want);
    return el("div", null, el("h2", null, "Pages"),
      pageTable(rows, [["status", badge], ["id", i => I.id[i]], ["site", i => I.site[i] || ""],
        ["title", i => I.title[i] || ""], ["removals", i => fmt(I.nrem[i])]]));
  }
  function dropped() {
    const rows = pageRows(i => I.st[i] === 2);
    return el("div", null, el("h2", null, "Dropped pages"),
      pageTable(rows, [["id", i => I.id[i]], ["url", i => I.url[i] || ""], ["reason", i => S.reasons[I.why[i]]]]));
  }

  // ---- stories ---------------------------------------------------------------------------
  function member(ref) { return typeof ref === "number" ? ref : -1; }
  function stories() {
    const q = state.q;
    const list = [];
    S.stories.forEach(function (s, k) {
      if (!q || [s[0], ...s[1].map(c => c[0])].some(ref => member(ref) >= 0 && matches(ref, q))) list.push(k);
    });
    const v = el("div", null, el("h2", null, "Stories with copies, largest first"));
    pager(list.length, STORIES, v);
    for (const k of list.slice(state.page * STORIES, (state.page + 1) * STORIES)) {
      const s = S.stories[k], kept = s[0], here = member(kept) >= 0;
      const box = el("div", "story");
      box.dataset.story = String(k);
      box.append(el("h3", null, link(here ? label(kept) : String(kept), "#story-" + k), " \u2014 " + (s[1].length + 1) + " pages"));
      const ul = el("ul");
      ul.append(el("li", "copy canonical", el("b", null, "kept: "), here ? I.id[kept] : String(kept),
        " (" + (here ? I.site[kept] || "no site" : "kept by an earlier run") + ")"));
      for (const c of s[1]) {
        const li = el("li", "copy", typeof c[0] === "number" ? I.id[c[0]] : String(c[0]),
          " (" + (typeof c[0] === "number" ? I.site[c[0]] || "no site" : "an earlier run") + "), " + simText(c[2]));
        li.dataset.id = typeof c[0] === "number" ? I.id[c[0]] : String(c[0]);
        ul.append(li);
      }
      box.append(ul);
      v.append(box);
    }
    return v;
  }

  // word-level diff (Myers), after the common head and tail are set aside
  function words(paragraphs) {
    const out = [];
    paragraphs.forEach(function (p, k) {
      if (k) out.push("\n");
      for (const w of p.split(/\s+/)) if (w) out.push(w);
    });
    return out;
  }
  function diff(a, b) { // [op, token]: 0 same, -1 only in a, 1 only in b; null when too different
    let s = 0, ea = a.length, eb = b.length;
    while (s < ea && s < eb && a[s] === b[s]) s++;
    while (ea > s && eb > s && a[ea - 1] === b[eb - 1]) { ea--; eb--; }
    const mid = myers(a.slice(s, ea), b.slice(s, eb));
    if (mid === null) return null;
    const ops = a.slice(0, s).map(t => [0, t]);
    for (const o of mid) ops.push(o);
    for (const t of a.slice(ea)) ops.push([0, t]);
    return ops;
  }
  function myers(a, b) {
    const n = a.length, m = b.length;
    if (!n) return b.map(t => [1, t]);
    if (!m) return a.map(t => [-1, t]);
    const max = n + m, off = max + 1, v = new Int32Array(2 * max + 3), trace = [];
    for (let d = 0; d <= Math.min(max, MAX_EDITS); d++) {
      trace.push(v.slice(off - d - 1, off + d + 2)); // v before round d, for k in [-d-1, d+1]
      for (let k = -d; k <= d; k += 2) {
        let x = (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
        let y = x - k;
        while (x < n && y < m && a[x] === b[y]) { x++; y++; }
        v[off + k] = x;
        if (x >= n && y >= m) return back(trace, a, b, d);
      }
    }
    return null;
  }
  function back(trace, a, b, D) {
    const ops = [];
    let x = a.length, y = b.length;
    for (let d = D; d > 0; d--) {
      const t = trace[d], at = k => t[k + d + 1], k = x - y;
      const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
      const pk = down ? k + 1 : k - 1, px = at(pk), py = px - pk;
      const sx = down ? px : px + 1;
      while (x > sx) { ops.push([0, a[x - 1]]); x--; y--; }
      if (down) { ops.push([1, b[y - 1]]); } else { ops.push([-1, a[x - 1]]); }
      x = px; y = py;
    }
    while (x > 0) { ops.push([0, a[x - 1]]); x--; }
    return ops.reverse();
  }
  function changes(ops) { // an edit run holding both removed and added words is a change
    const flag = new Uint8Array(ops.length);
    let k = 0;
    while (k < ops.length) {
      if (ops[k][0] === 0) { k++; continue; }
      let j = k, del = false, ins = false;
      while (j < ops.length && ops[j][0] !== 0) { if (ops[j][0] < 0) del = true; else ins = true; j++; }
      if (del && ins) flag.fill(1, k, j);
      k = j;
    }
    return flag;
  }
  function column(ops, changed, side) { // side -1: the kept text, 1: the copy
    const box = el("div");
    let p = el("p"), run = [], kind = "";
    const flush = function () {
      if (!run.length) return;
      const text = run.join(" ");
      if (kind === "same") p.append(text + " ");
      else {
        const mark = el(side < 0 ? "del" : "ins", "d" + (kind === "chg" ? " chg" : ""), text);
        mark.title = kind === "chg" ? "changed" : (side < 0 ? "only in the kept text" : "only in the copy");
        p.append(mark, " ");
      }
      run = [];
    };
    ops.forEach(function (o, k) {
      if (o[0] !== 0 && o[0] !== side) return;
      if (o[1] === "\n") { flush(); box.append(p); p = el("p"); return; }
      const now = o[0] === 0 ? "same" : (changed[k] ? "chg" : "edit");
      if (now !== kind) { flush(); kind = now; }
      run.push(o[1]);
    });
    flush();
    box.append(p);
    return box;
  }
  function plain(paragraphs) {
    const box = el("div");
    for (const p of paragraphs) box.append(el("p", null, p));
    return box;
  }
  async function storyView(k) {
    const s = S.stories[k];
    if (!s) return el("p", null, "no such story");
    const kept = s[0], here = member(kept) >= 0, kb = here ? await body(kept) : null;
    const bodies = await Promise.all(s[1].map(c => member(c[0]) >= 0 ? body(c[0]) : null));
    const v = el("div", null, el("h2", null, "Story: " + (here ? label(kept) : String(kept))));
    if (here) {
      v.append(el("p", null, "Kept copy ", link(I.id[kept], "#page-" + kept), " (" + (I.site[kept] || "no site") +
        "). Why this copy was kept: " + S.reasons[I.why[kept]] + "."));
    } else {
      v.append(el("p", null, "Kept copy " + String(kept) + ", kept by an earlier run of the same index: " +
        "its text is not in this report, so the copies are shown without a diff."));
    }
    const kw = words(kb ? kb.p : []);
    s[1].forEach(function (c, n) {
      const i = member(c[0]);
      const sec = el("section", "story");
      sec.dataset.id = i >= 0 ? I.id[i] : String(c[0]);
      sec.append(el("div", "match", el("b", null, "copy: "), i >= 0 ? link(I.id[i], "#page-" + i) : String(c[0]),
        " (" + (i >= 0 ? I.site[i] || "no site" : "kept by an earlier run") + ") \u2014 " + simText(c[2]) +
        (i >= 0 ? "; " + S.reasons[I.why[i]] : "")));
      if (i < 0) { sec.append(el("p", "note", "this copy was seen by an earlier run: its text is not in this report")); v.append(sec); return; }
      const cb = bodies[n];
      const ops = here ? diff(kw, words(cb ? cb.p : [])) : null;
      const pair = el("div", "pair");
      if (ops === null) {
        pair.append(plain(kb ? kb.p : []), plain(cb ? cb.p : []));
        if (here) sec.append(el("p", "note", "the texts differ too much to align word by word"));
      } else {
        const changed = changes(ops);
        pair.append(column(ops, changed, -1), column(ops, changed, 1));
      }
      sec.append(el("div", "pair", el("b", null, "kept: " + (here ? I.id[kept] : String(kept))), el("b", null, "copy: " + I.id[i])), pair);
      v.append(sec);
    });
    v.append(el("p", "note", "red struck: only in the kept text; green: only in the copy; yellow: changed words."));
    return v;
  }

  // ---- one page ------------------------------------------------------------------------
  async function pageView(i) {
    if (!(i >= 0 && i < N)) return el("p", null, "no such page");
    const b = (await body(i)) || { p: [], r: [], m: {}, pv: {} };
    const v = el("div", null, el("h2", null, label(i)));
    const meta = el("dl", "meta");
    const row = (k, val) => { if (val !== null && val !== undefined && val !== "") meta.append(el("dt", null, k), el("dd", null, val)); };
    row("id", I.id[i]);
    row("status", badge(i));
    row("reason", S.reasons[I.why[i]]);
    if (I.of[i] !== null) row("duplicate of", typeof I.of[i] === "number" ? link(I.id[I.of[i]], "#page-" + I.of[i]) : String(I.of[i]) + " (an earlier run)");
    if (I.sim[i]) row("similarity", simText(I.sim[i]));
    row("url", I.url[i]); // shown as text: never a link
    row("site", I.site[i]);
    row("title", I.title[i]);
    for (const k in b.m) row(k, b.m[k] === null ? null : String(b.m[k]));
    row("metadata from", Object.entries(b.pv || {}).map(e => e[0] + ": " + e[1]).join(", "));
    row("source", b.src);
    row("error", b.e);
    v.append(el("div", "panel", meta));
    const cols = el("div", "pagegrid");
    const left = el("div", null, el("h3", null, "Clean text")), right = el("div");
    cols.append(left, right);
    v.append(cols);
    const text = el("div", "panel text");
    text.id = "cf-text";
    if (!b.p.length) text.append(el("p", "note", "no article text"));
    for (const p of b.p) text.append(el("p", null, p));
    left.append(text);
    right.append(el("h3", null, "Removed (" + fmt(b.r.length) + " spans, in the order the extractor recorded them)"));
    const cats = [...new Set(b.r.map(r => r[1]))].sort((x, y) => S.categories[x] < S.categories[y] ? -1 : 1);
    const removed = el("div", "panel");
    removed.id = "cf-removed";
    for (const c of cats) {
      const name = S.categories[c], spans = b.r.filter(r => r[1] === c);
      const group = el("details", "removed");
      group.open = name !== "markup"; // scripts, styles, embeds: folded away by default
      group.dataset.category = name;
      group.append(el("summary", null, el("span", "k" + (c % 10), name), " \u2014 " + fmt(spans.length) + " removed"));
      for (const r of spans) {
        const d = el("del", "k" + (c % 10), r[2]);
        d.title = "rule " + S.rules[r[0]] + " (" + name + ")";
        group.append(d);
      }
      removed.append(group);
    }
    if (!cats.length) removed.append(el("p", "note", "no removal records for this page"));
    right.append(removed);
    return v;
  }

  // ---- routing -------------------------------------------------------------------------
  function route() {
    const h = location.hash.slice(1);
    const m = /^(page|story)-(\d+)$/.exec(h);
    const next = m ? (m[1] === "page" ? "page" : "story") : (tabs[h] ? h : "overview");
    const item = m ? Number(m[2]) : -1;
    if (next !== state.view) state.page = 0;
    state.view = next;
    state.item = item;
    render();
  }
  let serial = 0;
  async function render() {
    const mine = ++serial, shown = location.hash;
    const tab = { page: "pages", story: "stories" }[state.view] || state.view;
    for (const k in tabs) tabs[k].className = k === tab ? "on" : "";
    statusBox.hidden = state.view !== "pages";
    const bodies = state.view === "page" || state.view === "story";
    let content;
    if (bodies) {
      view.replaceChildren(el("p", "note", "loading\u2026"));
      if (document.readyState === "loading") return; // page bodies come after this script
      content = await (state.view === "page" ? pageView(state.item) : storyView(state.item));
      if (mine !== serial) return; // another view was asked for meanwhile
    } else if (state.view === "stories") content = stories();
    else if (state.view === "pages") content = pages();
    else if (state.view === "dropped") content = dropped();
    else content = overview();
    view.replaceChildren(content);
    view.dataset.view = state.view;
    view.dataset.shown = shown + "|" + state.q + "|" + state.status + "|" + state.page;
    window.scrollTo(0, 0);
  }
  window.addEventListener("hashchange", route);
  document.addEventListener("DOMContentLoaded", function () {
    if (state.view === "page" || state.view === "story") render();
    document.documentElement.dataset.loaded = "1";
  });
  route();
  performance.mark("cf-rendered");
  document.documentElement.dataset.rendered = "1";
})();
