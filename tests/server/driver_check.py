"""Drives `coopgraph serve` with the official neo4j Python driver (tests/server.rs runs it).

Usage: driver_check.py BOLT_URI QUESTION_FILE EXPECTED_JSON [MINOR]
QUESTION_FILE holds one Cypher statement (the canonical cooperation question); EXPECTED_JSON
is what `coopgraph query --format json` answered for it. With MINOR (e.g. 4), the driver
offers Bolt 5.0 to 5.MINOR only, and the server must agree on 5.MINOR; without it, the
driver offers what it speaks (5.8 for 5.28) and the server must agree on 5.8. Prints "ok"
and exits 0 when every check passes; an assertion error otherwise.
"""
import datetime
import json
import sys

import neo4j
from neo4j import GraphDatabase
from neo4j.graph import Node, Path, Relationship

uri, question_file, expected_file = sys.argv[1:4]
want_minor = int(sys.argv[4]) if len(sys.argv) > 4 else 8
if len(sys.argv) > 4:
    # The driver's proposals: 5.0-5.MINOR only (four 4-byte proposals, the rest empty).
    from neo4j._sync.io._bolt import Bolt
    Bolt.get_handshake = classmethod(
        lambda cls: bytes((0, want_minor, want_minor, 5)) + bytes(12))
question = open(question_file, encoding="utf-8").read()
expected = json.load(open(expected_file, encoding="utf-8"))

with GraphDatabase.driver(uri, auth=("neo4j", "unused"), fetch_size=7) as driver:
    driver.verify_connectivity()
    info = driver.get_server_info()
    assert "coopgraph" in info.agent, info.agent
    assert info.protocol_version == (5, want_minor), info.protocol_version

    with driver.session() as s:
        # The canonical question answers through Bolt as through the CLI.
        got = [dict(r) for r in s.run(question)]
        assert got == expected, (got, expected)
        assert got, "the question found no country"

        # Parameters, and each value type as the driver's own type.
        rec = s.run(
            "MATCH (o:Organization {name: $org})-[r:OF]->(c:Country) "
            "RETURN o, r, c, c.name AS name, [1, 'two', null] AS l, {k: $n} AS m, "
            "date('2024-03-01') AS d, null AS nothing, $day AS day",
            org="Ministry of Public Security", n=2.5, day=datetime.date(2023, 5, 10),
        ).single()
        assert isinstance(rec["o"], Node) and rec["o"].labels == {"Organization"}, rec["o"]
        assert rec["o"]["name"] == "Ministry of Public Security"
        assert rec["o"].element_id.startswith("n"), rec["o"].element_id
        assert isinstance(rec["r"], Relationship) and rec["r"].type == "OF"
        assert rec["r"].start_node.element_id == rec["o"].element_id
        assert rec["r"].end_node.element_id == rec["c"].element_id
        assert rec["name"] == "Vietnam"
        assert rec["l"] == [1, "two", None]
        assert rec["m"] == {"k": 2.5}
        assert rec["d"] == neo4j.time.Date(2024, 3, 1), repr(rec["d"])
        assert rec["d"].to_native() == datetime.date(2024, 3, 1)
        assert rec["nothing"] is None
        assert rec["day"].to_native() == datetime.date(2023, 5, 10)

        # A path, walked against a relationship's direction too.
        p = s.run(
            "MATCH p = (c:Country {name: 'Vietnam'})<-[:OF]-(o:Organization)-[:PARTICIPATED_IN]->(e:Event) "
            "RETURN p LIMIT 1"
        ).single()["p"]
        assert isinstance(p, Path) and len(p) == 2, p
        assert p.start_node["name"] == "Vietnam"
        assert [r.type for r in p.relationships] == ["OF", "PARTICIPATED_IN"]
        assert p.relationships[0].start_node.element_id == p.nodes[1].element_id

        # sources() gives the evidence as maps.
        src = s.run(
            "MATCH (o:Organization {name: 'Ministry of Public Security'}) RETURN sources(o) AS s"
        ).single()["s"]
        assert src and set(src[0]) == {"document", "title", "published", "start", "end", "sentence"}, src
        assert src[0]["start"] < src[0]["end"] and src[0]["sentence"]

        # More rows than one PULL fetches (fetch_size 7): has_more, then the rest.
        assert [r["i"] for r in s.run("UNWIND range(1, 100) AS i RETURN i")] == list(range(1, 101))
        # A result left unconsumed is discarded by the next query.
        s.run("UNWIND range(1, 50) AS i RETURN i")
        assert s.run("RETURN 1 AS one").single()["one"] == 1

        # Errors carry Neo4j's status codes and the caret message.
        try:
            s.run("MATCH (n RETURN n").consume()
            raise AssertionError("no syntax error")
        except neo4j.exceptions.CypherSyntaxError as e:
            assert e.code == "Neo.ClientError.Statement.SyntaxError", e.code
            assert "^" in e.message and "line 1, column 10" in e.message, e.message
        try:
            s.run("RETURN $missing").consume()
            raise AssertionError("no error for a missing parameter")
        except neo4j.exceptions.ClientError as e:
            assert e.code == "Neo.ClientError.Statement.ParameterMissing", e.code
        try:
            s.run("RETURN toLower(1)").consume()
            raise AssertionError("no type error")
        except neo4j.exceptions.CypherTypeError as e:
            assert e.code == "Neo.ClientError.Statement.TypeError", e.code
        # From 5.7, errors carry a GQL status too, and the Neo4j code stays.
        if want_minor >= 7:
            try:
                s.run("RETURN toLower(1)").consume()
            except neo4j.exceptions.CypherTypeError as e:
                assert e.gql_status == "22G03", e.gql_status
                assert e.gql_classification == neo4j.exceptions.GqlErrorClassification.CLIENT_ERROR
                assert e.__cause__ is not None and e.__cause__.gql_status == "22N01", e.__cause__
            try:
                s.run("MATCH (n RETURN n").consume()
            except neo4j.exceptions.CypherSyntaxError as e:
                assert e.gql_status == "42001", e.gql_status
                pos = e.diagnostic_record["_position"]
                assert (pos["line"], pos["column"], pos["offset"]) == (1, 10, 9), pos

        # A schema warning arrives as a notification (from 5.5 a GQL status object).
        summary = s.run("MATCH (n:Countree) RETURN n").consume()
        notes = summary.summary_notifications
        assert [n.code for n in notes] == ["Neo.ClientNotification.Statement.UnknownLabelWarning"], notes
        assert "Countree" in notes[0].title and notes[0].severity_level == neo4j.NotificationSeverity.WARNING
        if want_minor >= 5:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                codes = [st.gql_status for st in summary.gql_status_objects]
            assert codes == ["02000", "01N50"] or sorted(codes) == ["01N50", "02000"], codes
        # A name typed without its diacritics: a warning that shows the fold() form.
        summary = s.run("MATCH (p:Person {name: 'Luong Tam Quang'}) RETURN p").consume()
        notes = summary.summary_notifications
        assert [n.code for n in notes] == ["Neo.ClientNotification.Statement.FoldedNameWarning"], notes
        assert "fold(p.name) = fold('Luong Tam Quang')" in notes[0].description, notes[0]
        if want_minor >= 5:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                codes = sorted(st.gql_status for st in summary.gql_status_objects)
            assert codes == ["01N99", "02000"], codes
        # A result's bookmark names the database's commit number.
        assert summary.metadata.get("bookmark", "").startswith("coopgraph:"), summary.metadata
        assert summary.metadata["bookmark"] != "coopgraph:read-only"

        # The session goes on after errors (RESET).
        assert s.run("RETURN 2 AS two").single()["two"] == 2

    # Managed and explicit transactions.
    def countries(tx, prefix):
        return [r["n"] for r in tx.run(
            "MATCH (c:Country) WHERE c.name STARTS WITH $p RETURN c.name AS n ORDER BY n", p=prefix)]

    with driver.session() as s:
        names = s.execute_read(countries, "V")
        assert names == ["Vietnam"], names
        with s.begin_transaction() as tx:
            a = tx.run("RETURN 1 AS x").single()["x"]
            b = tx.run("UNWIND range(1, 20) AS i RETURN i")
            assert sum(r["i"] for r in b) == 210 and a == 1
            tx.commit()
        with s.begin_transaction() as tx:
            tx.run("RETURN 1").consume()
            tx.rollback()
        marks = s.last_bookmarks()
        assert marks is not None and all(b.startswith("coopgraph:") for b in marks.raw_values), marks
        # A session started from those bookmarks begins at once (BEGIN with bookmarks).
        with driver.session(bookmarks=marks) as s2:
            assert s2.execute_read(countries, "V") == ["Vietnam"]
        # A bookmark from a later state than the database has is refused.
        try:
            with driver.session(bookmarks=neo4j.Bookmarks.from_raw_values(["coopgraph:999999"])) as s3:
                s3.run("RETURN 1").consume()
            raise AssertionError("a bookmark from the future was accepted")
        except neo4j.exceptions.ClientError as e:
            assert e.code == "Neo.ClientError.Transaction.InvalidBookmark", e.code

    # execute_query, the driver's one-call API.
    records, summary, keys = driver.execute_query("MATCH (c:Country) RETURN count(c) AS n")
    assert keys == ["n"] and records[0]["n"] > 0

# neo4j:// asks for a routing table (ROUTE) first.
with GraphDatabase.driver(uri.replace("bolt://", "neo4j://"), auth=("neo4j", "unused")) as driver:
    records, _, _ = driver.execute_query("RETURN 41 + 1 AS n", routing_="r")
    assert records[0]["n"] == 42

print("ok")
