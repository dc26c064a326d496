//! The inventory a collection writes: the user's file, edited in place (comments and
//! layout kept), with each node's evidence pointing at what was collected. Paths the
//! original named relative to itself become absolute, since the new file lives
//! elsewhere.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, InlineTable, Item, Value};

/// Keys that hold paths relative to the inventory, outside the per-node evidence.
const PATH_KEYS: &[&[&str]] =
    &[&["cisco", "trust_store"], &["cisco", "client_cert"], &["cisco", "client_key"], &["microsoft", "trust_store"]];

/// Evidence keys whose collected answer says less than the CLI capture it stands in for.
const LESS_THAN_CLI: &[&str] = &["status", "network_cluster"];

fn base_of(original: &Path) -> PathBuf {
    let dir = original.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::canonicalize(dir).unwrap_or_else(|_| std::env::current_dir().map(|c| c.join(dir)).unwrap_or_else(|_| dir.to_path_buf()))
}

fn absolutize(v: &mut Value, base: &Path) {
    if let Some(s) = v.as_str() {
        let p = Path::new(s);
        if p.is_relative() {
            let abs = base.join(p);
            let decor = v.decor().clone();
            *v = Value::from(abs.display().to_string());
            *v.decor_mut() = decor;
        }
    }
}

fn absolutize_item(item: &mut Item, base: &Path) {
    if let Some(v) = item.as_value_mut() {
        absolutize(v, base);
    }
}

fn absolutize_all(table: &mut dyn toml_edit::TableLike, base: &Path) {
    for (_, item) in table.iter_mut() {
        absolutize_item(item, base);
    }
}

fn item_at<'a>(doc: &'a mut DocumentMut, path: &[&str]) -> Option<&'a mut Item> {
    let (last, parents) = path.split_last()?;
    let mut cur = doc.as_table_mut() as &mut dyn toml_edit::TableLike;
    for k in parents {
        cur = cur.get_mut(k)?.as_table_like_mut()?;
    }
    cur.get_mut(last)
}

/// The new inventory text. `collected` = (node FQDN, evidence key, path relative to the
/// output folder).
pub fn inventory(
    original_text: &str,
    original_path: &Path,
    collected: &[(String, &'static str, String)],
    insecure: bool,
) -> Result<String, String> {
    let mut doc: DocumentMut = original_text.parse().map_err(|e| format!("the inventory cannot be edited: {e}"))?;
    let base = base_of(original_path);
    for key in PATH_KEYS {
        if let Some(item) = item_at(&mut doc, key) {
            absolutize_item(item, &base);
        }
    }
    if let Some(ev) = item_at(&mut doc, &["microsoft", "evidence"]).and_then(Item::as_table_like_mut) {
        absolutize_all(ev, &base);
    }
    let Some(nodes) = item_at(&mut doc, &["cisco", "nodes"]) else {
        return Err("the inventory has no [[cisco.nodes]]".into());
    };
    let apply = |node: &mut dyn toml_edit::TableLike| {
        let fqdn = node.get("fqdn").and_then(Item::as_str).unwrap_or("").trim_end_matches('.').to_ascii_lowercase();
        if node.get("evidence").is_none() {
            node.insert("evidence", Item::Value(Value::InlineTable(InlineTable::new())));
        }
        let Some(ev) = node.get_mut("evidence").and_then(Item::as_table_like_mut) else { return };
        absolutize_all(ev, &base);
        for (_, key, rel) in collected.iter().filter(|(f, _, _)| f.eq_ignore_ascii_case(&fqdn)) {
            // PAWS gives less than `show status` (version only) and `show network
            // cluster` (no product, no replication detail): a capture the
            // administrator already named is kept; collect.json still lists the file.
            if LESS_THAN_CLI.contains(key) && ev.get(key).is_some() {
                continue;
            }
            ev.insert(key, Item::Value(Value::from(rel.as_str())));
        }
    };
    match nodes {
        Item::ArrayOfTables(arr) => arr.iter_mut().for_each(|t| apply(t)),
        Item::Value(Value::Array(arr)) => {
            for v in arr.iter_mut() {
                if let Value::InlineTable(t) = v {
                    apply(t);
                }
            }
        }
        _ => return Err("[[cisco.nodes]] is not a list of tables".into()),
    }
    if insecure {
        if let Some(name) = item_at(&mut doc, &["site", "name"]).and_then(Item::as_value_mut) {
            let new = format!("{} [evidence collected with --insecure: certificates not verified]", name.as_str().unwrap_or(""));
            *name = Value::from(new);
        }
    }
    let head = format!(
        "# Written by `fedcheck collect imp` from {} at {}.\n# The nodes' evidence points at the answers collected into evidence/ beside this file{}.\n",
        original_path.display(),
        jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default(),
        if insecure { " (WITHOUT certificate verification: --insecure)" } else { "" }
    );
    Ok(format!("{head}{}", strip_old_head(&doc.to_string())))
}

/// A file written by an earlier collection starts with its own header: keep one.
fn strip_old_head(text: &str) -> &str {
    let mut rest = text;
    while rest.starts_with("# Written by `fedcheck collect")
        || rest.starts_with("# The nodes' evidence points")
        || rest.starts_with("# The Microsoft evidence points")
    {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}

/// The inventory with `[microsoft.evidence]` pointing at imported files: (key, path
/// relative to the output folder).
pub fn microsoft(original_text: &str, original_path: &Path, entries: &[(&str, String)]) -> Result<String, String> {
    let mut doc: DocumentMut = original_text.parse().map_err(|e| format!("the inventory cannot be edited: {e}"))?;
    let base = base_of(original_path);
    for key in PATH_KEYS {
        if let Some(item) = item_at(&mut doc, key) {
            absolutize_item(item, &base);
        }
    }
    if let Some(Item::ArrayOfTables(arr)) = item_at(&mut doc, &["cisco", "nodes"]) {
        for t in arr.iter_mut() {
            if let Some(ev) = t.get_mut("evidence").and_then(Item::as_table_like_mut) {
                absolutize_all(ev, &base);
            }
        }
    }
    let Some(ms) = doc.get_mut("microsoft").and_then(Item::as_table_like_mut) else {
        return Err("the inventory has no [microsoft] table".into());
    };
    if ms.get("evidence").is_none() {
        ms.insert("evidence", Item::Table(toml_edit::Table::new()));
    }
    let Some(ev) = ms.get_mut("evidence").and_then(Item::as_table_like_mut) else {
        return Err("[microsoft] evidence is not a table".into());
    };
    absolutize_all(ev, &base);
    for (key, rel) in entries {
        ev.insert(key, Item::Value(Value::from(rel.as_str())));
    }
    let head = format!(
        "# Written by `fedcheck collect microsoft --import` from {} at {}.\n# The Microsoft evidence points at the imported export under evidence/microsoft/.\n",
        original_path.display(),
        jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default(),
    );
    Ok(format!("{head}{}", strip_old_head(&doc.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_points_at_collected_files_and_paths_become_absolute() {
        let text = r#"# my site
[site]
name = "North"

[cisco]
imp_version = "14"
trust_store = "certs/cup-trust.pem" # uploaded CAs

[[cisco.nodes]]
fqdn = "imp-rt.example.com"
product = "imp"
evidence = { hardware = "ev/hw.txt" }

[[cisco.nodes]]
fqdn = "imp-a.example.com"
product = "imp"

[cisco.nodes.evidence]
status = "ev/status.txt"
"#;
        let collected = vec![
            ("imp-rt.example.com".to_string(), "service_list", "evidence/imp-rt.example.com/services.xml".to_string()),
            ("IMP-A.example.com".to_string(), "service_list", "evidence/imp-a.example.com/services.xml".to_string()),
            ("imp-a.example.com".to_string(), "status", "evidence/imp-a.example.com/version.xml".to_string()),
            ("imp-rt.example.com".to_string(), "status", "evidence/imp-rt.example.com/version.xml".to_string()),
        ];
        let dir = tempfile::tempdir().unwrap();
        let out = inventory(text, &dir.path().join("site.toml"), &collected, false).unwrap();
        assert!(out.contains("# my site"), "{out}");
        assert!(out.contains("# uploaded CAs"), "{out}");
        let v: toml::Table = toml::from_str(&out).unwrap();
        let nodes = v["cisco"]["nodes"].as_array().unwrap();
        assert_eq!(nodes[0]["evidence"]["service_list"].as_str(), Some("evidence/imp-rt.example.com/services.xml"));
        assert!(Path::new(nodes[0]["evidence"]["hardware"].as_str().unwrap()).is_absolute());
        assert_eq!(nodes[1]["evidence"]["service_list"].as_str(), Some("evidence/imp-a.example.com/services.xml"));
        // The administrator's `show status` capture says more than the PAWS version: kept.
        assert!(Path::new(nodes[1]["evidence"]["status"].as_str().unwrap()).is_absolute());
        assert_eq!(nodes[0]["evidence"]["status"].as_str(), Some("evidence/imp-rt.example.com/version.xml"));
        assert!(Path::new(v["cisco"]["trust_store"].as_str().unwrap()).is_absolute());
        assert_eq!(v["site"]["name"].as_str(), Some("North"));
        let insecure = inventory(text, &dir.path().join("site.toml"), &collected, true).unwrap();
        assert!(insecure.contains("--insecure"));
        let v: toml::Table = toml::from_str(&insecure).unwrap();
        assert!(v["site"]["name"].as_str().unwrap().contains("certificates not verified"));
    }
}
