//! Keeping an untrusted inventory's file references inside one folder.
//!
//! A bundled inventory is written by whoever made the archive. Followed as is on the
//! analyst's machine, `trust_store = "/dev/zero"` grows without bound, a FIFO blocks,
//! and `../../etc/passwd` as evidence gets read and quoted.

use super::locate::Seg;
use super::model::Inventory;
use super::validate::Validator;
use super::InventoryError;
use std::path::{Component, Path};

/// Every file the inventory names: where it is named, the path, whether a folder is
/// acceptable (trust stores may be folders of CA files).
type Reference<'a> = (Vec<Seg<'static>>, &'a Path, bool);

fn references(inv: &Inventory) -> Vec<Reference<'_>> {
    let mut out: Vec<Reference<'_>> = Vec::new();
    fn push<'a>(out: &mut Vec<Reference<'a>>, at: Vec<Seg<'static>>, p: Option<&'a std::path::PathBuf>, folder: bool) {
        if let Some(p) = p {
            out.push((at, p.as_path(), folder));
        }
    }
    let c = &inv.cisco;
    push(&mut out, vec![Seg::Key("cisco"), Seg::Key("trust_store")], c.trust_store.as_ref(), true);
    push(&mut out, vec![Seg::Key("cisco"), Seg::Key("client_cert")], c.client_cert.as_ref(), false);
    push(&mut out, vec![Seg::Key("cisco"), Seg::Key("client_key")], c.client_key.as_ref(), false);
    for (i, node) in c.nodes.iter().enumerate() {
        for (kind, p) in node.evidence.named() {
            out.push((vec![Seg::Key("cisco"), Seg::Key("nodes"), Seg::Index(i), Seg::Key("evidence"), Seg::Key(kind.key)], p, false));
        }
    }
    let m = &inv.microsoft;
    push(&mut out, vec![Seg::Key("microsoft"), Seg::Key("trust_store")], m.trust_store.as_ref(), true);
    for (kind, p) in m.evidence.named() {
        out.push((vec![Seg::Key("microsoft"), Seg::Key("evidence"), Seg::Key(kind.key)], p, false));
    }
    out
}

/// Refuses the first reference that is absolute, climbs with `..`, passes through a
/// symbolic link, leaves `root`, or is not a regular file (or folder where allowed).
pub(super) fn check(inv: &Inventory, text: &str, file: &Path, base: &Path, root: &Path) -> Result<(), InventoryError> {
    let v = Validator::new(text, file);
    for (at, rel, folder) in references(inv) {
        let shown = crate::escape::line(&rel.display().to_string());
        let refuse = |why: &str| {
            Err(v.error(&at, format!("`{shown}`: {why}"), Some("a bundled inventory may only name files inside the bundle".into())))
        };
        let mut parts = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(p) => parts.push(p),
                Component::CurDir => {}
                Component::ParentDir => return refuse("`..` in a path"),
                Component::RootDir | Component::Prefix(_) => return refuse("an absolute path"),
            }
        }
        if parts.is_empty() {
            return refuse("an empty path");
        }
        if !base.starts_with(root) {
            return refuse("the inventory is outside the bundle folder");
        }
        // Walk from the inventory's folder, refusing links at every step.
        let mut at_path = base.to_path_buf();
        for (i, p) in parts.iter().enumerate() {
            at_path.push(p);
            let meta = match std::fs::symlink_metadata(&at_path) {
                Ok(m) => m,
                Err(_) => return refuse("not in the bundle"),
            };
            let last = i + 1 == parts.len();
            let ft = meta.file_type();
            if ft.is_symlink() {
                return refuse("a symbolic link");
            }
            if !last && !ft.is_dir() {
                return refuse("not in the bundle");
            }
            if last && !(ft.is_file() || (folder && ft.is_dir())) {
                return refuse("not a regular file");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(extra: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("inv/ev")).unwrap();
        std::fs::write(dir.path().join("inv/ev/svc.txt"), "x").unwrap();
        std::fs::write(dir.path().join("outside.txt"), "x").unwrap();
        let text = format!(
            "[site]\nname = \"s\"\npresence_domains = [\"a.com\"]\n[cisco]\nimp_version = \"14.0\"\n{extra}\n[microsoft]\nplatform = \"sfb2015\"\n"
        );
        let path = dir.path().join("inv/site.toml");
        (dir, path, text)
    }

    fn run(extra: &str) -> Result<(), InventoryError> {
        let (dir, path, text) = inv(extra);
        let parsed = super::super::parse(&text, &path)?;
        check(&parsed, &text, &path, &dir.path().join("inv"), &dir.path().join("inv"))
    }

    #[test]
    fn only_regular_files_inside_the_folder() {
        run("trust_store = \"ev\"").unwrap();
        run("client_cert = \"ev/svc.txt\"").unwrap();
        run("client_cert = \"./ev/svc.txt\"").unwrap();
        for (bad, why) in [
            ("trust_store = \"/dev/zero\"", "absolute"),
            ("client_cert = \"/etc/hostname\"", "absolute"),
            ("client_cert = \"../outside.txt\"", "`..`"),
            ("client_cert = \"ev/../../outside.txt\"", "`..`"),
            ("client_cert = \"ev\"", "not a regular file"),
            ("client_cert = \"nothere.pem\"", "not in the bundle"),
        ] {
            let e = run(bad).unwrap_err();
            assert!(e.message.contains(why), "{bad}: {e}");
            assert!(e.line > 0, "{bad}: {e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_refused() {
        let (dir, path, text) = inv("client_cert = \"ev/link\"");
        let base = dir.path().join("inv");
        std::os::unix::fs::symlink("/dev/zero", base.join("ev/link")).unwrap();
        let parsed = super::super::parse(&text, &path).unwrap();
        let e = check(&parsed, &text, &path, &base, &base).unwrap_err();
        assert!(e.message.contains("symbolic link"), "{e}");

        let (dir, path, text) = inv("trust_store = \"ev/fifo\"");
        let base = dir.path().join("inv");
        if std::process::Command::new("mkfifo").arg(base.join("ev/fifo")).status().is_ok_and(|s| s.success()) {
            let parsed = super::super::parse(&text, &path).unwrap();
            let e = check(&parsed, &text, &path, &base, &base).unwrap_err();
            assert!(e.message.contains("not a regular file"), "{e}");
        }
    }
}
