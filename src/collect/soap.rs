//! The requests `collect imp` sends: Control Center Services (rpc style, namespace
//! `http://schemas.cisco.com/ast/soap`) and the platform services (PAWS, Axis2
//! document/literal, namespace `http://services.api.platform.vos.cisco.com`).

/// One question asked of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// Short name: the evidence file is `<name>.xml` and collect.json says it.
    pub name: &'static str,
    /// Service and operation, as the API documentation names them.
    pub api: &'static str,
    /// The URL path of the service on the node.
    pub path: &'static str,
    /// The SOAPAction header sent with the request, quotes included.
    pub soap_action: &'static str,
    /// The SOAP envelope posted as the request body.
    pub envelope: &'static str,
    /// The inventory's evidence key the answer fills.
    pub evidence_key: &'static str,
    /// Services are what the audit needs; the platform services are optional (older
    /// or locked-down nodes do not offer them: a 404 is "not offered").
    pub required: bool,
}

const SERVICES_ENVELOPE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap="http://schemas.cisco.com/ast/soap">
  <soapenv:Header/>
  <soapenv:Body>
    <soap:soapGetServiceStatus>
      <soap:ServiceStatus></soap:ServiceStatus>
    </soap:soapGetServiceStatus>
  </soapenv:Body>
</soapenv:Envelope>
"#;

macro_rules! paws_envelope {
    ($op:literal) => {
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://services.api.platform.vos.cisco.com">
  <soapenv:Header/>
  <soapenv:Body>
    <ser:"#,
            $op,
            r#"/>
  </soapenv:Body>
</soapenv:Envelope>
"#
        )
    };
}

/// Control Center Services soapGetServiceStatus: every service and its state (required).
pub const SERVICES: Call = Call {
    name: "services",
    api: "ControlCenterServices soapGetServiceStatus",
    path: "/controlcenterservice2/services/ControlCenterServices",
    soap_action: "\"soapGetServiceStatus\"",
    envelope: SERVICES_ENVELOPE,
    evidence_key: "service_list",
    required: true,
};

/// PAWS getActiveVersion: the active software version (optional).
pub const VERSION: Call = Call {
    name: "version",
    api: "PAWS VersionService getActiveVersion",
    path: "/platform-services/services/VersionService",
    soap_action: "\"urn:getActiveVersion\"",
    envelope: paws_envelope!("getActiveVersion"),
    evidence_key: "status",
    required: false,
};

/// PAWS getHardwareInformation: the node's hardware (optional).
pub const HARDWARE: Call = Call {
    name: "hardware",
    api: "PAWS HardwareInformationService getHardwareInformation",
    path: "/platform-services/services/HardwareInformationService",
    soap_action: "\"urn:getHardwareInformation\"",
    envelope: paws_envelope!("getHardwareInformation"),
    evidence_key: "hardware",
    required: false,
};

/// PAWS getClusterStatus: the cluster's members (optional; [`CLUSTER_NODES`] is asked
/// when it faults).
pub const CLUSTER: Call = Call {
    name: "cluster",
    api: "PAWS ClusterNodesService getClusterStatus",
    path: "/platform-services/services/ClusterNodesService",
    soap_action: "\"urn:getClusterStatus\"",
    envelope: paws_envelope!("getClusterStatus"),
    evidence_key: "network_cluster",
    required: false,
};

/// The older operation of the same service, asked when a node faults on
/// getClusterStatus (releases before it was added).
pub const CLUSTER_NODES: Call = Call {
    name: "cluster",
    api: "PAWS ClusterNodesService getClusterNodes",
    path: "/platform-services/services/ClusterNodesService",
    soap_action: "\"urn:getClusterNodes\"",
    envelope: paws_envelope!("getClusterNodes"),
    evidence_key: "network_cluster",
    required: false,
};

/// Every call, in the order asked.
pub const CALLS: [Call; 4] = [SERVICES, VERSION, HARDWARE, CLUSTER];

/// Read an answer with the evidence parser for this call, so what is saved is known
/// to be usable by the audit.
pub fn check_answer(call: &Call, text: &str) -> Result<String, crate::evidence::ParseError> {
    use crate::evidence::soap;
    Ok(match call.name {
        "services" => format!("{} services", soap::services(text)?.services.len()),
        "version" => format!("version {}", soap::version(text)?.product_version.unwrap_or_default()),
        "hardware" => {
            let hw = soap::hardware(text)?;
            format!(
                "{} vCPU, {} MB",
                hw.processors.map_or("?".into(), |p| p.to_string()),
                hw.memory_mb.map_or("?".into(), |m| m.to_string())
            )
        }
        _ => format!("{} cluster members", soap::cluster(text)?.members.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_the_documented_operations() {
        for c in CALLS.iter().chain([&CLUSTER_NODES]) {
            assert!(crate::evidence::soap::looks_like_xml(c.envelope), "{}", c.name);
            let op = c.soap_action.trim_matches('"').trim_start_matches("urn:");
            assert!(c.envelope.contains(&format!(":{op}")), "{} envelope names {op}", c.name);
        }
        assert!(SERVICES.envelope.contains("xmlns:soap=\"http://schemas.cisco.com/ast/soap\""));
        assert!(VERSION.envelope.contains("http://services.api.platform.vos.cisco.com"));
    }
}
