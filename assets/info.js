// The info panel of the html export and of the server's live page: a node's or edge's
// heading, properties and source sentences. Text goes in through textContent only.
window.coopgraphInfo = function (info, title, kind, rec) {
  "use strict";
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  info.replaceChildren();
  info.appendChild(el("h2", title));
  info.appendChild(el("p", kind, "kind"));
  var table = el("table");
  rec.props.forEach(function (kv) {
    var tr = el("tr");
    tr.appendChild(el("th", kv[0]));
    tr.appendChild(el("td", kv[1]));
    table.appendChild(tr);
  });
  info.appendChild(table);
  info.appendChild(el("h3", rec.ev.length ? "Sources" : "No source sentence recorded"));
  rec.ev.forEach(function (q) {
    var b = el("blockquote", undefined, "source");
    b.appendChild(document.createTextNode(q.before));
    b.appendChild(el("mark", q.span));
    b.appendChild(document.createTextNode(q.after));
    b.appendChild(el("cite", q.title + " (" + q.doc + ")"));
    info.appendChild(b);
  });
};
