/* sitrep's dashboard: the event map, list, timeline and detail panel of "/", and the small
 * maps of the event, story and article pages.
 *
 * Everything comes from the JSON API (/api/events, /api/timeline, /api/events/{id}); the map is
 * map.js's SitrepMap. Article text and metadata are untrusted: every string is put in the page
 * with textContent or as an attribute value, never as HTML.
 */
(function () {
  "use strict";

  const PAGE_SIZE = 500;
  const palette = readJson("palette-data") || {event_types: {}};
  let worldPromise = null;

  function readJson(id) {
    const node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function world() {
    if (!worldPromise) {
      worldPromise = fetch("/assets/countries-50m.json")
        .then(r => (r.ok ? r.json() : null)).catch(() => null);
    }
    return worldPromise;
  }

  /* el("td", {class: "num", title: "..."}, "text or node", ...) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url.trim()) ? url.trim() : null;
  }

  function day(value) { return value ? String(value).slice(0, 10) : ""; }

  function colourOf(event) {
    return window.SitrepMap ? SitrepMap.colour(palette, event) : "#777";
  }

  function badge(event) {
    const dot = el("span", {class: "dot"});
    dot.style.background = colourOf(event);
    return el("span", {class: "badge" + (event.context ? " badge-flagged" : "")}, dot, event.event_type || "Event");
  }

  function place(e) {
    const parts = [e.location];
    if (e.admin1 && e.admin1 !== e.location) parts.push(e.admin1);
    if (e.country && e.country !== e.location) parts.push(e.country);
    return parts.filter(Boolean).join(", ") || "Unknown place";
  }

  /* text with spans [{start, end, kind, label}] (offsets in text) as DOM nodes */
  function highlighted(text, spans) {
    const box = document.createDocumentFragment();
    const chosen = [];
    let end = -1;
    for (const s of [...(spans || [])].sort((a, b) => a.start - b.start || (b.end - b.start) - (a.end - a.start))) {
      if (s.start >= end && s.end > s.start) { chosen.push(s); end = s.end; }
    }
    let at = 0;
    for (const s of chosen) {
      box.append(document.createTextNode(text.slice(at, s.start)));
      box.append(el("span", {class: "hl hl-" + s.kind, title: s.label}, text.slice(s.start, s.end)));
      at = s.end;
    }
    box.append(document.createTextNode(text.slice(at)));
    return box;
  }

  /* --- small maps of the event, story and article pages ----------------------------------- */
  async function miniMap() {
    const box = document.getElementById("mini-map");
    const events = readJson("map-data");
    if (!box || !events || !window.SitrepMap) return;
    const map = SitrepMap.create(box, {
      world: await world(), palette, events,
      onSelect: e => { if (document.body.dataset.page !== "event") location.href = "/events/" + encodeURIComponent(e.id); },
    });
    const placed = events.filter(e => e.latitude != null && e.longitude != null);
    if (!placed.length) map.map.setView([15, 0], 3);
    else if (placed.length === 1) map.map.setView([placed[0].latitude, placed[0].longitude], 5, {animate: false});
  }

  /* --- the dashboard ---------------------------------------------------------------------- */
  function dashboard() {
    const form = document.getElementById("filters");
    const rows = document.getElementById("event-rows");
    const countNode = document.getElementById("count");
    const note = document.getElementById("count-note");
    const empty = document.getElementById("empty");
    const detail = document.getElementById("detail");
    const detailBody = document.getElementById("detail-body");
    const detailLink = document.getElementById("detail-link");
    const asJson = document.getElementById("as-json");
    const mapBox = document.getElementById("map");
    let map = null;
    let current = [];
    let focus = null;         // bounds of the main area, from /api/events
    let selected = null;
    let sequence = 0;
    let lastDays = [];

    function params() {
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(form)) {
        if (String(v).trim() !== "") p.append(k, String(v).trim());
      }
      if (p.get("sort") === "-event_date") p.delete("sort");
      return p;
    }

    function marker(id) {
      return mapBox.querySelector('[data-event-id="' + CSS.escape(id) + '"]');
    }

    function markSelection() {
      for (const node of document.querySelectorAll(".is-selected")) node.classList.remove("is-selected");
      if (!selected) return;
      const row = rows.querySelector('tr[data-event-id="' + CSS.escape(selected) + '"]');
      if (row) row.classList.add("is-selected");
      const m = marker(selected);
      if (m) { m.classList.add("is-selected"); m.parentNode.appendChild(m); }
    }

    function sortHeaders() {
      const sort = form.elements.sort.value || "-event_date";
      for (const th of document.querySelectorAll("#event-table th[data-sort]")) {
        const key = th.dataset.sort;
        th.classList.toggle("sorted", sort.replace("-", "") === key);
        th.setAttribute("aria-sort", sort === key ? "ascending" : sort === "-" + key ? "descending" : "none");
      }
    }

    function renderList(events) {
      rows.replaceChildren();
      for (const e of events) {
        const actors = [e.actor1, e.actor2].filter(Boolean).join(" vs ");
        const tr = el("tr", {"data-event-id": e.id, "data-event-type": e.event_type, tabindex: 0,
                             class: e.context ? "is-flagged" : null},
          el("td", {class: "c-date nowrap"}, e.event_date || "–"),
          el("td", {class: "c-type"}, badge(e), el("div", {class: "muted small"}, e.sub_event_type || "",
                                                   e.context ? " · flagged: " + e.context : "")),
          el("td", {class: "c-place"}, e.location || "–",
             el("div", {class: "muted small"}, [e.admin1 !== e.location ? e.admin1 : null, e.country !== e.location ? e.country : null].filter(Boolean).join(", "))),
          el("td", {class: "c-actors"}, actors || "–"),
          el("td", {class: "num"}, e.fatalities == null ? "–" : e.fatalities),
          el("td", {class: "num", title: e.n_outlets + " outlet(s)"}, e.n_sources));
        tr.addEventListener("click", () => select(e.id, true));
        tr.addEventListener("keydown", ev => { if (ev.key === "Enter") select(e.id, true); });
        tr.addEventListener("mouseenter", () => { const m = marker(e.id); if (m) m.classList.add("is-hover"); });
        tr.addEventListener("mouseleave", () => { const m = marker(e.id); if (m) m.classList.remove("is-hover"); });
        rows.append(tr);
      }
      empty.hidden = events.length > 0;
    }

    /* --- timeline ---------------------------------------------------------------------- */
    const DAY = 86400000;
    function parseDay(s) { return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)); }
    function iso(t) { return new Date(t).toISOString().slice(0, 10); }
    function bucketing(first, last) {
      const span = (last - first) / DAY;
      if (span <= 120) return {name: "day", start: t => t, next: t => t + DAY};
      if (span <= 900) return {name: "week", start: t => t - ((new Date(t).getUTCDay() + 6) % 7) * DAY, next: t => t + 7 * DAY};
      if (span <= 366 * 15) {
        return {name: "month", start: t => { const d = new Date(t); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); },
                next: t => { const d = new Date(t); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1); }};
      }
      return {name: "year", start: t => Date.UTC(new Date(t).getUTCFullYear(), 0, 1),
              next: t => Date.UTC(new Date(t).getUTCFullYear() + 1, 0, 1)};
    }

    function svg(tag, attrs) {
      const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
      for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
      return node;
    }

    function renderTimeline(days) {
      const box = document.getElementById("timeline");
      const caption = document.getElementById("timeline-caption");
      box.replaceChildren();
      const dated = days.filter(d => /^\d{4}-\d{2}-\d{2}$/.test(d.event_date || ""));
      if (!dated.length) { caption.textContent = "no dated events"; return; }
      const first = parseDay(dated[0].event_date), last = parseDay(dated[dated.length - 1].event_date);
      const b = bucketing(first, last);
      const buckets = [];
      const index = new Map();
      for (let t = b.start(first); t <= last && buckets.length < 400; t = b.next(t)) {
        index.set(t, buckets.length);
        buckets.push({start: t, end: b.next(t) - DAY, total: 0, types: {}});
      }
      for (const d of dated) {
        const i = index.get(b.start(parseDay(d.event_date)));
        if (i === undefined) continue;
        buckets[i].total += d.n;
        buckets[i].types[d.event_type] = (buckets[i].types[d.event_type] || 0) + d.n;
      }
      const width = Math.max(200, box.clientWidth || 600), height = Math.max(60, (box.clientHeight || 100));
      const left = 28, bottom = 18, top = 6, right = 6;
      const max = Math.max(1, ...buckets.map(x => x.total));
      const w = (width - left - right) / buckets.length;
      const scale = (height - top - bottom) / max;
      const root = svg("svg", {width, height, viewBox: `0 0 ${width} ${height}`, role: "img"});
      const base = height - bottom;
      for (const frac of [0.5, 1]) {
        const y = base - max * frac * scale;
        root.append(svg("line", {x1: left, x2: width - right, y1: y, y2: y, class: "grid"}));
        const label = svg("text", {x: left - 4, y: y + 3, "text-anchor": "end", class: "axis"});
        label.textContent = Math.round(max * frac);
        root.append(label);
      }
      root.append(svg("line", {x1: left, x2: width - right, y1: base, y2: base, class: "baseline"}));
      const order = Object.keys(palette.event_types || {});
      buckets.forEach((bucket, i) => {
        const g = svg("g", {class: "bar", "data-start": iso(bucket.start), "data-end": iso(bucket.end)});
        const title = svg("title");
        const range = b.name === "day" ? iso(bucket.start) : iso(bucket.start) + " – " + iso(bucket.end);
        title.textContent = range + ": " + bucket.total + " event" + (bucket.total === 1 ? "" : "s") +
          Object.entries(bucket.types).map(([k, n]) => "\n" + k + ": " + n).join("") + "\nClick to show this period";
        g.append(title);
        g.append(svg("rect", {x: left + i * w, y: top, width: Math.max(1, w), height: base - top, class: "hit"}));
        let y = base;
        const types = Object.keys(bucket.types).sort((a, c) => order.indexOf(a) - order.indexOf(c));
        for (const type of types) {
          const h = bucket.types[type] * scale;
          y -= h;
          const rect = svg("rect", {x: left + i * w + (w > 4 ? 1 : 0), y, width: Math.max(1, w - (w > 4 ? 2 : 0)), height: h});
          rect.style.fill = (palette.event_types || {})[type] || palette.unknown || "#666";
          g.append(rect);
        }
        g.addEventListener("click", () => {
          form.elements.since.value = iso(bucket.start);
          form.elements.until.value = iso(bucket.end);
          refresh();
        });
        root.append(g);
      });
      const ticks = Math.min(buckets.length, Math.max(2, Math.floor((width - left) / 90)));
      for (let k = 0; k < ticks; k++) {
        const i = Math.round(k * (buckets.length - 1) / Math.max(1, ticks - 1));
        const label = svg("text", {x: left + (i + 0.5) * w, y: height - 4, class: "axis",
                                   "text-anchor": k === 0 ? "start" : k === ticks - 1 ? "end" : "middle"});
        const t = iso(buckets[i].start);
        label.textContent = b.name === "year" ? t.slice(0, 4) : b.name === "month" ? t.slice(0, 7) : t;
        root.append(label);
      }
      box.append(root);
      caption.textContent = "events per " + b.name + " · click a bar to zoom";
    }

    /* --- detail panel ------------------------------------------------------------------ */
    async function select(id, fromList) {
      selected = id;
      markSelection();
      const chosen = current.find(x => x.id === id);
      if (fromList && map && chosen && chosen.latitude != null) {   // show where it is
        map.map.setView([chosen.latitude, chosen.longitude], Math.max(map.map.getZoom(), 6), {animate: false});
      }
      detail.hidden = false;
      detailLink.href = "/events/" + encodeURIComponent(id);
      detailBody.replaceChildren(el("p", {class: "muted"}, "Loading…"));
      let e;
      try {
        const r = await fetch("/api/events/" + encodeURIComponent(id));
        if (!r.ok) throw new Error((await r.json()).message || r.statusText);
        e = await r.json();
      } catch (err) {
        detailBody.replaceChildren(el("p", {class: "error-message"}, "Could not load the event: " + err.message));
        return;
      }
      if (selected !== id) return;
      const facts = el("dl", {class: "facts-compact"});
      const add = (k, v) => { if (v !== null && v !== undefined && v !== "") facts.append(el("dt", {}, k), el("dd", {}, v)); };
      add("Date", (e.event_date || "undated") + (e.provenance && e.provenance.date.text ? " (from “" + e.provenance.date.text + "”)" : ""));
      add("Actor 1", e.actor1);
      add("Actor 2", e.actor2);
      add("Place", place(e) + (e.admin2 && e.admin2 !== e.location ? " · " + e.admin2 : ""));
      if (e.fatalities != null) {
        add("Deaths", String(e.fatalities) + (e.fatalities_high != null && e.fatalities_high !== e.fatalities
          ? " (sources say " + e.fatalities_low + "–" + e.fatalities_high + ")" : ""));
      }
      add("Sources", e.n_sources + " article" + (e.n_sources === 1 ? "" : "s") + ", " + e.n_outlets + " outlet" + (e.n_outlets === 1 ? "" : "s"));
      if (e.story) add("Story", el("a", {href: "/stories/" + encodeURIComponent(e.story.id)}, e.story.title || e.story.id));
      if (e.context) add("Flagged", e.context);
      const sources = el("ol", {class: "sources compact", id: "detail-sources"});
      for (const s of e.sources) {
        const meta = el("div", {class: "source-meta"}, el("strong", {}, s.outlet || "Unknown outlet"),
                        el("span", {class: "muted"}, day(s.published) || "undated"),
                        s.via !== "extracted" ? el("span", {class: "tag"}, s.via) : null,
                        el("a", {href: "/articles/" + encodeURIComponent(s.article_id)}, s.title || "article"));
        const url = safeUrl(s.url);
        if (url) meta.append(el("a", {href: url, target: "_blank", rel: "noopener noreferrer nofollow", class: "ext"}, "original ↗"));
        const quote = el("blockquote", {class: "sentence"});
        quote.append(highlighted(s.sentence || "", s.highlights));
        sources.append(el("li", {class: "source"}, meta, quote));
      }
      const contra = (e.contradictions || []).map(c => el("div", {class: "note"}, el("span", {class: "tag tag-warn"}, c.kind), " ",
        c.subject + ": " + [c.a, c.b].map(x => (x.outlet || x.speaker || "?") + " — “" + (x.text || "") + "”").join("  vs  ")));
      detailBody.replaceChildren(
        el("div", {class: "eyebrow"}, badge(e)),
        el("h2", {class: "detail-title"}, (e.sub_event_type || e.event_type) + " · " + (e.location || "unknown place")),
        facts, ...contra,
        el("h3", {}, "Sources (" + e.sources.length + ")"),
        el("p", {class: "legend-line"}, el("span", {class: "hl hl-trigger"}, "trigger"), el("span", {class: "hl hl-place"}, "place"),
           el("span", {class: "hl hl-actor"}, "actor")),
        sources);
      detail.scrollTop = 0;
    }

    function closeDetail() {
      const was = selected;
      selected = null;
      detail.hidden = true;
      markSelection();
      if (was) fit(current);
    }

    /* map.js fits the markers to the whole map; keep them clear of its legend (bottom left), and
       on the main area when a few lie far away (the API's `focus`, as in the report) */
    function fit(events) {
      if (!map) return;
      const points = focus ? focus.bounds
        : events.filter(e => e.latitude != null && e.longitude != null).map(e => [e.latitude, e.longitude]);
      if (!points.length) return;
      const legend = mapBox.querySelector(".map-legend");
      const left = legend ? legend.offsetWidth + 24 : 24;
      map.map.fitBounds(L.latLngBounds(points), {paddingTopLeft: [left, 28], paddingBottomRight: [28, 28],
                                                 maxZoom: 7, animate: false});
    }

    /* --- loading ----------------------------------------------------------------------- */
    async function refresh() {
      const mine = ++sequence;
      const p = params();
      history.replaceState(null, "", p.toString() ? "?" + p.toString() : location.pathname);
      const api = new URLSearchParams(p);
      api.set("limit", String(PAGE_SIZE));
      const filters = new URLSearchParams(p);
      filters.delete("sort");
      asJson.href = "/api/events?" + api.toString();
      document.body.classList.add("is-loading");
      document.body.dataset.state = "loading";
      try {
        const [r1, r2] = await Promise.all([fetch("/api/events?" + api), fetch("/api/timeline?" + filters)]);
        const page = await r1.json();
        if (!r1.ok) throw new Error(page.message || r1.statusText);
        const line = r2.ok ? await r2.json() : {days: []};
        if (mine !== sequence) return;
        current = page.events;
        focus = page.focus;
        countNode.textContent = page.total.toLocaleString("en");
        note.textContent = page.total > current.length ? "first " + current.length + " listed and mapped" : "";
        note.classList.remove("error-message");
        renderList(current);
        const placed = map ? map.update(current) : 0;
        fit(current);
        mapBox.dataset.markers = String(placed);
        lastDays = line.days;
        renderTimeline(lastDays);
        sortHeaders();
        if (selected && !current.some(e => e.id === selected)) closeDetail();
        markSelection();
      } catch (err) {
        if (mine !== sequence) return;
        note.textContent = err.message;
        note.classList.add("error-message");
      } finally {
        if (mine === sequence) {
          document.body.classList.remove("is-loading");
          document.body.dataset.state = "ready";
          document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
        }
      }
    }

    let typing = null;
    form.addEventListener("submit", ev => { ev.preventDefault(); refresh(); });
    form.addEventListener("change", ev => { if (ev.target.type !== "search" && ev.target.type !== "text") refresh(); });
    form.addEventListener("input", ev => {
      if (ev.target.type === "search" || ev.target.type === "text" || ev.target.type === "number") {
        clearTimeout(typing);
        typing = setTimeout(refresh, 350);
      }
    });
    document.getElementById("reset").addEventListener("click", ev => {
      ev.preventDefault();
      for (const field of form.elements) {
        if (field.type === "checkbox") field.checked = false;
        else if (field.name && field.name !== "sort" && field.type !== "submit") field.value = "";
      }
      form.elements.sort.value = "-event_date";
      closeDetail();
      refresh();
    });
    for (const th of document.querySelectorAll("#event-table th[data-sort]")) {
      th.addEventListener("click", () => {
        const key = th.dataset.sort, now = form.elements.sort.value || "-event_date";
        form.elements.sort.value = now === "-" + key ? key : "-" + key;
        refresh();
      });
    }
    document.getElementById("detail-close").addEventListener("click", closeDetail);
    document.addEventListener("keydown", ev => { if (ev.key === "Escape" && !detail.hidden) closeDetail(); });
    let resizing = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => { if (map) map.map.invalidateSize(); renderTimeline(lastDays); }, 250);
    });

    world().then(topology => {
      if (window.SitrepMap) {
        map = SitrepMap.create(mapBox, {world: topology, palette, events: [], onSelect: e => select(e.id)});
      }
      refresh();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.body.classList.add("js");
    if (document.body.dataset.page === "map") dashboard();
    else miniMap();
  });
})();
