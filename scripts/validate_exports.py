"""Checks coopgraph exports with their real consumers; run by scripts/validate-exports.sh.

usage: validate_exports.py SEEDS_DIR EVIL_DIR
Each directory holds graph.<format> files and a csv/ directory exported from one
database; graph.json is the ground truth the other formats are compared with.
"""
import csv
import glob
import html
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import kuzu
import networkx as nx
import rdflib
import rdflib.compare

CHECKS = []


def ok(what):
    CHECKS.append(what)
    print(f"ok   {what}")


def load(d):
    with open(os.path.join(d, "graph.json"), encoding="utf-8") as f:
        dump = json.load(f)
    return dump["nodes"], dump["edges"]


# Characters XML 1.0 forbids; the GraphML and GEXF writers replace them with U+FFFD.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def same(got, want, where):
    """An attribute read back by an XML consumer against the dump's typed value."""
    if isinstance(want, str):
        want = XML_FORBIDDEN.sub("\ufffd", want)
    if isinstance(want, list):
        got = json.loads(got)
        want = [XML_FORBIDDEN.sub("\ufffd", x) if isinstance(x, str) else x for x in want]
    elif isinstance(want, float):
        assert abs(float(got) - want) < 1e-9, f"{where}: {got!r} != {want!r}"
        return
    assert got == want, f"{where}: {got!r} != {want!r}"


def edge_records(G):
    if G.is_multigraph():
        return [(k, u, v, dict(d)) for u, v, k, d in G.edges(keys=True, data=True)]
    return [(d["id"], u, v, dict(d)) for u, v, d in G.edges(data=True)]


def check_networkx(d, name, G, caption_key):
    nodes, edges = load(d)
    assert G.number_of_nodes() == len(nodes), f"{name}: {G.number_of_nodes()} nodes, want {len(nodes)}"
    assert G.number_of_edges() == len(edges), f"{name}: {G.number_of_edges()} edges, want {len(edges)}"
    for n in nodes:
        a = G.nodes[n["id"]]
        assert a["labels"] == n["labels"][0], f"{name} {n['id']}: labels {a.get('labels')!r}"
        assert caption_key in a, f"{name} {n['id']}: no {caption_key}"
        for k, v in n["properties"].items():
            same(a[k], v, f"{name} node {n['id']}.{k}")
        if n["labels"][0] == "Event" and "date" in n["properties"] and name.endswith("gexf"):
            assert str(a.get("start")) == n["properties"]["date"], f"{name} {n['id']}: start {a.get('start')!r}"
    by_id = {e["id"]: e for e in edges}
    for eid, u, v, a in edge_records(G):
        e = by_id[eid]
        assert (u, v) == (e["source"], e["target"]), f"{name} edge {eid}: ends"
        assert a["type"] == e["type"]
        for k, val in e["properties"].items():
            same(a[k], val, f"{name} edge {eid}.{k}")
    ok(f"{name}: NetworkX reads {len(nodes)} nodes, {len(edges)} edges, every attribute equal")


def check_dot(d, tag):
    nodes, edges = load(d)
    out = subprocess.run(["dot", "-Tjson", os.path.join(d, "graph.dot")], capture_output=True, check=True)
    g = json.loads(out.stdout)
    names = sorted(o["name"] for o in g.get("objects", []))
    assert names == sorted(n["id"] for n in nodes), f"{tag} dot: nodes {names}"
    assert len(g.get("edges", [])) == len(edges), f"{tag} dot: {len(g.get('edges', []))} edges"
    svg = subprocess.run(["dot", "-Tsvg", os.path.join(d, "graph.dot")], capture_output=True, check=True).stdout
    ET.fromstring(svg)
    root = ET.parse(os.path.join(d, "graph.svg")).getroot()
    drawn = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
    assert len(drawn) == len(nodes), f"{tag} svg: {len(drawn)} nodes drawn"
    ok(f"{tag} dot: Graphviz renders {len(names)} nodes and {len(edges)} edges; the svg export parses as XML with every node drawn")


CG = "urn:coopgraph:ns:"
PREFIXES = f"PREFIX cg: <{CG}> PREFIX schema: <https://schema.org/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "

MPS_SPARQL = PREFIXES + """
SELECT DISTINCT ?name WHERE {
  ?o a cg:Organization ; schema:name "Ministry of Public Security" ; cg:OF ?vn .
  ?vn schema:name "Vietnam" .
  ?o cg:PARTICIPATED_IN ?e .
  ?p cg:PARTICIPATED_IN ?e . FILTER(?p != ?o)
  { ?p a cg:Country . BIND(?p AS ?c) } UNION { ?p cg:OF ?c . ?c a cg:Country }
  ?c schema:name ?name .
}"""


def check_rdf(d, tag):
    nodes, edges = load(d)
    graphs = {}
    for fmt, file in [("nt", "graph.ntriples"), ("turtle", "graph.turtle")]:
        g = rdflib.Graph()
        g.parse(os.path.join(d, file), format=fmt)
        graphs[fmt] = g
        q = lambda s: int(list(g.query(PREFIXES + s))[0][0])
        n = q('SELECT (COUNT(DISTINCT ?s) AS ?c) WHERE { ?s a ?t . FILTER(STRSTARTS(STR(?s), "urn:coopgraph:node:")) }')
        e = q("SELECT (COUNT(?e) AS ?c) WHERE { ?e a cg:Relationship }")
        assert (n, e) == (len(nodes), len(edges)), f"{tag} {fmt}: SPARQL counts {n}, {e}"
        names = {str(r[0]) for r in g.query(PREFIXES + "SELECT ?n WHERE { ?s schema:name ?n }")}
        want = {v for x in nodes for k, v in x["properties"].items()
                if k == "name" or (k == "title" and x["labels"][0] == "Event")}
        assert want <= names, f"{tag} {fmt}: names missing {want - names}"
    assert len(graphs["nt"]) == len(graphs["turtle"]), f"{tag}: {len(graphs['nt'])} triples in N-Triples, {len(graphs['turtle'])} in Turtle"
    assert rdflib.compare.isomorphic(graphs["nt"], graphs["turtle"]), f"{tag}: N-Triples and Turtle differ"
    ok(f"{tag} rdf: rdflib parses N-Triples and Turtle ({len(graphs['nt'])} triples, isomorphic); SPARQL counts {len(nodes)} nodes, {len(edges)} relationships; names exact")
    return graphs["turtle"]


def chromium_dom(page, fragment):
    chrome = os.environ.get("CHROMIUM")
    profile = tempfile.mkdtemp(prefix="coopgraph-chromium-")
    try:
        out = subprocess.run(
            [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom",
             "file://" + os.path.abspath(page) + fragment],
            capture_output=True, timeout=180, check=True)
        return out.stdout.decode("utf-8")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def body_attr(dom, name):
    import re
    m = re.search(r"<body[^>]*\b" + name + r'="([^"]*)"', dom)
    return m.group(1) if m else None


def check_html(d, tag, evil):
    if not os.environ.get("CHROMIUM"):
        print(f"SKIP {tag} html: Chromium is not installed")
        return
    nodes, edges = load(d)
    docs = {n["id"]: n["properties"].get("text", "") for n in nodes if n["labels"][0] == "Document"}
    targets = [n for n in nodes if n.get("provenance")]
    if evil:
        targets = [n for n in nodes if n["id"] in ("n1", "n2", "n3")]
    for n in targets[:3]:
        dom = chromium_dom(os.path.join(d, "graph.html"), "#select=" + n["id"].replace(" ", "%20"))
        assert body_attr(dom, "data-ready") == "1", f"{tag} html: the page script did not finish"
        assert body_attr(dom, "data-nodes") == str(len(nodes)), f"{tag} html: data-nodes {body_attr(dom, 'data-nodes')}"
        assert body_attr(dom, "data-drawn") == str(len(nodes)), f"{tag} html: drawn {body_attr(dom, 'data-drawn')}"
        assert body_attr(dom, "data-edges") == str(len(edges))
        assert body_attr(dom, "data-pwned") is None, f"{tag} html: untrusted text ran as script"
        assert dom.lower().count("<script") == 3, f"{tag} html: {dom.lower().count('<script')} script elements"
        assert "<img" not in dom, f"{tag} html: untrusted text became an element"
        info = dom[dom.index('<aside id="info">'):]
        text = html.unescape(info)
        ev = n["provenance"][0]
        span = docs[ev["doc"]][ev["start"]:ev["end"]]
        assert span.strip() and span.strip() in text, f"{tag} html {n['id']}: source sentence {span!r} not shown"
        caption = n["properties"].get("name") or n["properties"].get("title") or n["id"]
        assert caption in text, f"{tag} html {n['id']}: caption not shown as text"
    ok(f"{tag} html: headless Chromium, offline, draws {len(nodes)} nodes; clicking shows the source sentence" +
       ("; hostile names and sentences stay text" if evil else ""))


KUZU_TYPES = {"string": "STRING", "long": "INT64", "double": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE", "string[]": "STRING[]"}


def header(f):
    with open(f, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def kuzu_load(csvdir, dbpath):
    """Loads a coopgraph CSV export into a new Kuzu database (the commands of docs/scaling-out.md)."""
    db = kuzu.Database(dbpath)
    c = kuzu.Connection(db)
    for f in sorted(glob.glob(os.path.join(csvdir, "nodes_*.csv"))):
        label = os.path.basename(f)[len("nodes_"):-len(".csv")]
        cols, load, ret = [], [], []
        for h in header(f):
            if h.endswith(":ID"):
                cols.append("cg_id STRING PRIMARY KEY"); load.append("cg_id STRING"); ret.append("cg_id")
            elif h == ":LABEL":
                cols.append("cg_label STRING"); load.append("cg_label STRING"); ret.append("cg_label")
            else:
                name, ty = h.rsplit(":", 1)
                cols.append(f"`{name}` {KUZU_TYPES[ty]}")
                if ty == "string[]":
                    load.append(f"`{name}` STRING")
                    ret.append(f"CASE WHEN `{name}` IS NULL OR `{name}` = '' THEN NULL ELSE string_split(`{name}`, ';') END")
                else:
                    load.append(f"`{name}` {KUZU_TYPES[ty]}")
                    ret.append(f"`{name}`")
        c.execute(f"CREATE NODE TABLE `{label}`({', '.join(cols)})")
        c.execute(f"COPY `{label}` FROM (LOAD WITH HEADERS ({', '.join(load)}) FROM '{f}' "
                  f"(header=true, parallel=false) RETURN {', '.join(ret)})")
    rels = {}
    for f in sorted(glob.glob(os.path.join(csvdir, "relationships_*.csv"))):
        ty, src, dst = os.path.basename(f)[len("relationships_"):-len(".csv")].rsplit("_", 2)
        rels.setdefault(ty, []).append((src, dst, f))
    for ty, files in rels.items():
        props = []
        for h in header(files[0][2])[2:]:
            name, t = (h.rsplit(":", 1) + [""])[:2] if ":" in h[1:] else (h, "string")
            if h == ":TYPE":
                props.append("cg_type STRING")
            elif name == "_id":
                props.append("cg_id STRING")
            else:
                props.append(f"`{name}` {KUZU_TYPES[t]}")
        pairs = ", ".join(f"FROM `{s}` TO `{t}`" for s, t, _ in files)
        c.execute(f"CREATE REL TABLE `{ty}`({pairs}, {', '.join(props)})")
        for s, t, f in files:
            c.execute(f"COPY `{ty}` FROM '{f}' (header=true, parallel=false, from='{s}', to='{t}')")
    return db, c


MPS_KUZU = """
MATCH (o:Organization {name: 'Ministry of Public Security'})-[:OF]->(:Country {name: 'Vietnam'}),
      (o)-[:PARTICIPATED_IN]->(:Event)<-[:PARTICIPATED_IN]-(c:Country)
RETURN DISTINCT c.name AS name
UNION
MATCH (o:Organization {name: 'Ministry of Public Security'})-[:OF]->(:Country {name: 'Vietnam'}),
      (o)-[:PARTICIPATED_IN]->(:Event)<-[:PARTICIPATED_IN]-(p)-[:OF]->(c:Country)
WHERE id(p) <> id(o)
RETURN DISTINCT c.name AS name
"""


def mps_from_dump(nodes, edges):
    """The answer computed from the JSON dump: countries that took part, directly or through
    an organisation or person of theirs, in events where Vietnam's MPS took part."""
    by = {n["id"]: n for n in nodes}
    name = lambda i: by[i]["properties"].get("name")
    of = [(e["source"], e["target"]) for e in edges if e["type"] == "OF"]
    mps = {o for o, c in of if by[o]["labels"][0] == "Organization" and name(o) == "Ministry of Public Security" and name(c) == "Vietnam"}
    part = [(e["source"], e["target"]) for e in edges if e["type"] == "PARTICIPATED_IN"]
    events = {t for s, t in part if s in mps}
    out = set()
    for s, t in part:
        if t in events and s not in mps:
            if by[s]["labels"][0] == "Country":
                out.add(name(s))
            out.update(name(c) for p, c in of if p == s)
    return out


def check_kuzu(d, tag, turtle):
    nodes, edges = load(d)
    tmp = tempfile.mkdtemp(prefix="coopgraph-kuzu-")
    try:
        db, c = kuzu_load(os.path.join(d, "csv"), os.path.join(tmp, "db"))
        count = lambda q: c.execute(q).get_next()[0]
        n, e = count("MATCH (n) RETURN count(n)"), count("MATCH ()-[r]->() RETURN count(r)")
        assert (n, e) == (len(nodes), len(edges)), f"{tag} kuzu: {n} nodes, {e} edges"
        r = c.execute("MATCH (n) RETURN n.cg_id, n")
        got = {}
        while r.has_next():
            i, props = r.get_next()
            got[i] = props
        for x in nodes:
            for k, v in x["properties"].items():
                g = got[x["id"]][k]
                if isinstance(v, list):
                    v = [p for item in v for p in item.split(";")]  # the array delimiter
                g = str(g) if k in ("date", "published") else g
                assert g == v or (isinstance(v, float) and abs(g - v) < 1e-9), f"{tag} kuzu {x['id']}.{k}: {g!r} != {v!r}"
        want = mps_from_dump(nodes, edges)
        r = c.execute(MPS_KUZU)
        answer = set()
        while r.has_next():
            answer.add(r.get_next()[0])
        assert answer == want, f"{tag} kuzu: MPS partners {sorted(answer)} != {sorted(want)} from the dump"
        sparql = {str(row[0]) for row in turtle.query(MPS_SPARQL)}
        assert sparql == want, f"{tag} rdf: MPS partners {sorted(sparql)} != {sorted(want)}"
        ok(f"{tag} csv: Kuzu loads {n} nodes and {e} relationships with equal properties; "
           f"countries with Vietnam's MPS: {sorted(answer)} (same from the JSON dump and SPARQL)")
        del c, db
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    seeds, evil = sys.argv[1], sys.argv[2]
    for d, tag in [(seeds, "seeds"), (evil, "evil")]:
        check_networkx(d, f"{tag} graphml", nx.read_graphml(os.path.join(d, "graph.graphml")), "label")
        check_networkx(d, f"{tag} gexf", nx.read_gexf(os.path.join(d, "graph.gexf")), "label")
        check_dot(d, tag)
        turtle = check_rdf(d, tag)
        check_kuzu(d, tag, turtle)
        check_html(d, tag, evil=(tag == "evil"))
    print(f"validate-exports: {len(CHECKS)} checks passed")


if __name__ == "__main__":
    main()
