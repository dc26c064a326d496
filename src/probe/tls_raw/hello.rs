//! The ClientHello IM&P would send: TLS 1.0-1.2, RSA and ECDHE, CBC and GCM, with
//! the extensions old and new servers need to answer.

use super::*;

pub(super) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(super) fn put_u24(out: &mut Vec<u8>, v: usize) {
    let v = v.min(0xff_ffff) as u32;
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

/// Appends `body` behind a 16-bit length. Every caller passes far less than 64 KiB.
pub(super) fn put_vec16(out: &mut Vec<u8>, body: &[u8]) {
    put_u16(out, body.len().min(0xffff) as u16);
    out.extend_from_slice(body);
}

pub(super) fn put_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    put_u16(out, kind);
    put_vec16(out, body);
}

/// The SNI host name, or None when the target is an IP literal or not a DNS name
/// (RFC 6066 forbids IP literals in server_name, and a trailing dot is not sent).
pub(super) fn sni_host(sni: Option<&str>) -> Option<&str> {
    let s = sni?.trim().trim_end_matches('.');
    let dns_like = !s.is_empty() && s.len() <= 253 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !dns_like || s.parse::<IpAddr>().is_ok() {
        return None;
    }
    Some(s)
}

/// 32 bytes that differ on every call. The random only needs to be unique, not secret:
/// this handshake is never completed.
pub(super) fn hello_random() -> [u8; 32] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut state = (now.as_nanos() as u64) ^ count.rotate_left(32) ^ u64::from(std::process::id());
    let mut out = [0u8; 32];
    out[..4].copy_from_slice(&(now.as_secs() as u32).to_be_bytes());
    for chunk in out[4..].chunks_mut(8) {
        // splitmix64: spreads the seed over every byte.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let bytes = z.to_be_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    out
}

/// One TLS record holding a ClientHello that offers what IM&P offers: TLS up to 1.2
/// (no supported_versions, so every server answers in clear), ECDHE and RSA key
/// exchange, GCM, CBC and 3DES. `sni` is sent only when it is a DNS name.
pub fn client_hello(sni: Option<&str>) -> Vec<u8> {
    client_hello_offering(sni, OFFERED_SUITES)
}

/// The same ClientHello offering exactly `suites` (e.g. the site's IM&P cipher list).
pub fn client_hello_offering(sni: Option<&str>, offered: &[u16]) -> Vec<u8> {
    let mut ext = Vec::new();
    if let Some(host) = sni_host(sni) {
        let mut list = vec![0u8]; // name_type host_name
        put_vec16(&mut list, host.as_bytes());
        let mut body = Vec::new();
        put_vec16(&mut body, &list);
        put_extension(&mut ext, 0, &body);
    }
    let mut groups = Vec::new();
    for g in GROUPS {
        put_u16(&mut groups, *g);
    }
    let mut body = Vec::new();
    put_vec16(&mut body, &groups);
    put_extension(&mut ext, 10, &body);
    put_extension(&mut ext, 11, &[1, 0]); // ec_point_formats: uncompressed
    let mut sigs = Vec::new();
    for s in SIGNATURE_ALGORITHMS {
        put_u16(&mut sigs, *s);
    }
    let mut body = Vec::new();
    put_vec16(&mut body, &sigs);
    put_extension(&mut ext, 13, &body);
    put_extension(&mut ext, 0xff01, &[0]); // renegotiation_info, initial handshake

    let mut hello = Vec::new();
    put_u16(&mut hello, 0x0303);
    hello.extend_from_slice(&hello_random());
    hello.push(0); // empty session id: no resumption
    let mut suites = Vec::new();
    for s in if offered.is_empty() { OFFERED_SUITES } else { offered } {
        put_u16(&mut suites, *s);
    }
    put_vec16(&mut hello, &suites);
    hello.extend_from_slice(&[1, 0]); // compression: null only
    put_vec16(&mut hello, &ext);

    let mut msg = vec![1u8];
    put_u24(&mut msg, hello.len());
    msg.extend_from_slice(&hello);

    let mut record = vec![CT_HANDSHAKE, 3, 1];
    put_vec16(&mut record, &msg);
    record
}
