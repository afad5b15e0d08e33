use super::*;
use std::io::Write;

fn items(paths: &[PathBuf]) -> Vec<Result<(String, String), (String, String)>> {
    Articles::new(paths, ReadOptions::default())
        .map(|i| match i {
            Item::Article(a, place) => Ok((a.id, place)),
            Item::Failed(place, e) => Err((place, e.to_string())),
        })
        .collect()
}

fn file_name(p: &str) -> String {
    Path::new(p)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_bad_jsonl_line_is_reported_with_its_number_and_the_rest_is_read() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.jsonl");
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(b"{\"id\":\"x\",\"text\":\"One.\"}\n").unwrap();
    f.write_all(b"{\"id\":\"bad\",\"text\":\"caf\xe9\"}\n")
        .unwrap(); // latin-1
    f.write_all(b"{\"id\":\"nul\",\"text\":\"a\0b\"}\n")
        .unwrap();
    f.write_all(b"not json\n\n").unwrap();
    f.write_all(b"{\"id\":\"notext\"}\r\n").unwrap();
    f.write_all(b"{\"text\":\"Last, without newline or id.\"}")
        .unwrap();
    drop(f);
    let got = items(std::slice::from_ref(&p));
    let place = |n: usize| format!("{}:{n}", p.display());
    assert_eq!(got[0], Ok(("x".into(), place(1))));
    assert_eq!(
        got[1],
        Err((
            place(2),
            "not UTF-8 text (invalid byte at offset 23)".into()
        ))
    );
    assert_eq!(
        got[2],
        Err((place(3), "not text (NUL byte at offset 21)".into()))
    );
    assert!(
        matches!(&got[3], Err((p4, m)) if *p4 == place(4) && m.starts_with("not a JSON object"))
    );
    assert_eq!(got[4], Err((place(6), "no `text`".into())));
    assert_eq!(got[5], Ok(("a:7".into(), place(7))));
    assert_eq!(got.len(), 6);
}

#[test]
fn an_overlong_line_is_skipped_and_the_next_line_is_read() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    f.write_all(b"{\"text\":\"").unwrap();
    f.write_all(&vec![b'a'; MAX_RECORD_BYTES + 10]).unwrap();
    f.write_all(b"\"}\n{\"id\":\"after\",\"text\":\"Fine.\"}\n")
        .unwrap();
    drop(f);
    let got = items(std::slice::from_ref(&p));
    assert_eq!(
        got,
        vec![
            Err((
                format!("{}:1", p.display()),
                InputError::TooLarge.to_string()
            )),
            Ok(("after".into(), format!("{}:2", p.display())))
        ]
    );
}

#[test]
fn missing_paths_special_files_and_link_loops_are_reported_among_the_articles() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("in");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("a.txt"), "An article.").unwrap();
    std::fs::write(root.join("sub/b.md"), "Another.").unwrap();
    std::fs::write(root.join("sub/empty.txt"), "  \n").unwrap();
    std::fs::write(root.join("skip.png"), "not read").unwrap();
    std::os::unix::fs::symlink(".", root.join("sub/self")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("sub", root.join("twin")).unwrap();
    let fifo = root.join("pipe.txt");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let missing = d.path().join("nope.txt");
    let got = items(&[missing.clone(), root.clone(), PathBuf::from("/dev/zero")]);
    let names: Vec<_> = got
        .iter()
        .map(|r| match r {
            Ok((id, _)) => format!("ok {id}"),
            Err((p, m)) => format!("{}: {m}", file_name(p)),
        })
        .collect();
    assert_eq!(
        names,
        vec![
            "nope.txt: no such file or directory".to_string(),
            "ok a".into(),
            "pipe.txt: not a regular file (a FIFO); only files and directories are read".into(),
            "ok b".into(),
            "empty.txt: empty".into(),
            "self: symbolic link loop (directory already being read), not followed".into(),
            "up: symbolic link loop (directory already being read), not followed".into(),
            "zero: not a regular file (a character device); only files and directories are read"
                .into(),
        ]
    );
}

#[test]
fn metadata_fills_what_an_article_lacks() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.txt"), "Text.").unwrap();
    let meta = d.path().join("meta.jsonl");
    std::fs::write(
        &meta,
        "{\"id\":\"a\",\"published\":\"2024-05-06\",\"title\":\"T\"}\n",
    )
    .unwrap();
    let opts = ReadOptions {
        published: NaiveDate::from_ymd_opt(2020, 1, 1),
        meta: Some(Meta::read(&meta).unwrap()),
        ..ReadOptions::default()
    };
    let got: Vec<Item> = Articles::new(&[d.path().join("a.txt")], opts).collect();
    let Item::Article(a, _) = &got[0] else {
        panic!("{got:?}")
    };
    assert_eq!(a.published, NaiveDate::from_ymd_opt(2024, 5, 6));
    assert_eq!(a.title.as_deref(), Some("T"));
    std::fs::write(&meta, "{\"id\":\"a\",\"published\":\"May\"}\n").unwrap();
    let e = Meta::read(&meta).unwrap_err();
    assert_eq!(e.place, format!("{}:1", meta.display()));
}

#[test]
fn dates_are_read_from_article_urls() {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(
        date_in_url("https://www.example.com/news/2022/08/16/police/23135"),
        d(2022, 8, 16)
    );
    assert_eq!(
        date_in_url("http://example.cn/2018-05/14/content_28783615.htm"),
        d(2018, 5, 14)
    );
    assert_eq!(
        date_in_url("https://example.org/2025/01/japan-grant/"),
        None
    );
    assert_eq!(date_in_url("https://example.org/2025/13/45/x"), None);
    assert_eq!(date_in_url("https://example.org/item-12019-05-14"), None);
}

#[test]
fn directories_read_only_articles_and_report_the_rest_by_kind() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    std::fs::create_dir_all(root.join("notes")).unwrap();
    for (name, text) in [
        ("a.txt", "One."),
        ("B.MD", "Two."),
        ("SOURCES.md", "a list of sources"),
        ("README", "about"),
        ("scan.pdf", "%PDF"),
        ("photo.png", "png"),
        (".hidden.txt", "x"),
        ("notes/c.text", "Three."),
        ("notes/d.txt", "Four."),
    ] {
        std::fs::write(root.join(name), text).unwrap();
    }
    let read = |include: &[&str], exclude: &[&str]| {
        let s = |v: &[&str]| v.iter().map(|g| g.to_string()).collect::<Vec<_>>();
        let opts = ReadOptions {
            select: Selection::new(&s(include), &s(exclude)).unwrap(),
            ..ReadOptions::default()
        };
        let arts = Articles::new(&[root.to_path_buf()], opts);
        let skipped = arts.skipped();
        let ids: Vec<String> = arts
            .map(|i| match i {
                Item::Article(a, _) => a.id,
                Item::Failed(p, e) => format!("failed {p}: {e}"),
            })
            .collect();
        (ids, skipped.summary())
    };
    let (ids, summary) = read(&[], &[]);
    assert_eq!(ids, ["B", "a", "d"]);
    assert_eq!(
        summary.unwrap(),
        "not read: 6 files — 1 named like README, SOURCES or LICENSE (SOURCES.md), \
         1 hidden (.hidden.txt), 1 without an extension (README), 1 .pdf (scan.pdf), \
         1 .png (photo.png), 1 .text (c.text); --include GLOB reads such files"
    );
    // --include reads a file of no article kind as text; --exclude wins over it.
    let (ids, _) = read(&["notes/*.text", "SOURCES.md"], &["**/d.txt", "SOURCES.md"]);
    assert_eq!(ids, ["B", "a", "c"]);
    // A file named directly is read whatever its name.
    let named = Articles::new(&[root.join("SOURCES.md")], ReadOptions::default()).count();
    assert_eq!(named, 1);
}

#[test]
fn a_headline_line_is_the_title_unless_one_is_given() {
    assert_eq!(
        headline("Vietnam, Laos sign pact\nHANOI – The two countries signed.").as_deref(),
        Some("Vietnam, Laos sign pact")
    );
    // A sentence, a date line, a lone line, a one-word line: no headline.
    assert_eq!(
        headline("Vietnam and Laos signed a pact.\nMore text."),
        None
    );
    assert_eq!(
        headline(" date 2021-02-28 New Delhi\n\nThe talks were held."),
        None
    );
    assert_eq!(headline("Vietnam, Laos sign pact"), None);
    assert_eq!(headline("Breaking\nNews."), None);
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("a.txt"),
        "Vietnam, Laos sign pact\nHANOI – Signed.",
    )
    .unwrap();
    let meta = d.path().join("meta.jsonl");
    std::fs::write(&meta, "{\"id\":\"a\",\"title\":\"Given title\"}\n").unwrap();
    let title = |opts: ReadOptions| match Articles::new(&[d.path().join("a.txt")], opts).next() {
        Some(Item::Article(a, _)) => a.title,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        title(ReadOptions::default()).as_deref(),
        Some("Vietnam, Laos sign pact")
    );
    let opts = ReadOptions {
        meta: Some(Meta::read(&meta).unwrap()),
        ..ReadOptions::default()
    };
    assert_eq!(title(opts).as_deref(), Some("Given title"));
}
