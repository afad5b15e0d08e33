// coopgraph serve: the live page. Runs Cypher through POST /query, shows the rows as a
// table and the result's subgraph with cytoscape.js, and on a click the properties and
// source sentences of a node or edge. Text from the graph enters the page only through
// textContent and canvas labels, never as HTML.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var queryBox = $("query"), table = $("table"), info = $("info"), errorBox = $("error");
  var statusBox = $("status"), historyList = $("history"), search = $("search");
  var HISTORY = "coopgraph.history";
  var graph = { nodes: [], edges: [], styles: {} };
  var cy = cytoscape({ container: $("cy"), elements: [], wheelSensitivity: 0.3, style: baseStyle() });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function baseStyle() {
    return [
      { selector: "node", style: { "label": "data(caption)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 3,
        "text-wrap": "ellipsis", "text-max-width": 140, "width": 18, "height": 18, "border-width": 1, "border-color": "#555" } },
      { selector: "edge", style: { "width": 1, "line-color": "#aaa", "target-arrow-color": "#aaa", "target-arrow-shape": "triangle",
        "curve-style": "bezier", "arrow-scale": 0.7, "label": "data(type)", "font-size": 7, "color": "#888" } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#d00", "line-color": "#d00", "target-arrow-color": "#d00" } }
    ];
  }

  // History: the last 50 distinct queries, newest first, kept in the browser.
  function history() {
    try { return JSON.parse(localStorage.getItem(HISTORY) || "[]"); } catch (e) { return []; }
  }
  function remember(q) {
    var h = history().filter(function (x) { return x !== q; });
    h.unshift(q);
    try { localStorage.setItem(HISTORY, JSON.stringify(h.slice(0, 50))); } catch (e) { /* private mode */ }
    showHistory();
  }
  function showHistory() {
    historyList.replaceChildren();
    history().forEach(function (q) {
      var li = el("li", q);
      li.title = q;
      li.addEventListener("click", function () { queryBox.value = q; run(q); });
      historyList.appendChild(li);
    });
  }

  function post(statement, parameters, withGraph) {
    return fetch("/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ statement: statement, parameters: parameters || {}, graph: withGraph })
    }).then(function (r) { return r.json(); });
  }

  function cellText(v) {
    if (v === null || v === undefined) return "null";
    if (typeof v !== "object") return String(v);
    if (v.labels && v.properties) return "(" + v.id + ":" + v.labels.join(":") + " " + (v.properties.name || v.properties.title || v.properties.id || "") + ")";
    if (v.type && v.start && v.end) return "[" + v.id + ":" + v.type + "]";
    return JSON.stringify(v);
  }
  function showTable(res) {
    table.replaceChildren();
    var head = el("tr");
    res.columns.forEach(function (c) { head.appendChild(el("th", c)); });
    table.appendChild(head);
    res.rows.forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (v) {
        var td = el("td", cellText(v));
        if (v && typeof v === "object" && v.id && (v.labels || v.type)) {
          td.className = "ref";
          td.addEventListener("click", function () { select(v.id); });
        }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    document.body.setAttribute("data-rows", String(res.rows.length));
  }

  function draw(data) {
    graph = data || { nodes: [], edges: [], styles: {} };
    var els = [];
    graph.nodes.forEach(function (n, i) {
      els.push({ group: "nodes", data: { id: "n:" + n.id, i: i, caption: n.caption, label: n.label } });
    });
    graph.edges.forEach(function (e, i) {
      els.push({ group: "edges", data: { id: "e:" + e.id, i: i, source: "n:" + e.source, target: "n:" + e.target, type: e.type } });
    });
    var style = baseStyle();
    Object.keys(graph.styles).forEach(function (label) {
      var s = graph.styles[label];
      style.push({ selector: 'node[label = "' + label + '"]', style: { "shape": s[0], "background-color": s[1] } });
    });
    cy.elements().remove();
    cy.style(style);
    cy.add(els);
    var layout = els.length > 2000 ? { name: "grid" }
      : { name: "cose", animate: false, randomize: true, nodeRepulsion: 9000, idealEdgeLength: 80, padding: 30 };
    cy.layout(layout).run();
    cy.fit(undefined, 30);
    document.body.setAttribute("data-nodes", String(cy.nodes().length));
    document.body.setAttribute("data-edges", String(cy.edges().length));
  }

  function show(target) {
    var rec;
    if (target.isNode()) {
      rec = graph.nodes[target.data("i")];
      coopgraphInfo(info, rec.caption, rec.label + " " + rec.id, rec);
    } else {
      rec = graph.edges[target.data("i")];
      var s = graph.nodes[cy.getElementById("n:" + rec.source).data("i")];
      var t = graph.nodes[cy.getElementById("n:" + rec.target).data("i")];
      coopgraphInfo(info, rec.type, s.caption + " \u2192 " + t.caption + "  (" + rec.id + ")", rec);
    }
    document.body.setAttribute("data-selected", rec.id);
  }
  function select(id) {
    var t = cy.getElementById("n:" + id);
    if (!t.length) t = cy.getElementById("e:" + id);
    if (!t.length) return false;
    cy.elements().unselect();
    t.select();
    show(t);
    return true;
  }
  cy.on("tap", "node, edge", function (evt) { show(evt.target); });

  function run(q, then) {
    q = q.trim();
    if (!q) return;
    remember(q);
    errorBox.hidden = true;
    statusBox.textContent = "running\u2026";
    post(q, {}, $("draw").checked).then(function (res) {
      if (res.error) {
        errorBox.hidden = false;
        errorBox.textContent = res.error.code + "\n" + res.error.message;
        statusBox.textContent = "failed";
        document.body.setAttribute("data-error", res.error.code);
        return;
      }
      showTable(res);
      draw(res.graph);
      var notes = res.notifications.length ? "; " + res.notifications.join("; ") : "";
      statusBox.textContent = res.rows.length + " rows in " + res.timing_ms.toFixed(1) + " ms" + notes;
      if (then) then();
    }).catch(function (e) {
      errorBox.hidden = false;
      errorBox.textContent = String(e);
      statusBox.textContent = "failed";
    }).then(function () { document.body.setAttribute("data-ready", "1"); });
  }

  $("form").addEventListener("submit", function (ev) { ev.preventDefault(); run(queryBox.value); });
  queryBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(queryBox.value); }
  });
  // Search by name: the server folds both sides, so "Luong" finds "Lương".
  search.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !search.value.trim()) return;
    queryBox.value = "MATCH (n) WHERE fold(coalesce(n.name, n.title, '')) CONTAINS fold($q) RETURN n LIMIT 100";
    errorBox.hidden = true;
    post(queryBox.value, { q: search.value.trim() }, true).then(function (res) {
      if (res.error) { errorBox.hidden = false; errorBox.textContent = res.error.message; return; }
      showTable(res);
      draw(res.graph);
      statusBox.textContent = res.rows.length + " nodes named like \u201c" + search.value.trim() + "\u201d";
    });
  });

  showHistory();
  // #query=CYPHER&select=ID|first runs a query at load and opens a node or edge as a
  // click would (links, and the CI check).
  var args = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
    var i = kv.indexOf("=");
    if (i > 0) args[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
  });
  if (args.query) {
    queryBox.value = args.query;
    run(args.query, function () {
      if (args.select === "first") {
        var withSource = cy.elements().filter(function (t) {
          var rec = t.isNode() ? graph.nodes[t.data("i")] : graph.edges[t.data("i")];
          return rec.ev.length > 0;
        });
        if (withSource.length) { withSource[0].select(); show(withSource[0]); }
      } else if (args.select) {
        select(args.select);
      }
    });
  } else {
    document.body.setAttribute("data-ready", "1");
  }
})();
