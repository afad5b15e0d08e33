-- Four of examples/questions.cql in Spark SQL, over the tables of
-- `coopgraph export --format parquet -o DIR`, each registered as a view named after its
-- file (nodes_Country, edges_OF, nodes, edges, …) by spark/questions.py, which runs them.
-- Each statement follows a `-- name:` line; `:country` is a named parameter.
-- Cypher semantics kept: within one MATCH the two PARTICIPATED_IN relationships are
-- distinct; OPTIONAL MATCH is a LEFT JOIN; Cypher sorts nulls last.

-- name: Q1
-- The canonical question: which countries cooperated with :country's Ministry of Public
-- Security on cybercrime or a narrower topic? A country takes part in an event itself
-- or through its organisations and people.
WITH RECURSIVE under_topic(id) AS (
    SELECT _id FROM nodes_Topic WHERE name = 'cybercrime'
    UNION ALL
    SELECT b._src FROM under_topic u JOIN edges_BROADER b ON b._dst = u.id
),
mps AS (
    SELECT o._id
    FROM nodes_Organization o
    JOIN edges_OF f ON f._src = o._id
    JOIN nodes_Country c ON c._id = f._dst
    WHERE o.name = 'Ministry of Public Security' AND c.name = :country
),
mps_events AS (
    SELECT p1._id AS rel, p1._dst AS e
    FROM mps
    JOIN edges_PARTICIPATED_IN p1 ON p1._src = mps._id
    JOIN nodes_Event ev ON ev._id = p1._dst
    WHERE EXISTS (
        SELECT 1 FROM edges_ABOUT a JOIN under_topic u ON u.id = a._dst
        WHERE a._src = p1._dst)
),
participants AS (
    SELECT m.e, p2._src AS x
    FROM mps_events m
    JOIN edges_PARTICIPATED_IN p2 ON p2._dst = m.e AND p2._id <> m.rel
),
homes AS (
    SELECT h._src AS x, k.name
    FROM edges_OF h JOIN nodes_Country k ON k._id = h._dst
),
countries AS (
    SELECT p.e, CASE WHEN xc._id IS NOT NULL THEN xc.name ELSE home.name END AS country
    FROM participants p
    LEFT JOIN nodes_Country xc ON xc._id = p.x
    LEFT JOIN homes home ON home.x = p.x
)
SELECT country, count(DISTINCT e) AS events
FROM countries
WHERE country <> :country
GROUP BY country
ORDER BY country;

-- name: Q3
-- Which agreements were signed, and by which parties?
SELECT a.title AS agreement, a.date AS signed,
       get_json_object(n._properties, '$.name') AS party, n._label AS party_is
FROM nodes_Agreement a
LEFT JOIN edges_PARTY_TO p ON p._dst = a._id
LEFT JOIN nodes n ON n._id = p._src
WHERE a.status = 'signed'
ORDER BY agreement NULLS LAST, party_is NULLS LAST, party NULLS LAST;

-- name: Q9
-- Which topics were discussed most (events per topic)?
SELECT t.name AS topic, count(DISTINCT e._id) AS events
FROM nodes_Event e
JOIN edges_ABOUT a ON a._src = e._id
JOIN nodes_Topic t ON t._id = a._dst
GROUP BY t.name
ORDER BY events DESC, topic NULLS LAST
LIMIT 10;

-- name: Q12
-- Which topics sit under transnational crime in the topic hierarchy, and how many
-- steps down (the shortest way)?
WITH RECURSIVE down(id, steps) AS (
    SELECT b._src, 1
    FROM edges_BROADER b JOIN nodes_Topic r ON r._id = b._dst
    WHERE r.name = 'transnational crime'
    UNION ALL
    SELECT b._src, d.steps + 1
    FROM down d JOIN edges_BROADER b ON b._dst = d.id
)
SELECT t.name AS topic, min(d.steps) AS steps
FROM down d JOIN nodes_Topic t ON t._id = d.id
GROUP BY t.name
ORDER BY steps, topic NULLS LAST;

-- name: bench_Q2
-- The canonical question as ../shared/bench/README.md writes it (its Q2, beside Kuzu and
-- coopgraph): BROADER*0..3, and a participant counts through the country it is OF.
WITH RECURSIVE under_topic(id, depth) AS (
    SELECT _id, 0 FROM nodes_Topic WHERE name = 'cybercrime'
    UNION ALL
    SELECT b._src, u.depth + 1
    FROM under_topic u JOIN edges_BROADER b ON b._dst = u.id
    WHERE u.depth < 3
),
mps AS (
    SELECT o._id
    FROM nodes_Organization o
    JOIN edges_OF f ON f._src = o._id
    JOIN nodes_Country c ON c._id = f._dst
    WHERE o.name = 'Ministry of Public Security' AND c.name = :country
),
mps_events AS (
    SELECT p1._id AS rel, p1._dst AS e
    FROM mps
    JOIN edges_PARTICIPATED_IN p1 ON p1._src = mps._id
    JOIN nodes_Event ev ON ev._id = p1._dst
    WHERE EXISTS (
        SELECT 1 FROM edges_ABOUT a JOIN under_topic u ON u.id = a._dst
        WHERE a._src = p1._dst)
)
SELECT DISTINCT c.name AS country
FROM mps_events m
JOIN edges_PARTICIPATED_IN p2 ON p2._dst = m.e AND p2._id <> m.rel
JOIN edges_OF f ON f._src = p2._src
JOIN nodes_Country c ON c._id = f._dst
WHERE c.name <> :country
ORDER BY country;
