//! Hostile text in every output: bidi controls, a Markdown link, an escape sequence
//! that clears the screen. The contract site is run offline with a client and a site
//! name carrying them, writing every format at once.

use crate::util::{fedcheck, repo};
use std::path::Path;

const BIDI: [char; 12] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}',
    '\u{061C}',
];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

struct Outputs {
    stdout: String,
    html: String,
    md: String,
    junit: String,
    json: String,
}

fn run_hostile() -> Outputs {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo("tests/fixtures/contract"), dir.path());
    let inv = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&inv).unwrap();
    // Every bidi control, a live-link attempt, backticks and an ANSI clear-screen.
    let bidi: String = BIDI.iter().map(|c| format!("\\u{:04X}", *c as u32)).collect();
    let client = format!("[click](javascript:alert(1)) `x` |pipe| <b> \\u001b[2J{bidi}liaf");
    let text = text.replacen("name = \"Synergy HQ\"", &format!("name = \"Synergy {bidi}QH [site](http://evil) \\u001b[2J\""), 1).replacen(
        "{ name = \"jabber-mac\", version = \"14.1\" }",
        &format!("{{ name = \"{client}\", version = \"14.1\" }}"),
        1,
    );
    assert!(text.contains("javascript:"));
    std::fs::write(&inv, text).unwrap();
    let out = |n: &str| dir.path().join(n);
    let assert = fedcheck()
        .args(["run", "--offline", "-v", "-i"])
        .arg(&inv)
        .arg("--html")
        .arg(out("r.html"))
        .arg("--markdown")
        .arg(out("r.md"))
        .arg("--junit")
        .arg(out("r.xml"))
        .arg("--json")
        .arg(out("r.json"))
        .assert();
    let o = assert.get_output();
    assert!(matches!(o.status.code(), Some(0 | 3 | 4)), "{:?}\n{}", o.status.code(), String::from_utf8_lossy(&o.stderr));
    let read = |n: &str| std::fs::read_to_string(out(n)).unwrap();
    Outputs {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        html: read("r.html"),
        md: read("r.md"),
        junit: read("r.xml"),
        json: read("r.json"),
    }
}

fn no_bidi_or_controls(name: &str, text: &str) {
    for c in BIDI {
        assert!(!text.contains(c), "{name}: U+{:04X} reached the output", c as u32);
    }
    let bad: Vec<char> = text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')).collect();
    assert!(bad.is_empty(), "{name}: control characters {bad:?}");
}

#[test]
fn every_output_neutralises_bidi_controls_and_markup() {
    let o = run_hostile();
    for (name, text) in [("terminal", &o.stdout), ("html", &o.html), ("markdown", &o.md), ("junit", &o.junit), ("json", &o.json)] {
        no_bidi_or_controls(name, text);
        // The quoted text is there, visibly (as an escape), not dropped.
        assert!(text.contains("liaf"), "{name}: the client name is missing");
    }
    // The terminal shows the escape sequence as text.
    assert!(o.stdout.contains("\\u{1b}[2J") || !o.stdout.contains("[2J"), "{}", o.stdout);

    // JSON: the value is intact for a parser (escaped as \u), so diff still matches.
    let v: serde_json::Value = serde_json::from_str(&o.json).unwrap();
    assert!(v["site"].as_str().unwrap().contains('\u{202E}'));
    assert!(o.json.contains("\\u202e"));

    // Markdown: no live link, no code span opened by the name, no table broken.
    assert!(!o.md.contains("[click](javascript"), "{}", o.md);
    assert!(!o.md.contains("[site](http"), "{}", o.md);
    assert!(o.md.contains("\\[click\\]\\(javascript:alert\\(1\\)\\)"), "{}", o.md);
    assert!(o.md.contains("\\|pipe\\|"), "{}", o.md);
    assert!(o.md.contains("\\`x\\`"), "{}", o.md);
    // HTML: the bidi controls are shown, never applied.
    assert!(o.html.contains("\\u{202e}"), "no visible escape in the HTML");
    assert!(o.junit.contains("\\u{202e}"));
}
