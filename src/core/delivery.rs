//! How a call's response reached the page, and how far its duration could be measured: the
//! facts Resource Timing adds to a call, shared by the samples, the live windows and history.
//!
//! A leaf: it names browser concepts but holds no browser types, and imports nothing.

/// Where a response came from.
///
/// ```
/// use apiscope::core::delivery::Delivery;
/// assert_eq!(Delivery::from_code(2), Delivery::Cache);
/// assert_eq!(Delivery::Cache.name(), "cache");
/// assert_eq!(Delivery::parse("worker"), Some(Delivery::Worker));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delivery {
    /// Not known: no Resource Timing entry, or a cross-origin one without
    /// `Timing-Allow-Origin`, or a call the app recorded itself.
    #[default]
    Unknown = 0,
    /// From the network.
    Network = 1,
    /// From the browser's HTTP cache (`deliveryType` "cache", or no bytes on the wire with a
    /// body).
    Cache = 2,
    /// Answered by a service worker (`workerStart > 0`).
    Worker = 3,
}

impl Delivery {
    /// Every delivery, in code order.
    pub const ALL: [Delivery; 4] = [
        Delivery::Unknown,
        Delivery::Network,
        Delivery::Cache,
        Delivery::Worker,
    ];

    /// The delivery a stored code stands for (unknown for anything else).
    pub fn from_code(code: u8) -> Self {
        Self::ALL
            .get(usize::from(code))
            .copied()
            .unwrap_or_default()
    }

    /// Its name in JavaScript.
    pub fn name(self) -> &'static str {
        ["unknown", "network", "cache", "worker"][self as usize]
    }

    /// The delivery called `name` in JavaScript.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// The HTTP version a response came over (`nextHopProtocol`).
///
/// ```
/// use apiscope::core::delivery::Protocol;
/// assert_eq!(Protocol::parse("h2"), Protocol::H2);
/// assert_eq!(Protocol::parse("http/1.1"), Protocol::Http1);
/// assert_eq!(Protocol::parse(""), Protocol::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// Not exposed (cross-origin without `Timing-Allow-Origin`, or no entry).
    #[default]
    Unknown = 0,
    /// HTTP/1.0 or 1.1.
    Http1 = 1,
    /// HTTP/2.
    H2 = 2,
    /// HTTP/3 (QUIC).
    H3 = 3,
}

impl Protocol {
    /// How many there are.
    pub const COUNT: usize = 4;

    /// The protocol of an ALPN id as `nextHopProtocol` gives it.
    pub fn parse(alpn: &str) -> Self {
        match alpn {
            "h2" | "h2c" => Self::H2,
            _ if alpn.starts_with("h3") => Self::H3,
            _ if alpn.starts_with("http/1") => Self::Http1,
            _ => Self::Unknown,
        }
    }

    /// Its name in JavaScript.
    pub fn name(self) -> &'static str {
        ["unknown", "http/1.1", "h2", "h3"][self as usize]
    }
}

/// How far a call's duration reaches.
///
/// ```
/// use apiscope::core::delivery::Timing;
/// assert_eq!(Timing::Headers.name(), "headers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timing {
    /// To the end of the call: the last byte of the body (Resource Timing's `responseEnd`,
    /// XHR's completion), the failure, or whatever the app measured itself.
    #[default]
    Full = 0,
    /// Only to the response headers: the browser could not tell when the body ended
    /// (cross-origin without `Timing-Allow-Origin`, or no entry within the wait).
    Headers = 1,
}

impl Timing {
    /// Its name in JavaScript.
    pub fn name(self) -> &'static str {
        ["full", "headers"][self as usize]
    }
}

/// A sample's delivery and timing packed into the byte stored beside it: bits 0–1 the
/// timing, bits 2–3 the delivery.
///
/// ```
/// use apiscope::core::delivery::{Delivery, Timing, pack, unpack};
/// let byte = pack(Timing::Headers, Delivery::Cache);
/// assert_eq!(unpack(byte), (Timing::Headers, Delivery::Cache));
/// assert_eq!(unpack(0), (Timing::Full, Delivery::Unknown));
/// ```
pub fn pack(timing: Timing, delivery: Delivery) -> u8 {
    timing as u8 | (delivery as u8) << 2
}

/// The timing and delivery of a stored byte ([`pack`]).
pub fn unpack(byte: u8) -> (Timing, Delivery) {
    let timing = if byte & 3 == 1 {
        Timing::Headers
    } else {
        Timing::Full
    };
    (timing, Delivery::from_code((byte >> 2) & 3))
}
