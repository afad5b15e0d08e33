// coopgraph html export: draws the graph embedded in #graph-data with cytoscape.js.
// Every text from the graph goes into the page through textContent or cytoscape's
// canvas labels, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var info = document.getElementById("info");
  var els = [];
  data.nodes.forEach(function (n, i) {
    els.push({ group: "nodes", data: { id: "n:" + n.id, i: i, caption: n.caption, label: n.label } });
  });
  data.edges.forEach(function (e, i) {
    els.push({ group: "edges", data: { id: "e:" + e.id, i: i, source: "n:" + e.source, target: "n:" + e.target, type: e.type } });
  });
  var style = [
    { selector: "node", style: { "label": "data(caption)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 3,
      "text-wrap": "ellipsis", "text-max-width": 140, "width": 18, "height": 18, "border-width": 1, "border-color": "#555" } },
    { selector: "edge", style: { "width": 1, "line-color": "#aaa", "target-arrow-color": "#aaa", "target-arrow-shape": "triangle",
      "curve-style": "bezier", "arrow-scale": 0.7 } },
    { selector: ":selected", style: { "border-width": 3, "border-color": "#d00", "line-color": "#d00", "target-arrow-color": "#d00" } },
    { selector: ".faded", style: { "opacity": 0.15 } },
    { selector: ".match", style: { "border-width": 3, "border-color": "#06c" } }
  ];
  Object.keys(data.styles).forEach(function (label) {
    var s = data.styles[label];
    style.push({ selector: 'node[label = "' + label + '"]', style: { "shape": s[0], "background-color": s[1] } });
  });
  var cy = cytoscape({
    container: document.getElementById("cy"),
    elements: els,
    style: style,
    layout: els.length > 3000 ? { name: "grid" } : { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 },
    wheelSensitivity: 0.3
  });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function show(target) {
    if (target.isNode()) {
      var n = data.nodes[target.data("i")];
      coopgraphInfo(info, n.caption, n.label + " " + n.id, n);
    } else {
      var rec = data.edges[target.data("i")];
      var s = data.nodes[cy.getElementById("n:" + rec.source).data("i")];
      var t = data.nodes[cy.getElementById("n:" + rec.target).data("i")];
      coopgraphInfo(info, rec.type, s.caption + " \u2192 " + t.caption + "  (" + rec.id + ")", rec);
    }
  }
  cy.on("tap", "node, edge", function (evt) { show(evt.target); });
  cy.on("tap", function (evt) {
    if (evt.target === cy) { info.replaceChildren(el("p", "Click a node or an edge to see its properties and sources.")); }
  });

  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  var search = document.getElementById("search");
  function find(q) {
    cy.elements().removeClass("faded match");
    q = fold(q.trim());
    if (!q) return cy.collection();
    var hits = cy.nodes().filter(function (n) {
      var rec = data.nodes[n.data("i")];
      return fold(rec.caption).indexOf(q) >= 0 || rec.names.some(function (a) { return fold(a).indexOf(q) >= 0; });
    });
    cy.elements().addClass("faded");
    hits.removeClass("faded").addClass("match");
    hits.connectedEdges().removeClass("faded");
    return hits;
  }
  search.addEventListener("input", function () { find(search.value); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var hits = find(search.value);
      if (hits.length) { cy.animate({ fit: { eles: hits, padding: 80 } }); cy.elements().unselect(); hits[0].select(); show(hits[0]); }
    }
  });

  document.getElementById("count").textContent = cy.nodes().length + " nodes, " + cy.edges().length + " edges";
  document.body.setAttribute("data-nodes", String(cy.nodes().length));
  document.body.setAttribute("data-edges", String(cy.edges().length));
  // Nodes the renderer placed and sized: what the reader actually sees drawn.
  var drawn = cy.nodes().filter(function (n) {
    var p = n.renderedPosition(), b = n.renderedBoundingBox();
    return isFinite(p.x) && isFinite(p.y) && b.w > 0 && b.h > 0;
  }).length;
  document.body.setAttribute("data-drawn", String(drawn));
  // #select=<id> opens a node or edge as a click would (links, and the CI check).
  var m = /^#select=(.*)$/.exec(location.hash);
  if (m) {
    var id = decodeURIComponent(m[1]);
    var t = cy.getElementById("n:" + id);
    if (!t.length) t = cy.getElementById("e:" + id);
    if (t.length) { t.select(); t.emit("tap"); }
  }
  var q = /^#search=(.*)$/.exec(location.hash);
  if (q) { search.value = decodeURIComponent(q[1]); find(search.value); }
  document.body.setAttribute("data-ready", "1");
})();
