//! The evidence kinds: one row per command whose output fedcheck reads.
//!
//! A row names the inventory key, the side, the command as typed and as echoed, the
//! markers that identify its output when no echo says, the file the Microsoft export
//! writes for it, the parsed type and its parser. From the rows come the inventory's
//! path tables (`[cisco.nodes.evidence]`, `[microsoft.evidence]`), the parsed
//! evidence sets, their loading and confinement, the export mapping, the cut-short
//! wording of the checks, the capture cleaner's list of known commands and the fuzz
//! target's list. Adding a kind is one row here plus its parser.

use super::noise::Cmd;
use super::{CutShort, ParseError, Records};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Which system a command runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The IM&P or CUCM CLI (or its SOAP APIs), per node.
    Cisco,
    /// The Lync/SfB Management Shell (or OCS WMI), for the whole deployment.
    Microsoft,
}

/// One kind of evidence file.
#[derive(Debug)]
pub struct EvidenceKind {
    /// The inventory key under `[cisco.nodes.evidence]` or `[microsoft.evidence]`.
    pub key: &'static str,
    /// Where the command runs.
    pub side: Side,
    /// The command, as typed and as echoed.
    pub(crate) cmd: Cmd,
    /// Markers of its output when no echo names it: a group matches when every one of
    /// its lowercase words occurs; the kind whose matched group is longest wins.
    pub(crate) sniff: &'static [&'static [&'static str]],
    /// The file `collect-fedcheck.ps1` writes it to (Microsoft kinds).
    pub export_file: Option<&'static str>,
    /// Parse a capture, saying where it is cut short if it is.
    pub check: fn(&str) -> Result<Option<CutShort>, ParseError>,
}

impl EvidenceKind {
    /// The command as the user types it, for messages.
    pub fn command(&self) -> &'static str {
        self.cmd.name
    }

    /// How strongly `lower` (lowercase cleaned output) looks like this kind's output:
    /// the length of the longest marker group found whole, 0 when none is.
    pub(crate) fn sniff_score(&self, lower: &str) -> usize {
        self.sniff
            .iter()
            .filter(|group| group.iter().all(|w| lower.contains(w)))
            .map(|group| group.iter().map(|w| w.len()).sum())
            .max()
            .unwrap_or(0)
    }
}

/// What every parsed evidence value says about itself.
pub trait Evidence {
    /// Where the capture stops before its command's output ended, if it does.
    fn cut_short(&self) -> Option<&CutShort>;
}

impl<T> Evidence for Records<T> {
    fn cut_short(&self) -> Option<&CutShort> {
        self.cut.as_ref()
    }
}

/// How the inventory loader reads one evidence file of a kind.
pub trait Reader {
    /// The loader's error.
    type Error;
    /// Read `rel` (when the inventory names it) with `parse`.
    fn read<T>(
        &mut self,
        kind: &'static EvidenceKind,
        rel: Option<&Path>,
        parse: fn(&str) -> Result<T, ParseError>,
    ) -> Result<Option<T>, Self::Error>;
}

macro_rules! side {
    ($side:ident, $Files:ident, $Set:ident, $files_doc:literal, $set_doc:literal;
     $( $(#[doc = $doc:literal])* $KIND:ident $key:ident : $ty:ty = $parse:path,
        command $name:literal, echo $echo:literal, sniff [$($sniff:expr),*], export $export:expr; )*) => {
        $(
            $(#[doc = $doc])*
            pub static $KIND: EvidenceKind = EvidenceKind {
                key: stringify!($key),
                side: Side::$side,
                cmd: Cmd { name: $name, key: $echo },
                sniff: &[$($sniff),*],
                export_file: $export,
                check: {
                    fn check(text: &str) -> Result<Option<CutShort>, ParseError> {
                        $parse(text).map(|v| Evidence::cut_short(&v).cloned())
                    }
                    check
                },
            };
        )*

        #[doc = $files_doc]
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $Files {
            $( $(#[doc = $doc])* #[serde(default)] pub $key: Option<PathBuf>, )*
        }

        impl $Files {
            /// Every file named, with its kind.
            pub fn named(&self) -> Vec<(&'static EvidenceKind, &Path)> {
                let mut out = Vec::new();
                $( if let Some(p) = &self.$key { out.push((&$KIND, p.as_path())); } )*
                out
            }

            /// The file named for `kind`, if any.
            pub fn path(&self, kind: &EvidenceKind) -> Option<&Path> {
                $( if kind.key == stringify!($key) && kind.side == Side::$side { return self.$key.as_deref(); } )*
                None
            }
        }

        #[doc = $set_doc]
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct $Set {
            $( $(#[doc = $doc])* #[serde(default)] pub $key: Option<$ty>, )*
        }

        impl $Set {
            /// Read every file `files` names through `reader`.
            pub fn load<R: Reader>(files: &$Files, reader: &mut R) -> Result<Self, R::Error> {
                Ok(Self { $( $key: reader.read(&$KIND, files.$key.as_deref(), $parse)?, )* })
            }

            /// Where the capture of `kind` is cut short, if it was read and is.
            pub fn cut(&self, kind: &EvidenceKind) -> Option<&CutShort> {
                $( if kind.key == stringify!($key) && kind.side == Side::$side {
                    return self.$key.as_ref().and_then(|v| Evidence::cut_short(v));
                } )*
                None
            }
        }
    };
}

macro_rules! kinds {
    (cisco { $( $(#[doc = $cdoc:literal])* $CK:ident $ckey:ident : $cty:ty = $cparse:path,
                command $cname:literal, echo $cecho:literal, sniff [$($csniff:expr),*], export $cexport:expr; )* }
     microsoft { $( $(#[doc = $mdoc:literal])* $MK:ident $mkey:ident : $mty:ty = $mparse:path,
                command $mname:literal, echo $mecho:literal, sniff [$($msniff:expr),*], export $mexport:expr; )* }) => {
        side!(Cisco, NodeEvidenceFiles, NodeEvidenceSet,
            "Evidence files collected on an IM&P or CUCM node (paths relative to the inventory).",
            "Parsed evidence for one Cisco node.";
            $( $(#[doc = $cdoc])* $CK $ckey : $cty = $cparse,
               command $cname, echo $cecho, sniff [$($csniff),*], export $cexport; )*);
        side!(Microsoft, MicrosoftEvidenceFiles, MicrosoftEvidence,
            "Evidence files from the Microsoft side (paths relative to the inventory).",
            "Parsed evidence from the Microsoft side.";
            $( $(#[doc = $mdoc])* $MK $mkey : $mty = $mparse,
               command $mname, echo $mecho, sniff [$($msniff),*], export $mexport; )*);
        /// Every evidence kind, Cisco first, in row order.
        pub static KINDS: &[&EvidenceKind] = &[$(&$CK,)* $(&$MK,)*];
    };
}

kinds! {
    cisco {
        /// `utils service list` (or a `soapGetServiceStatus` answer)
        SERVICE_LIST service_list: super::service_list::ServiceList = super::soap::service_list_any,
            command "utils service list", echo "utils service list",
            sniff [&["[started]"], &["[stopped]"]], export None;
        /// `show hardware` (or a `getHardwareInformation` answer)
        SHOW_HARDWARE hardware: super::hardware::Hardware = super::soap::hardware_any,
            command "show hardware", echo "show hardware",
            sniff [&["hw platform"]], export None;
        /// `show status` (or a `getActiveVersion` answer)
        SHOW_STATUS status: super::status::ShowStatus = super::soap::status_any,
            command "show status", echo "show status",
            sniff [&["disk/active"], &["cpu idle:"], &["product ver"]], export None;
        /// `show network cluster` (or a `getClusterStatus` / `getClusterNodes` answer)
        SHOW_NETWORK_CLUSTER network_cluster: super::network_cluster::Cluster = super::soap::cluster_any,
            command "show network cluster", echo "show network cluster",
            sniff [&[" dbsub "], &[" dbpub "], &["server table (processnode)"]], export None;
        /// `show tls min-version`
        SHOW_TLS_MIN_VERSION tls_min_version: super::tls_min_version::TlsMinVersion = super::tls_min_version::parse,
            command "show tls min-version", echo "show tls min-version",
            sniff [&["configured tls minimum version"]], export None;
    }
    microsoft {
        /// `Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route` (text or JSON)
        STATIC_ROUTES static_routes: super::static_routes::StaticRoutes = super::static_routes::parse,
            command "Get-CsStaticRoutingConfiguration", echo "get-csstaticroutingconfiguration",
            sniff [&["matchuri"], &["transportchoice"]], export Some("static-routes.txt");
        /// `Get-CsHostingProvider` (text or JSON)
        HOSTING_PROVIDERS hosting_providers: Records<super::hosting_provider::HostingProvider> = super::hosting_provider::parse,
            command "Get-CsHostingProvider", echo "get-cshostingprovider",
            sniff [&["proxyfqdn"]], export Some("hosting-providers.txt");
        /// `Get-CsTrustedApplicationPool` (text or JSON)
        TRUSTED_POOLS trusted_application_pools: Records<super::trusted_app::TrustedApplicationPool> = super::trusted_app::parse_pools,
            command "Get-CsTrustedApplicationPool", echo "get-cstrustedapplicationpool",
            sniff [&["trustedapplicationpool:", "computers"]], export Some("trusted-application-pools.txt");
        /// `Get-CsTrustedApplication` (text or JSON)
        TRUSTED_APPS trusted_applications: Records<super::trusted_app::TrustedApplication> = super::trusted_app::parse_applications,
            command "Get-CsTrustedApplication", echo "get-cstrustedapplication",
            sniff [&["trustedapplicationpoolfqdn"], &["applicationid"]], export Some("trusted-applications.txt");
        /// `Get-CsHostedVoicemailPolicy` (text or JSON)
        HOSTED_VOICEMAIL hosted_voicemail_policies: Records<super::hosted_voicemail::HostedVoicemailPolicy> = super::hosted_voicemail::parse,
            command "Get-CsHostedVoicemailPolicy", echo "get-cshostedvoicemailpolicy",
            sniff [&["destination", "organization"]], export Some("hosted-voicemail-policies.txt");
        /// `Get-CsSipDomain` (text or JSON)
        SIP_DOMAINS sip_domains: Records<super::sip_domains::SipDomain> = super::sip_domains::parse,
            command "Get-CsSipDomain", echo "get-cssipdomain",
            sniff [&["isdefault"]], export Some("sip-domains.txt");
    }
}

/// The kind a known command line runs, if any (word boundaries respected).
pub(crate) fn echoed(command: &str) -> Option<&'static EvidenceKind> {
    KINDS.iter().copied().find(|k| k.cmd.echoed_in(command))
}

/// The kind whose output `text` (cleaned) looks most like, if one stands out: the
/// longest matched marker group wins, whatever the row order; a tie names none.
pub(crate) fn sniff(text: &str) -> Option<&'static EvidenceKind> {
    let lower = text.to_ascii_lowercase();
    let mut scored: Vec<(usize, &'static EvidenceKind)> =
        KINDS.iter().map(|k| (k.sniff_score(&lower), *k)).filter(|(s, _)| *s > 0).collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scored.as_slice() {
        [(best, kind), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => Some(kind),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_commands_are_unique() {
        for (i, a) in KINDS.iter().enumerate() {
            for b in &KINDS[i + 1..] {
                assert!(!(a.key == b.key && a.side == b.side), "{} twice", a.key);
                assert_ne!(a.cmd.name, b.cmd.name);
            }
            assert_eq!(a.cmd.name.to_ascii_lowercase(), a.cmd.key, "{}: the echo is the command in lowercase", a.key);
            assert_eq!(a.side == Side::Microsoft, a.export_file.is_some(), "{}: Microsoft kinds have an export file", a.key);
            assert!(!a.sniff.is_empty(), "{} has markers", a.key);
        }
    }

    #[test]
    fn every_kind_is_named_and_found_in_its_table() {
        for k in KINDS {
            let one: toml::Table = [(k.key.to_string(), toml::Value::String("x.txt".into()))].into_iter().collect();
            let (named, path) = match k.side {
                Side::Cisco => {
                    let files: NodeEvidenceFiles = one.try_into().unwrap_or_else(|e| panic!("{}: {e}", k.key));
                    (files.named().iter().map(|(k, _)| k.key).collect::<Vec<_>>(), files.path(k).map(Path::to_path_buf))
                }
                Side::Microsoft => {
                    let files: MicrosoftEvidenceFiles = one.try_into().unwrap_or_else(|e| panic!("{}: {e}", k.key));
                    (files.named().iter().map(|(k, _)| k.key).collect::<Vec<_>>(), files.path(k).map(Path::to_path_buf))
                }
            };
            assert_eq!(named, vec![k.key]);
            assert_eq!(path, Some(PathBuf::from("x.txt")));
        }
    }

    #[test_case::test_case("Identity : x\nTrustedApplicationPoolFqdn : p\nApplicationId : a", Some("trusted_applications"); "trusted application")]
    #[test_case::test_case("Identity : TrustedApplicationPool:p\nComputers : {a}", Some("trusted_application_pools"); "trusted application pool")]
    #[test_case::test_case("Destination : um\nOrganization : o", Some("hosted_voicemail_policies"); "hosted voice mail policy")]
    #[test_case::test_case("Identity : a.com\nIsDefault : True", Some("sip_domains"); "sip domain")]
    #[test_case::test_case("Cisco Tomcat[STARTED]", Some("service_list"); "service list")]
    #[test_case::test_case("nothing known", None; "nothing")]
    #[test_case::test_case("HW Platform : x\nProduct Ver : 14", None; "a tie names none")]
    fn sniffing_does_not_depend_on_the_row_order(text: &str, kind: Option<&str>) {
        assert_eq!(sniff(text).map(|k| k.key), kind);
    }
}
