//! Graphviz DOT, with readable captions and nodes shaped and coloured by label; and SVG,
//! rendered from it by Graphviz's `dot` program when it is installed.

use super::{caption, label_name, type_name, write_output_to, ExportError, Selection};
use crate::graph::Graph;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Longest caption drawn, in characters; longer ones are cut with "…" (the full text
/// is in the tooltip).
const MAX_CAPTION: usize = 48;

/// The shape and fill colour of a label's nodes.
pub fn style(label: &str) -> (&'static str, &'static str) {
    match label {
        "Country" => ("box", "#8ecae6"),
        "Organization" => ("box", "#ffb703"),
        "Person" => ("ellipse", "#90be6d"),
        "Event" => ("hexagon", "#f28482"),
        "Agreement" => ("note", "#cdb4db"),
        "Topic" => ("ellipse", "#e9edc9"),
        "Place" => ("house", "#a3c4f3"),
        "Document" => ("folder", "#dddddd"),
        _ => ("ellipse", "#ffffff"),
    }
}

/// Writes `s` as a double-quoted DOT string: `\` and `"` escaped, line breaks as `\n`
/// (a centred line), other control characters as spaces, and the noncharacters U+FFFE and
/// U+FFFF (which Graphviz copies into SVG, where XML forbids them) as U+FFFD. Nothing in
/// `s` can end the string or add attributes.
pub fn write_string(w: &mut dyn Write, s: &str) -> io::Result<()> {
    super::write_escaped(w, s, b"\"", |c| match c {
        '\\' => Some("\\\\".into()),
        '"' => Some("\\\"".into()),
        '\n' => Some("\\n".into()),
        c if c.is_control() => Some(" ".into()),
        '\u{FFFE}' | '\u{FFFF}' => Some("\u{FFFD}".into()),
        _ => None,
    })
}

fn shorten(s: &str) -> String {
    if s.chars().count() > MAX_CAPTION {
        let mut t: String = s.chars().take(MAX_CAPTION - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

/// Writes the selection as a DOT digraph.
pub fn write(w: &mut dyn Write, g: &Graph, sel: &Selection) -> io::Result<()> {
    w.write_all(
        b"digraph coopgraph {\n\
  graph [rankdir=LR, overlap=false, fontname=\"Helvetica\"];\n\
  node [style=\"filled\", fontname=\"Helvetica\", fontsize=10];\n\
  edge [fontname=\"Helvetica\", fontsize=8, color=\"#777777\"];\n",
    )?;
    for n in sel.node_recs(g) {
        let label = label_name(g, n);
        let (shape, color) = style(label);
        let cap = caption(g, n);
        w.write_all(b"  ")?;
        write_string(w, &g.node_id_text(n.id))?;
        w.write_all(b" [label=")?;
        write_string(w, &shorten(&cap))?;
        write!(w, ", shape={shape}, fillcolor=\"{color}\", tooltip=")?;
        write_string(w, &format!("{label}: {cap}"))?;
        w.write_all(b"];\n")?;
    }
    for e in sel.edge_recs(g) {
        w.write_all(b"  ")?;
        write_string(w, &g.node_id_text(e.src))?;
        w.write_all(b" -> ")?;
        write_string(w, &g.node_id_text(e.dst))?;
        let mut label = type_name(g, e.ty).to_string();
        for (_, v) in super::named_props(g, &e.attrs.props) {
            label.push('\n');
            label.push_str(&shorten(&v.to_string()));
        }
        w.write_all(b" [label=")?;
        write_string(w, &label)?;
        w.write_all(b"];\n")?;
    }
    w.write_all(b"}\n")
}

/// Renders the selection to SVG with Graphviz's `dot` and writes it atomically (or to
/// standard output). Without `dot` on the PATH, says how to get it.
pub fn export_svg(
    g: &Graph,
    path: Option<&Path>,
    sel: &Selection,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let mut text = Vec::new();
    write(&mut text, g, sel).expect("writing to a Vec");
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(ExportError::Refused(
                "svg export needs Graphviz's `dot` program, which is not on the PATH: install \
                 Graphviz (apt-get install graphviz, brew install graphviz) or export \
                 --format dot and render it elsewhere"
                    .into(),
            ))
        }
        Err(e) => {
            return Err(ExportError::Refused(format!(
                "cannot run Graphviz's dot: {e}"
            )))
        }
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || stdin.write_all(&text));
    let mut stderr = child.stderr.take().expect("piped stderr");
    let errs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut svg = Vec::new();
    let read = stdout.read_to_end(&mut svg);
    let status = child.wait();
    let _ = feeder.join();
    let errs = errs.join().unwrap_or_default();
    match (read, status) {
        (Ok(_), Ok(s)) if s.success() => write_output_to(path, out, |w| w.write_all(&svg)),
        (_, Ok(s)) => Err(ExportError::Refused(format!(
            "Graphviz's dot failed ({s}): {}",
            errs.trim()
        ))),
        (Err(e), _) | (_, Err(e)) => {
            Err(ExportError::Refused(format!("Graphviz's dot failed: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write_string;

    #[test]
    fn strings_cannot_break_out() {
        let mut v = Vec::new();
        write_string(&mut v, "\"]; evil [label=\"x\\\nend").unwrap();
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "\"\\\"]; evil [label=\\\"x\\\\\\nend\""
        );
    }

    #[test]
    fn characters_xml_forbids_do_not_reach_the_svg() {
        let mut v = Vec::new();
        write_string(&mut v, "a\u{FFFE}b\u{FFFF}c\u{7}d\u{9C}e").unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), "\"a\u{FFFD}b\u{FFFD}c d e\"");
    }
}
