//! A bounded reader for the bundle's `.tar.gz`.
//!
//! The `tar` crate reads GNU long-name (`././@LongLink`) and PAX extension headers
//! whole into memory before a caller sees the entry, so a 1 MB archive can claim a
//! 1 GiB name. This reader looks at every 512-byte header itself and refuses an
//! extension header larger than [`EXT_HEADER_CAP`] before reading it; file data is
//! read only after its size passed the caps. It also insists on exactly one gzip
//! member with nothing after it, and nothing but zero padding after the tar end marker.

use super::{BundleError, MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, TOP};
use crate::escape;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};

/// Largest GNU long name / long link or PAX extension header accepted.
pub const EXT_HEADER_CAP: u64 = 4 * 1024;
/// Zero padding accepted after the end-of-archive marker (GNU tar pads to 10 KiB records).
const MAX_PADDING: u64 = 1024 * 1024;
const BLOCK: usize = 512;

/// Reads every regular file of the archive, keyed by its path under the top folder.
pub(super) fn read_archive<R: Read>(reader: R) -> Result<BTreeMap<String, Vec<u8>>, BundleError> {
    let mut gz = flate2::bufread::GzDecoder::new(std::io::BufReader::new(reader));
    let files = read_tar(&mut gz)?;
    // Padding after the end marker: zeros only, bounded.
    let mut rest = Vec::new();
    (&mut gz).take(MAX_PADDING + 1).read_to_end(&mut rest).map_err(classify)?;
    if rest.len() as u64 > MAX_PADDING || rest.iter().any(|&b| b != 0) {
        return Err(BundleError::Corrupt("data after the end of the tar archive".into()));
    }
    // The decoder has checked the gzip trailer (CRC, length); a second member or
    // anything else after it is not part of what was written.
    let mut inner = gz.into_inner();
    let more = inner.fill_buf().map_err(classify)?;
    if !more.is_empty() {
        let what = if more.starts_with(&[0x1f, 0x8b]) { "a second gzip member" } else { "trailing data" };
        return Err(BundleError::Corrupt(format!("{what} after the gzip stream; a bundle is exactly one gzip stream")));
    }
    Ok(files)
}

/// What the extension headers before an entry said about it.
#[derive(Default)]
struct Pending {
    name: Option<Vec<u8>>,
    size: Option<u64>,
}

fn read_tar<R: Read>(tar: &mut R) -> Result<BTreeMap<String, Vec<u8>>, BundleError> {
    let mut files = BTreeMap::new();
    let mut total: u64 = 0;
    let mut headers = 0usize;
    let mut pending = Pending::default();
    loop {
        let mut h = [0u8; BLOCK];
        read_exact(tar, &mut h, "a tar header")?;
        if h.iter().all(|&b| b == 0) {
            if pending.name.is_some() || pending.size.is_some() {
                return Err(BundleError::Corrupt("an extension header with no entry after it".into()));
            }
            return Ok(files);
        }
        headers += 1;
        // Extension headers count too: a stream of empty headers is as costly as files.
        if headers > MAX_ENTRIES * 3 {
            return Err(BundleError::TooLarge { file: "the archive (entries)".into(), limit: MAX_ENTRIES as u64 });
        }
        check_sum(&h)?;
        let header_size = parse_number(&h[124..136]).ok_or_else(|| BundleError::Corrupt("a tar header with an unreadable size".into()))?;
        let kind = h[156];
        match kind {
            b'L' | b'K' | b'x' | b'g' => {
                if header_size > EXT_HEADER_CAP {
                    let what = if matches!(kind, b'L' | b'K') { "GNU long-name" } else { "PAX extension" };
                    return Err(BundleError::TooLarge { file: format!("a {what} header of {header_size} bytes"), limit: EXT_HEADER_CAP });
                }
                let data = read_data(tar, header_size)?;
                match kind {
                    b'L' => pending.name = Some(until_nul(&data).to_vec()),
                    b'x' => apply_pax(&data, &mut pending)?,
                    // A long link name only matters to a link, which is refused below;
                    // global PAX headers carry nothing a bundle needs.
                    _ => {}
                }
                continue;
            }
            _ => {}
        }
        let name_bytes = match pending.name.take() {
            Some(n) => n,
            None => ustar_name(&h),
        };
        let size = pending.size.take().unwrap_or(header_size);
        let name = std::str::from_utf8(&name_bytes).map_err(|_| {
            BundleError::UnsafePath(format!("{}: the name is not UTF-8", escape::line(&String::from_utf8_lossy(&name_bytes))))
        })?;
        let rel = safe_path(name)?;
        match kind {
            b'5' => {
                if size != 0 {
                    skip_data(tar, size.min(MAX_ENTRY_BYTES + 1))?;
                }
                continue;
            }
            b'0' | b'\0' | b'7' => {}
            _ => {
                return Err(BundleError::UnsafePath(format!(
                    "{}: a link or special file; a bundle holds only regular files",
                    escape::line(name)
                )))
            }
        }
        let Some(rel) = rel else {
            return Err(BundleError::UnsafePath(format!("{}: outside the {TOP}/ folder", escape::line(name))));
        };
        if files.len() >= MAX_ENTRIES {
            return Err(BundleError::TooLarge {
                file: format!("the archive ({} entries or more)", MAX_ENTRIES + 1),
                limit: MAX_ENTRIES as u64,
            });
        }
        if size > MAX_ENTRY_BYTES {
            return Err(BundleError::TooLarge { file: rel, limit: MAX_ENTRY_BYTES });
        }
        total += size;
        if total > MAX_TOTAL_BYTES {
            return Err(BundleError::TooLarge { file: "the archive".into(), limit: MAX_TOTAL_BYTES });
        }
        let data = read_data(tar, size).map_err(|e| match e {
            BundleError::Truncated(_) => BundleError::Truncated(format!("{rel}: the archive ends inside this file")),
            other => other,
        })?;
        if files.insert(rel.clone(), data).is_some() {
            return Err(BundleError::Corrupt(format!("{rel} appears twice")));
        }
    }
}

/// Reads `size` bytes of entry data and the padding to the next block.
fn read_data<R: Read>(tar: &mut R, size: u64) -> Result<Vec<u8>, BundleError> {
    let len = usize::try_from(size).map_err(|_| BundleError::Corrupt("an entry too large for this machine".into()))?;
    // Grow with what actually arrives: a header may claim 64 MiB over an empty stream.
    let mut data = Vec::with_capacity(len.min(64 * 1024));
    tar.take(size).read_to_end(&mut data).map_err(classify)?;
    if data.len() != len {
        return Err(BundleError::Truncated("the stream stops inside an entry's data".into()));
    }
    let pad = (BLOCK - len % BLOCK) % BLOCK;
    let mut padding = [0u8; BLOCK];
    read_exact(tar, &mut padding[..pad], "an entry's padding")?;
    Ok(data)
}

fn skip_data<R: Read>(tar: &mut R, size: u64) -> Result<(), BundleError> {
    let padded = size.div_ceil(BLOCK as u64) * BLOCK as u64;
    let copied = std::io::copy(&mut tar.take(padded), &mut std::io::sink()).map_err(classify)?;
    if copied != padded {
        return Err(BundleError::Truncated("the archive ends inside an entry".into()));
    }
    Ok(())
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], what: &str) -> Result<(), BundleError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => BundleError::Truncated(format!("the stream stops inside {what}")),
        _ => classify(e),
    })
}

/// The header checksum: the sum of all bytes with the checksum field read as spaces.
fn check_sum(h: &[u8; BLOCK]) -> Result<(), BundleError> {
    let stored = parse_number(&h[148..156]).ok_or_else(|| BundleError::Corrupt("a tar header with an unreadable checksum".into()))?;
    let sum: u64 = h.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u64::from(b) }).sum();
    if sum != stored {
        return Err(BundleError::Corrupt("a tar header fails its checksum".into()));
    }
    Ok(())
}

/// An octal field (NUL/space padded) or GNU base-256 (high bit of the first byte set).
fn parse_number(field: &[u8]) -> Option<u64> {
    if let Some((&first, rest)) = field.split_first() {
        if first & 0x80 != 0 {
            if first & 0x40 != 0 {
                return None; // negative
            }
            let mut n: u64 = u64::from(first & 0x3f);
            for &b in rest {
                n = n.checked_mul(256)?.checked_add(u64::from(b))?;
            }
            return Some(n);
        }
    }
    let text = std::str::from_utf8(field).ok()?;
    let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if digits.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(digits, 8).ok()
}

fn until_nul(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |i| &b[..i])
}

/// The name from the header: POSIX ustar joins `prefix/name`; GNU uses that area
/// for other fields.
fn ustar_name(h: &[u8; BLOCK]) -> Vec<u8> {
    let name = until_nul(&h[..100]);
    let posix = &h[257..263] == b"ustar\0";
    let prefix = until_nul(&h[345..500]);
    if posix && !prefix.is_empty() {
        let mut full = prefix.to_vec();
        full.push(b'/');
        full.extend_from_slice(name);
        full
    } else {
        name.to_vec()
    }
}

/// PAX records `"<len> <key>=<value>\n"`: `path` and `size` apply to the next entry.
fn apply_pax(data: &[u8], pending: &mut Pending) -> Result<(), BundleError> {
    let bad = || BundleError::Corrupt("a PAX extension header is malformed".into());
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let sp = rest.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let len: usize = std::str::from_utf8(&rest[..sp]).ok().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        if len <= sp + 1 || len > rest.len() || rest[len - 1] != b'\n' {
            return Err(bad());
        }
        let record = &rest[sp + 1..len - 1];
        let eq = record.iter().position(|&b| b == b'=').ok_or_else(bad)?;
        let (key, value) = (&record[..eq], &record[eq + 1..]);
        match key {
            b"path" => pending.name = Some(value.to_vec()),
            b"size" => {
                let n = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
                pending.size = Some(n);
            }
            _ => {}
        }
        rest = &rest[len..];
    }
    Ok(())
}

/// The entry's path under the top folder (None for the top folder itself or a path
/// elsewhere); an error for anything that could escape a folder when extracted.
pub(super) fn safe_path(raw: &str) -> Result<Option<String>, BundleError> {
    let unsafe_path = |why: &str| BundleError::UnsafePath(format!("{}: {why}", escape::line(raw)));
    if raw.starts_with('/') || raw.contains('\\') || raw.contains('\0') || raw.contains(':') {
        return Err(unsafe_path("absolute or platform-specific path"));
    }
    if raw.chars().any(|c| c.is_control() || escape::is_bidi_control(c)) {
        return Err(unsafe_path("control characters in the name"));
    }
    let parts: Vec<&str> = raw.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| *p == ".." || *p == ".") {
        return Err(unsafe_path("`..` or `.` in the path"));
    }
    match parts.split_first() {
        Some((top, rest)) if *top == TOP && !rest.is_empty() => Ok(Some(rest.join("/"))),
        _ => Ok(None),
    }
}

/// Sorts a read error into "cut short" and "damaged".
pub(super) fn classify(e: std::io::Error) -> BundleError {
    let text = e.to_string();
    if e.kind() == std::io::ErrorKind::UnexpectedEof || text.contains("unexpected end") {
        BundleError::Truncated(text)
    } else {
        BundleError::Corrupt(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_paths() {
        assert_eq!(safe_path("fedcheck-bundle/report.json").unwrap(), Some("report.json".into()));
        assert_eq!(safe_path("fedcheck-bundle/").unwrap(), None);
        assert_eq!(safe_path("other/x").unwrap(), None);
        for bad in [
            "/etc/passwd",
            "fedcheck-bundle/../x",
            "fedcheck-bundle/a/../../x",
            "fedcheck-bundle/./x",
            "C:/x",
            "fedcheck-bundle\\..\\x",
            "fedcheck-bundle/\u{1b}[2J",
        ] {
            assert!(matches!(safe_path(bad), Err(BundleError::UnsafePath(_))), "{bad}");
        }
        let e = safe_path("fedcheck-bundle/\u{1b}[2Jx").unwrap_err().to_string();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"0000644\0"), Some(0o644));
        assert_eq!(parse_number(b"00000000012 "), Some(10));
        assert_eq!(parse_number(b"\0\0\0\0"), Some(0));
        assert_eq!(parse_number(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), Some(256));
        assert_eq!(parse_number(&[0xff; 12]), None);
        assert_eq!(parse_number(b"9"), None);
    }

    #[test]
    fn pax_records() {
        let mut p = Pending::default();
        apply_pax(b"30 path=fedcheck-bundle/a.txt\n11 size=12\n", &mut p).unwrap();
        assert_eq!(p.name.as_deref(), Some(&b"fedcheck-bundle/a.txt"[..]));
        assert_eq!(p.size, Some(12));
        assert!(apply_pax(b"99 path=x\n", &mut Pending::default()).is_err());
        assert!(apply_pax(b"nonsense", &mut Pending::default()).is_err());
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, data).unwrap();
        e.finish().unwrap()
    }

    fn header(name: &str, kind: u8, size: u64) -> [u8; BLOCK] {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::new(kind));
        h.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        *h.as_bytes()
    }

    #[test]
    fn extension_headers_over_the_cap_are_refused_before_reading() {
        // Only the header: nothing follows, so reading the claimed name would fail
        // with "truncated"; the refusal must come first.
        let tar = header("././@LongLink", b'L', 1 << 30);
        let e = read_archive(gz(&tar).as_slice()).unwrap_err();
        assert!(matches!(e, BundleError::TooLarge { limit: EXT_HEADER_CAP, .. }), "{e}");
        let tar = header("PaxHeaders/x", b'x', 3 << 30);
        let e = read_archive(gz(&tar).as_slice()).unwrap_err();
        assert!(e.to_string().contains("PAX"), "{e}");
    }

    #[test]
    fn long_names_and_pax_paths_within_the_cap_are_read() {
        let long = format!("fedcheck-bundle/{}.txt", "n".repeat(150));
        let mut tar = Vec::new();
        tar.extend_from_slice(&header("././@LongLink", b'L', long.len() as u64 + 1));
        let mut name = long.clone().into_bytes();
        name.push(0);
        name.resize(512, 0);
        tar.extend_from_slice(&name);
        tar.extend_from_slice(&header("short", b'0', 2));
        let mut data = b"hi".to_vec();
        data.resize(512, 0);
        tar.extend_from_slice(&data);
        let rec = "path=fedcheck-bundle/p.txt\n";
        let pax = format!("{} {rec}", rec.len() + 3);
        tar.extend_from_slice(&header("PaxHeaders/p", b'x', pax.len() as u64));
        let mut p = pax.into_bytes();
        p.resize(512, 0);
        tar.extend_from_slice(&p);
        tar.extend_from_slice(&header("ignored", b'0', 0));
        tar.extend_from_slice(&[0u8; 1024]);
        let files = read_archive(gz(&tar).as_slice()).unwrap();
        assert_eq!(files.get(&long["fedcheck-bundle/".len()..]).map(Vec::as_slice), Some(&b"hi"[..]));
        assert_eq!(files.get("p.txt").map(Vec::len), Some(0));

        // Trailing bytes and a second member are refused.
        let one = gz(&tar);
        let mut padded = one.clone();
        padded.extend_from_slice(b"\0\0\0junk");
        assert!(read_archive(padded.as_slice()).unwrap_err().to_string().contains("trailing data"));
        let mut two = one.clone();
        two.extend_from_slice(&gz(b"more"));
        assert!(read_archive(two.as_slice()).unwrap_err().to_string().contains("second gzip member"));
        // Junk after the end marker inside the stream.
        let mut inner = tar.clone();
        inner.extend_from_slice(b"junk");
        assert!(read_archive(gz(&inner).as_slice()).unwrap_err().to_string().contains("after the end"));
    }

    #[test]
    fn special_entries_are_refused() {
        for kind in [b'1', b'2', b'3', b'4', b'6', b'S'] {
            let mut tar = header("fedcheck-bundle/x", kind, 0).to_vec();
            tar.extend_from_slice(&[0u8; 1024]);
            let e = read_archive(gz(&tar).as_slice()).unwrap_err();
            assert!(matches!(e, BundleError::UnsafePath(_)), "{kind}: {e}");
        }
        let mut bad = header("fedcheck-bundle/x", b'0', 0);
        bad[0] ^= 1;
        assert!(matches!(read_archive(gz(&bad).as_slice()), Err(BundleError::Corrupt(_))));
    }
}
